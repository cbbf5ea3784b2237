//! The engagement (multi-vector) index: an actor's partners over a window, each with its
//! count, weighted total, share and the records behind it, and how concentrated the whole is.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use crate::domain::{PartialDate, RoleRank};

use super::indices::{Concentration, concentration, jensen_shannon};
use super::kinds::{Direction, RecordKind};
use super::periods::Period;
use super::periods::period_of;
use super::ties::Tie;
use super::ties::{TieKind, senior};
use super::weights::Weights;

/// What to compute.
#[derive(Debug, Clone)]
pub struct Question<'a> {
    pub actor: Uuid,
    pub direction: Direction,
    /// Only these partners, when given.
    pub partners: Option<&'a BTreeSet<Uuid>>,
    pub weights: &'a Weights,
    /// The periods of a series; empty for the window alone.
    pub periods: &'a [Period],
}

/// One record counted for one partner.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub record: RecordKind,
    pub id: Uuid,
    pub date: PartialDate,
    pub partner: Uuid,
    pub way: Direction,
    pub weight: f64,
}

/// A participant counted as a partner in their own right, for want of a role on that date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unresolved {
    pub participant: Uuid,
    pub record: RecordKind,
    pub id: Uuid,
}

/// One partner's part of a portfolio.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerShare {
    pub partner: Uuid,
    /// Records with this partner.
    pub count: usize,
    pub weight: f64,
    /// `weight` over the portfolio's total; `None` when the total is zero.
    pub share: Option<f64>,
    pub visits: Vec<Uuid>,
    pub statements: Vec<Uuid>,
    pub interactions: Vec<Uuid>,
}

/// The partners of a window or period, heaviest first, with their concentration.
#[derive(Debug, Clone, PartialEq)]
pub struct Portfolio {
    /// Records counted (a record with two partners counts once here, once for each partner).
    pub n: usize,
    pub total_weight: f64,
    pub partners: Vec<PartnerShare>,
    pub concentration: Option<Concentration>,
}

impl Portfolio {
    pub fn top(&self) -> Option<&PartnerShare> {
        self.partners.first().filter(|p| p.weight > 0.0)
    }

    fn weights(&self) -> BTreeMap<Uuid, f64> {
        self.partners
            .iter()
            .map(|p| (p.partner, p.weight))
            .collect()
    }
}

/// A period of the series, with how far its portfolio moved from the previous one's.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodPortfolio {
    pub period: Period,
    pub portfolio: Portfolio,
    /// Jensen–Shannon divergence (bits) from the previous period; `None` for the first period
    /// and when either is empty.
    pub divergence: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Engagement {
    pub window: Portfolio,
    pub periods: Vec<PeriodPortfolio>,
    /// Records in the window too coarsely dated for any period (`2022` by month).
    pub unplaced: Vec<(RecordKind, Uuid)>,
    pub unresolved: Vec<Unresolved>,
}

/// A contribution before it is weighed: the most senior rank on its ties, and its kind.
type Pending = (Contribution, Option<RoleRank>, TieKind);

/// What each tie means for the actor: one contribution per record and partner (weighted by
/// the most senior person on any of its ties with that partner).
pub fn contributions<'t>(
    ties: impl IntoIterator<Item = &'t Tie>,
    question: &Question<'_>,
) -> (Vec<Contribution>, Vec<Unresolved>) {
    // One entry per record and partner, with the most senior rank on its ties so far.
    let mut by_record: BTreeMap<(RecordKind, Uuid, Uuid), Pending> = BTreeMap::new();
    let mut unresolved = BTreeSet::new();
    for tie in ties {
        let Some(seen) = tie.seen_from(question.actor) else {
            continue;
        };
        let partner = seen.partner.principal;
        if !question.direction.admits(seen.way)
            || question
                .partners
                .is_some_and(|only| !only.contains(&partner))
        {
            continue;
        }
        if !seen.partner.resolved {
            unresolved.insert(Unresolved {
                participant: seen.partner.participant,
                record: tie.record,
                id: tie.id,
            });
        }
        let rank = senior(tie.from.rank, tie.to.rank);
        by_record
            .entry((tie.record, tie.id, partner))
            .and_modify(|(_, r, _)| *r = senior(*r, rank))
            .or_insert_with(|| {
                let contribution = Contribution {
                    record: tie.record,
                    id: tie.id,
                    date: tie.date,
                    partner,
                    way: seen.way,
                    weight: 0.0,
                };
                (contribution, rank, tie.kind)
            });
    }
    let contributions = by_record
        .into_values()
        .map(|(mut c, rank, kind)| {
            c.weight = question.weights.of(kind, rank);
            c
        })
        .collect();
    (contributions, unresolved.into_iter().collect())
}

