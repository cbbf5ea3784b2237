//! How concentrated a portfolio of partners is, and how far it moved between periods.
//!
//! Shares are weights over their total. The Herfindahl–Hirschman index is Σp²; its inverse is
//! the effective number of partners (Laakso–Taagepera); Shannon entropy is −Σp·ln p in nats,
//! exp(entropy) another effective number, evenness entropy / ln k (Pielou). The
//! Jensen–Shannon divergence between two portfolios is in bits: 0 when the shares are the
//! same, 1 when they have no partner in common.

use std::collections::BTreeMap;

/// The concentration indices of one portfolio with a positive total.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Concentration {
    pub hhi: f64,
    pub effective_partners: f64,
    pub entropy: f64,
    pub exp_entropy: f64,
    /// Undefined (None) with a single partner: there is nothing to be even across.
    pub evenness: Option<f64>,
}

/// The indices of a portfolio given its partners' weights; `None` when no weight is positive.
pub fn concentration(weights: &[f64]) -> Option<Concentration> {
    let positive: Vec<f64> = weights.iter().copied().filter(|w| *w > 0.0).collect();
    let total: f64 = positive.iter().sum();
    if positive.is_empty() || !total.is_finite() || total <= 0.0 {
        return None;
    }
    let shares = positive.iter().map(|w| w / total);
    let hhi: f64 = shares.clone().map(|p| p * p).sum();
    let entropy: f64 = -shares.map(|p| p * p.ln()).sum::<f64>();
    // −Σ p ln p comes out as −0.0 (or a hair below zero) for a single partner.
    let entropy = if entropy > 0.0 { entropy } else { 0.0 };
    let k = positive.len();
    Some(Concentration {
        hhi,
        effective_partners: 1.0 / hhi,
        entropy,
        exp_entropy: entropy.exp(),
        evenness: (k > 1).then(|| entropy / (k as f64).ln()),
    })
}

/// The Jensen–Shannon divergence, in bits, between two portfolios given as weights by
/// partner (normalised here); `None` when either has no positive weight.
pub fn jensen_shannon<K: Ord>(p: &BTreeMap<K, f64>, q: &BTreeMap<K, f64>) -> Option<f64> {
    let total = |m: &BTreeMap<K, f64>| m.values().filter(|w| **w > 0.0).sum::<f64>();
    let (p_total, q_total) = (total(p), total(q));
    if p_total <= 0.0 || q_total <= 0.0 {
        return None;
    }
    let share = |m: &BTreeMap<K, f64>, key: &K, t: f64| m.get(key).map_or(0.0, |w| w.max(0.0) / t);
    // Σ over partners of ½·a·log2(a/m) for each side, with m the mean of the two shares.
    let term = |a: f64, m: f64| if a > 0.0 { a * (a / m).log2() } else { 0.0 };
    let mut divergence = 0.0;
    for key in p.keys().chain(q.keys().filter(|k| !p.contains_key(k))) {
        let (a, b) = (share(p, key, p_total), share(q, key, q_total));
        let m = (a + b) / 2.0;
        divergence += 0.5 * (term(a, m) + term(b, m));
    }
    Some(divergence.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn shares_of_a_half_and_two_quarters() {
        // Σp² = 1/4 + 1/16 + 1/16 = 0.375; 1/0.375 = 8/3.
        // H = ½·ln 2 + 2·¼·ln 4 = 1.5·ln 2 = 1.0397; exp(H) = 2^1.5 = 2.8284; H / ln 3 = 0.9464.
        let c = concentration(&[2.0, 1.0, 1.0]).unwrap_or_else(|| panic!("no indices"));
        assert!(close(c.hhi, 0.375), "{c:?}");
        assert!(close(c.effective_partners, 8.0 / 3.0), "{c:?}");
        assert!(close(c.entropy, 1.5 * 2f64.ln()), "{c:?}");
        assert!(close(c.exp_entropy, 2f64.powf(1.5)), "{c:?}");
        assert!(
            close(c.evenness.unwrap_or(0.0), 1.5 * 2f64.ln() / 3f64.ln()),
            "{c:?}"
        );
    }

    #[test]
    fn equal_shares_are_perfectly_even_and_one_partner_is_total_concentration() {
        let c = concentration(&[3.0, 3.0, 3.0, 3.0]).unwrap_or_else(|| panic!("no indices"));
        assert!(close(c.hhi, 0.25) && close(c.effective_partners, 4.0));
        assert!(close(c.exp_entropy, 4.0) && close(c.evenness.unwrap_or(0.0), 1.0));
        let one = concentration(&[5.0]).unwrap_or_else(|| panic!("no indices"));
        assert_eq!(
            (one.hhi, one.effective_partners, one.entropy),
            (1.0, 1.0, 0.0)
        );
        assert_eq!((one.exp_entropy, one.evenness), (1.0, None));
    }

    #[test]
    fn an_empty_portfolio_has_no_indices() {
        assert_eq!(concentration(&[]), None);
        assert_eq!(concentration(&[0.0, 0.0]), None);
    }

    #[test]
    fn jensen_shannon_in_bits() {
        let map = |pairs: &[(&'static str, f64)]| pairs.iter().copied().collect::<BTreeMap<_, _>>();
        let same = jensen_shannon(
            &map(&[("ru", 1.0), ("cn", 3.0)]),
            &map(&[("ru", 2.0), ("cn", 6.0)]),
        );
        assert!(close(same.unwrap_or(1.0), 0.0));
        let apart = jensen_shannon(&map(&[("ru", 1.0)]), &map(&[("cn", 1.0)]));
        assert!(close(apart.unwrap_or(0.0), 1.0));
        // P = (½, ½), Q = (1, 0), M = (¾, ¼): KL(P‖M) = ½·log2(2/3) + ½·log2(2) = 0.207519,
        // KL(Q‖M) = log2(4/3) = 0.415037; JSD = ½ (0.207519 + 0.415037) = 0.311278.
        let half = jensen_shannon(&map(&[("ru", 1.0), ("cn", 1.0)]), &map(&[("ru", 1.0)]));
        assert!((half.unwrap_or(0.0) - 0.311278).abs() < 1e-6, "{half:?}");
        assert_eq!(jensen_shannon(&map(&[]), &map(&[("ru", 1.0)])), None);
    }
}
