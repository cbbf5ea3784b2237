//! What each record weighs in an analysis: 1 unless the caller says otherwise.
//!
//! `rank:head_of_state=3,minister=1;visit_kind:official=2` weighs a record by the highest
//! rank among the people it ties (3 for a head of state's visit) times its kind's factor
//! (2 for an official visit): 6 for Xi Jinping's official visit. Anything not named weighs 1.

use std::collections::HashMap;

use serde::de::DeserializeOwned;

use crate::domain::{RoleRank, StatementKind, VisitKind};

use super::kinds::RecordKind;
use super::ties::TieKind;

/// One group of `weights`: a dimension and its factors.
macro_rules! weights_group {
    () => {
        concat!(
            "(rank:(head_of_state|head_of_government|foreign_minister|minister|envoy|official)=[0-9]{1,4}(\\.[0-9]{1,6})?",
            "(,(head_of_state|head_of_government|foreign_minister|minister|envoy|official)=[0-9]{1,4}(\\.[0-9]{1,6})?)*",
            "|visit_kind:(state|official|working|summit|multilateral|other)=[0-9]{1,4}(\\.[0-9]{1,6})?",
            "(,(state|official|working|summit|multilateral|other)=[0-9]{1,4}(\\.[0-9]{1,6})?)*",
            "|statement_kind:(declaration|pledge|proposal|denial|criticism|agreement|other)=[0-9]{1,4}(\\.[0-9]{1,6})?",
            "(,(declaration|pledge|proposal|denial|criticism|agreement|other)=[0-9]{1,4}(\\.[0-9]{1,6})?)*",
            "|record:(visit|statement|interaction)=[0-9]{1,4}(\\.[0-9]{1,6})?(,(visit|statement|interaction)=[0-9]{1,4}(\\.[0-9]{1,6})?)*)",
        )
    };
}

/// The grammar of `weights`, kept equal to what [`Weights::parse`] accepts (bar a name given
/// twice, which it refuses).
pub const WEIGHTS_PATTERN: &str = concat!("^", weights_group!(), "(;", weights_group!(), ")*$");

/// Factors by rank, visit kind, statement kind and kind of record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Weights {
    rank: HashMap<RoleRank, f64>,
    visit_kind: HashMap<VisitKind, f64>,
    statement_kind: HashMap<StatementKind, f64>,
    record: HashMap<RecordKind, f64>,
}

impl Weights {
    /// Parses the `weights` parameter; the error says what is wrong, for a 400.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut weights = Self::default();
        for group in text.split(';') {
            let (dimension, pairs) = group
                .split_once(':')
                .ok_or_else(|| format!("`{group}` needs a dimension: `rank:head_of_state=3`"))?;
            match dimension {
                "rank" => fill(&mut weights.rank, dimension, pairs)?,
                "visit_kind" => fill(&mut weights.visit_kind, dimension, pairs)?,
                "statement_kind" => fill(&mut weights.statement_kind, dimension, pairs)?,
                "record" => fill(&mut weights.record, dimension, pairs)?,
                other => {
                    return Err(format!(
                        "`{other}` is not a dimension: use rank, visit_kind, statement_kind or record"
                    ));
                }
            }
        }
        Ok(weights)
    }

    /// The weight of one record: its rank's factor times its kind's times its record kind's.
    pub fn of(&self, kind: TieKind, rank: Option<RoleRank>) -> f64 {
        let factor = |found: Option<&f64>| found.copied().unwrap_or(1.0);
        let rank = factor(rank.and_then(|r| self.rank.get(&r)));
        let by_kind = match kind {
            TieKind::Visit(k) => factor(self.visit_kind.get(&k)),
            TieKind::Statement(k) => factor(self.statement_kind.get(&k)),
            // An interaction weighs by its rank and `record:interaction` alone.
            TieKind::Interaction(_) => 1.0,
        };
        rank * by_kind * factor(self.record.get(&kind.record()))
    }
}

fn fill<T: DeserializeOwned + Eq + std::hash::Hash>(
    map: &mut HashMap<T, f64>,
    dimension: &str,
    pairs: &str,
) -> Result<(), String> {
    for pair in pairs.split(',') {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("`{pair}` in {dimension} needs a factor: `name=2`"))?;
        let key: T = serde_json::from_value(serde_json::Value::String(name.to_owned()))
            .map_err(|_| format!("`{name}` is not a {dimension}"))?;
        let factor = factor(value).ok_or_else(|| {
            format!("`{value}` for {dimension} `{name}` is not a number from 0 to 9999.999999")
        })?;
        if map.insert(key, factor).is_some() {
            return Err(format!("{dimension} `{name}` is given twice"));
        }
    }
    Ok(())
}

/// `[0-9]{1,4}(\.[0-9]{1,6})?`, as the pattern says.
fn factor(value: &str) -> Option<f64> {
    let (whole, fraction) = value
        .split_once('.')
        .map_or((value, None), |(w, f)| (w, Some(f)));
    let digits = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
    };
    (digits(whole, 4) && fraction.is_none_or(|f| digits(f, 6)))
        .then(|| value.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_multiply_and_unnamed_ones_are_one() {
        let w = Weights::parse("rank:head_of_state=3,minister=1;visit_kind:official=2")
            .unwrap_or_else(|e| panic!("{e}"));
        let official = TieKind::Visit(VisitKind::Official);
        let pledge = TieKind::Statement(StatementKind::Pledge);
        assert_eq!(w.of(official, Some(RoleRank::HeadOfState)), 6.0);
        assert_eq!(
            w.of(
                TieKind::Visit(VisitKind::Summit),
                Some(RoleRank::HeadOfState)
            ),
            3.0
        );
        assert_eq!(w.of(official, None), 2.0);
        assert_eq!(w.of(pledge, Some(RoleRank::Envoy)), 1.0);
        let r = Weights::parse("record:statement=0.5").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.of(pledge, None), 0.5);
    }

    #[test]
    fn bad_weights_say_what_is_wrong() {
        for (text, says) in [
            ("rank=3", "needs a dimension"),
            ("", "needs a dimension"),
            ("rank:minister=1;", "needs a dimension"),
            ("colour:red=1", "not a dimension"),
            ("rank:emperor=3", "not a rank"),
            ("rank:minister", "needs a factor"),
            ("rank:minister=-1", "not a number"),
            ("rank:minister=1e3", "not a number"),
            ("rank:minister=10000", "not a number"),
            ("rank:minister=1,minister=2", "given twice"),
        ] {
            let error = Weights::parse(text).err().unwrap_or_default();
            assert!(error.contains(says), "{text}: {error}");
        }
    }

    #[test]
    fn the_schema_pattern_accepts_exactly_the_grammar() {
        let pattern = regex::Regex::new(WEIGHTS_PATTERN).unwrap_or_else(|e| panic!("{e}"));
        for good in [
            "rank:head_of_state=3,minister=1;visit_kind:official=2",
            "statement_kind:pledge=0.5;record:visit=2,statement=1",
            "rank:envoy=9999.999999",
        ] {
            assert!(pattern.is_match(good), "{good}");
            assert!(Weights::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "rank:emperor=3",
            "rank:minister=1e3",
            "rank:minister=",
            "rank=3",
            "rank:minister=1;",
            ";",
            "",
        ] {
            assert!(!pattern.is_match(bad), "{bad}");
        }
    }
}