/// The portfolio of some contributions.
pub fn portfolio<'a>(contributions: impl IntoIterator<Item = &'a Contribution>) -> Portfolio {
    let mut partners: BTreeMap<Uuid, PartnerShare> = BTreeMap::new();
    let mut records = BTreeSet::new();
    let mut dated: Vec<&Contribution> = contributions.into_iter().collect();
    dated.sort_by_key(|c| (c.date.first_day(), c.id));
    for c in dated {
        records.insert((c.record, c.id));
        let entry = partners.entry(c.partner).or_insert_with(|| PartnerShare {
            partner: c.partner,
            count: 0,
            weight: 0.0,
            share: None,
            visits: Vec::new(),
            statements: Vec::new(),
            interactions: Vec::new(),
        });
        entry.count += 1;
        entry.weight += c.weight;
        match c.record {
            RecordKind::Visit => entry.visits.push(c.id),
            RecordKind::Statement => entry.statements.push(c.id),
            RecordKind::Interaction => entry.interactions.push(c.id),
        }
    }
    finish(records.len(), partners.into_values().collect())
}

/// Shares, the order (heaviest first, then most records, then by id) and the concentration.
fn finish(n: usize, mut partners: Vec<PartnerShare>) -> Portfolio {
    // A fold from +0: an empty f64 sum is −0, which would print as "-0".
    let total_weight = partners.iter().fold(0.0, |total, p| total + p.weight);
    for p in &mut partners {
        p.share = (total_weight > 0.0).then(|| p.weight / total_weight);
    }
    partners.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then(b.count.cmp(&a.count))
            .then(a.partner.cmp(&b.partner))
    });
    let weights: Vec<f64> = partners.iter().map(|p| p.weight).collect();
    Portfolio {
        n,
        total_weight,
        partners,
        concentration: concentration(&weights),
    }
}

/// A portfolio from counts alone: `n` records, and each partner's count of them (each record
/// weighing 1). The ranking counts in the database what [`portfolio`] would count from every
/// contribution; the partners are ordered as there, and list no records.
pub fn from_counts(n: usize, counts: impl IntoIterator<Item = (Uuid, usize)>) -> Portfolio {
    let partners = counts
        .into_iter()
        .map(|(partner, count)| PartnerShare {
            partner,
            count,
            weight: count as f64,
            share: None,
            visits: Vec::new(),
            statements: Vec::new(),
            interactions: Vec::new(),
        })
        .collect();
    finish(n, partners)
}

