//! A dyad: what passes between two actors each way, by visit kind, by statement kind and
//! stance, and by interaction type, over a window and its periods, each cell with the records
//! behind it.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use crate::domain::{InteractionType, Stance, StatementKind, VisitKind};

use super::engagement::Unresolved;
use super::kinds::RecordKind;
use super::periods::Period;
use super::periods::period_of;
use super::ties::Tie;
use super::ties::{End, TieKind};

/// The cells of one direction: records by visit kind, by statement kind and stance, and by
/// interaction type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flow {
    pub visits: BTreeMap<VisitKind, BTreeSet<Uuid>>,
    pub statements: BTreeMap<(StatementKind, Stance), BTreeSet<Uuid>>,
    pub interactions: BTreeMap<InteractionType, BTreeSet<Uuid>>,
}

impl Flow {
    pub fn visit_count(&self) -> usize {
        self.visits.values().map(BTreeSet::len).sum()
    }

    /// Distinct statements (one with two subjects on this side counts once).
    pub fn statement_count(&self) -> usize {
        self.statements
            .values()
            .flatten()
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// Distinct interactions (one with two actors on a side counts once).
    pub fn interaction_count(&self) -> usize {
        self.interactions.values().map(BTreeSet::len).sum()
    }

    fn add(&mut self, tie: &Tie) {
        match (tie.kind, tie.stance) {
            (TieKind::Visit(kind), _) => {
                self.visits.entry(kind).or_default().insert(tie.id);
            }
            (TieKind::Statement(kind), stance) => {
                // Subjects always carry a stance; `neutral` is the honest reading of none.
                let stance = stance.unwrap_or(Stance::Neutral);
                self.statements
                    .entry((kind, stance))
                    .or_default()
                    .insert(tie.id);
            }
            (TieKind::Interaction(kind), _) => {
                self.interactions.entry(kind).or_default().insert(tie.id);
            }
        }
    }
}

/// Both directions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flows {
    pub a_to_b: Flow,
    pub b_to_a: Flow,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dyad {
    pub window: Flows,
    pub periods: Vec<(Period, Flows)>,
    pub unplaced: Vec<(RecordKind, Uuid)>,
    pub unresolved: Vec<Unresolved>,
}

fn is(end: &End, actor: Uuid) -> bool {
    end.principal == actor || end.participant == actor
}

/// The dyad of `a` and `b` from the ties around them.
pub fn dyad(ties: &[Tie], a: Uuid, b: Uuid, periods: &[Period]) -> Dyad {
    let mut window = Flows::default();
    let mut series: Vec<Flows> = vec![Flows::default(); periods.len()];
    let mut unplaced = BTreeSet::new();
    let mut unresolved = BTreeSet::new();
    for tie in ties.iter().filter(|l| l.from.principal != l.to.principal) {
        let pick: fn(&mut Flows) -> &mut Flow = if is(&tie.from, a) && is(&tie.to, b) {
            |f| &mut f.a_to_b
        } else if is(&tie.from, b) && is(&tie.to, a) {
            |f| &mut f.b_to_a
        } else {
            continue;
        };
        for end in [&tie.from, &tie.to] {
            if !end.resolved {
                unresolved.insert(Unresolved {
                    participant: end.participant,
                    record: tie.record,
                    id: tie.id,
                });
            }
        }
        pick(&mut window).add(tie);
        if !periods.is_empty() {
            match period_of(periods, tie.date) {
                Some(i) => pick(&mut series[i]).add(tie),
                None => {
                    unplaced.insert((tie.record, tie.id));
                }
            }
        }
    }
    Dyad {
        window,
        periods: periods.iter().copied().zip(series).collect(),
        unplaced: unplaced.into_iter().collect(),
        unresolved: unresolved.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PartialDate;

    const KZ: Uuid = Uuid::from_u128(1);
    const RU: Uuid = Uuid::from_u128(2);
    const CN: Uuid = Uuid::from_u128(3);
    const TOKAYEV: Uuid = Uuid::from_u128(11);
    const PUTIN: Uuid = Uuid::from_u128(12);

    fn end(participant: Uuid, principal: Uuid) -> End {
        End {
            participant,
            principal,
            rank: None,
            resolved: true,
        }
    }

    fn tie(id: u128, date: &str, kind: TieKind, stance: Option<Stance>, from: End, to: End) -> Tie {
        Tie {
            record: kind.record(),
            id: Uuid::from_u128(id),
            date: PartialDate::parse(date).unwrap_or_else(|e| panic!("{e}")),
            kind,
            stance,
            from,
            to,
        }
    }

    #[test]
    fn records_fall_in_cells_each_way() {
        let proposal = TieKind::Statement(StatementKind::Proposal);
        let ties = vec![
            tie(
                1,
                "2022-08",
                TieKind::Visit(VisitKind::Other),
                None,
                end(TOKAYEV, KZ),
                end(RU, RU),
            ),
            tie(
                2,
                "2022-10",
                TieKind::Visit(VisitKind::Summit),
                None,
                end(PUTIN, RU),
                end(KZ, KZ),
            ),
            tie(
                3,
                "2022",
                proposal,
                Some(Stance::Support),
                end(PUTIN, RU),
                end(KZ, KZ),
            ),
            // The same statement's other subject is not Kazakhstan's business.
            tie(
                3,
                "2022",
                proposal,
                Some(Stance::Support),
                end(PUTIN, RU),
                end(CN, CN),
            ),
            tie(
                4,
                "2022-11",
                TieKind::Statement(StatementKind::Denial),
                Some(Stance::Neutral),
                end(TOKAYEV, KZ),
                end(RU, RU),
            ),
            tie(
                5,
                "2022-09",
                TieKind::Visit(VisitKind::Official),
                None,
                end(CN, CN),
                end(KZ, KZ),
            ),
        ];
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        let halves = crate::analysis::periods::periods(
            crate::analysis::Granularity::Quarter,
            day("2022-07-01"),
            day("2023-01-01"),
        )
        .unwrap_or_default();
        let d = dyad(&ties, KZ, RU, &halves);
        assert_eq!(
            (
                d.window.a_to_b.visit_count(),
                d.window.a_to_b.statement_count()
            ),
            (1, 1)
        );
        assert_eq!(
            (
                d.window.b_to_a.visit_count(),
                d.window.b_to_a.statement_count()
            ),
            (1, 1)
        );
        assert_eq!(
            d.window
                .b_to_a
                .statements
                .get(&(StatementKind::Proposal, Stance::Support)),
            Some(&BTreeSet::from([Uuid::from_u128(3)]))
        );
        assert_eq!(
            d.window
                .b_to_a
                .visits
                .get(&VisitKind::Summit)
                .map(BTreeSet::len),
            Some(1)
        );
        // Q3: Tokayev in Sochi; Q4: Putin in Astana and the denial; the "2022" proposal unplaced.
        assert_eq!(d.periods[0].1.a_to_b.visit_count(), 1);
        assert_eq!(d.periods[1].1.b_to_a.visit_count(), 1);
        assert_eq!(d.periods[1].1.a_to_b.statement_count(), 1);
        assert_eq!(d.unplaced, [(RecordKind::Statement, Uuid::from_u128(3))]);
        // Seen from the other side, the directions swap.
        let back = dyad(&ties, RU, KZ, &[]);
        assert_eq!(back.window.a_to_b, d.window.b_to_a);
    }
}