/// The whole answer: the window, each period, and what could not be placed or resolved.
pub fn engagement(ties: &[Tie], question: &Question<'_>) -> Engagement {
    let (contributions, unresolved) = contributions(ties, question);
    let window = portfolio(&contributions);
    let mut placed: Vec<Vec<&Contribution>> = vec![Vec::new(); question.periods.len()];
    let mut unplaced = BTreeSet::new();
    if !question.periods.is_empty() {
        for c in &contributions {
            match period_of(question.periods, c.date) {
                Some(i) => placed[i].push(c),
                None => {
                    unplaced.insert((c.record, c.id));
                }
            }
        }
    }
    let mut periods: Vec<PeriodPortfolio> = Vec::with_capacity(question.periods.len());
    for (period, members) in question.periods.iter().zip(placed) {
        let portfolio = portfolio(members);
        let divergence = periods.last().and_then(|previous| {
            jensen_shannon(&previous.portfolio.weights(), &portfolio.weights())
        });
        periods.push(PeriodPortfolio {
            period: *period,
            portfolio,
            divergence,
        });
    }
    Engagement {
        window,
        periods,
        unplaced: unplaced.into_iter().collect(),
        unresolved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::End;
    use crate::analysis::periods::{Granularity, periods};

    const KZ: Uuid = Uuid::from_u128(1);
    const RU: Uuid = Uuid::from_u128(2);
    const CN: Uuid = Uuid::from_u128(3);
    const TOKAYEV: Uuid = Uuid::from_u128(11);
    const PUTIN: Uuid = Uuid::from_u128(12);
    const XI: Uuid = Uuid::from_u128(13);
    const NOBODY: Uuid = Uuid::from_u128(14);

    fn end(participant: Uuid, principal: Uuid, rank: Option<RoleRank>) -> End {
        End {
            participant,
            principal,
            rank,
            resolved: true,
        }
    }

    fn visit(id: u128, date: &str, kind: &str, from: End, to: End) -> Tie {
        let kind =
            serde_json::from_value(serde_json::json!(kind)).unwrap_or_else(|e| panic!("{e}"));
        Tie {
            record: RecordKind::Visit,
            id: Uuid::from_u128(id),
            date: PartialDate::parse(date).unwrap_or_else(|e| panic!("{e}")),
            kind: TieKind::Visit(kind),
            stance: None,
            from,
            to,
        }
    }

    fn demo() -> Vec<Tie> {
        let hos = Some(RoleRank::HeadOfState);
        vec![
            visit(
                100,
                "2022-08",
                "other",
                end(TOKAYEV, KZ, hos),
                end(RU, RU, None),
            ),
            visit(
                101,
                "2022-09",
                "official",
                end(XI, CN, hos),
                end(KZ, KZ, None),
            ),
            visit(
                102,
                "2022-10",
                "summit",
                end(PUTIN, RU, hos),
                end(KZ, KZ, None),
            ),
            // Two ties of one visit with the same partner count once.
            visit(
                103,
                "2022",
                "working",
                end(PUTIN, RU, hos),
                end(KZ, KZ, None),
            ),
            visit(103, "2022", "working", end(RU, RU, None), end(KZ, KZ, None)),
            // Someone else's visit, and one within Kazakhstan.
            visit(104, "2022-05", "other", end(XI, CN, hos), end(RU, RU, None)),
            visit(
                105,
                "2022-05",
                "other",
                end(TOKAYEV, KZ, hos),
                end(KZ, KZ, None),
            ),
        ]
    }

    fn question<'a>(weights: &'a Weights, periods: &'a [Period]) -> Question<'a> {
        Question {
            actor: KZ,
            direction: Direction::Both,
            partners: None,
            weights,
            periods,
        }
    }

    #[test]
    fn counts_alone_give_the_portfolio_every_contribution_would() {
        let weights = Weights::default();
        let window = engagement(&demo(), &question(&weights, &[])).window;
        let counts = window.partners.iter().rev().map(|p| (p.partner, p.count));
        let counted = from_counts(window.n, counts);
        assert_eq!(counted.n, window.n);
        assert_eq!(counted.concentration, window.concentration);
        let order = |p: &Portfolio| -> Vec<(Uuid, usize, Option<f64>)> {
            p.partners
                .iter()
                .map(|s| (s.partner, s.count, s.share))
                .collect()
        };
        assert_eq!(order(&counted), order(&window));
    }

    #[test]
    fn each_record_counts_once_per_partner_and_the_shares_follow_the_weights() {
        let weights = Weights::default();
        let answer = engagement(&demo(), &question(&weights, &[]));
        let window = &answer.window;
        assert_eq!(window.n, 4);
        let shares: Vec<(Uuid, usize, Option<f64>)> = window
            .partners
            .iter()
            .map(|p| (p.partner, p.count, p.share))
            .collect();
        assert_eq!(shares, [(RU, 3, Some(0.75)), (CN, 1, Some(0.25))]);
        assert_eq!(
            window.partners[0].visits,
            [
                Uuid::from_u128(103),
                Uuid::from_u128(100),
                Uuid::from_u128(102)
            ]
        );
        let c = window.concentration.unwrap_or_else(|| panic!("no indices"));
        assert!((c.hhi - 0.625).abs() < 1e-12);
        assert!(answer.unresolved.is_empty());

        let weights =
            Weights::parse("rank:head_of_state=3;visit_kind:official=2").unwrap_or_default();
        let weighted = engagement(&demo(), &question(&weights, &[]));
        // Russia: 3 + 3 + 3 (every visit has a head of state); China: 3 · 2 (official).
        let w: Vec<f64> = weighted.window.partners.iter().map(|p| p.weight).collect();
        assert_eq!(w, [9.0, 6.0]);
    }

    #[test]
    fn direction_and_partners_narrow_the_portfolio() {
        let weights = Weights::default();
        let mut q = question(&weights, &[]);
        q.direction = Direction::Out;
        let out = engagement(&demo(), &q);
        assert_eq!(out.window.n, 1);
        assert_eq!(out.window.partners[0].partner, RU);
        let only = BTreeSet::from([CN]);
        q.direction = Direction::Both;
        q.partners = Some(&only);
        let china = engagement(&demo(), &q);
        assert_eq!((china.window.n, china.window.partners.len()), (1, 1));
    }

    #[test]
    fn periods_hold_what_is_dated_precisely_enough_and_empty_ones_have_no_indices() {
        let weights = Weights::default();
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        let quarters =
            periods(Granularity::Quarter, day("2022-01-01"), day("2023-01-01")).unwrap_or_default();
        let answer = engagement(&demo(), &question(&weights, &quarters));
        let n: Vec<usize> = answer.periods.iter().map(|p| p.portfolio.n).collect();
        assert_eq!(n, [0, 0, 2, 1]);
        assert_eq!(answer.unplaced, [(RecordKind::Visit, Uuid::from_u128(103))]);
        assert!(answer.periods[0].portfolio.concentration.is_none());
        assert_eq!(
            answer.periods[2].divergence, None,
            "the previous quarter is empty"
        );
        // Q3: Russia ½, China ½; Q4: Russia 1 → JSD 0.311278 bits.
        let moved = answer.periods[3].divergence.unwrap_or(0.0);
        assert!((moved - 0.311278).abs() < 1e-6, "{moved}");
    }

    #[test]
    fn a_participant_without_a_role_is_a_partner_in_their_own_right_and_reported() {
        let mut ties = demo();
        let mut nobody = end(NOBODY, NOBODY, None);
        nobody.resolved = false;
        ties.push(visit(106, "2022-06", "other", nobody, end(KZ, KZ, None)));
        let weights = Weights::default();
        let answer = engagement(&ties, &question(&weights, &[]));
        assert!(answer.window.partners.iter().any(|p| p.partner == NOBODY));
        assert_eq!(
            answer.unresolved,
            [Unresolved {
                participant: NOBODY,
                record: RecordKind::Visit,
                id: Uuid::from_u128(106)
            }]
        );
    }

    #[test]
    fn a_person_is_analysed_through_the_records_they_take_part_in() {
        let weights = Weights::default();
        let mut q = question(&weights, &[]);
        q.actor = TOKAYEV;
        let answer = engagement(&demo(), &q);
        let partners: Vec<Uuid> = answer.window.partners.iter().map(|p| p.partner).collect();
        assert_eq!(partners, [RU], "his own state is not his partner");
    }
}
