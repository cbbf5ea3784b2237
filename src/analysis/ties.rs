//! Links between principals, as the store reads them, and what they mean for one actor.

use uuid::Uuid;

use crate::domain::{InteractionType, PartialDate, RoleRank, Stance, StatementKind, VisitKind};
use crate::store::analysis::TieRow;

use super::kinds::{Direction, RecordKind};

/// One end of a tie: the participant and whom they count for on the record's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct End {
    pub participant: Uuid,
    pub principal: Uuid,
    /// The rank of the role the participant counts through, if any.
    pub rank: Option<RoleRank>,
    /// False when a person held no role then, and counts for themselves.
    pub resolved: bool,
}

/// A visit (visitor → host), a statement (speaker → subject) or an interaction (source →
/// target) between two participants.
#[derive(Debug, Clone, PartialEq)]
pub struct Tie {
    pub record: RecordKind,
    pub id: Uuid,
    pub date: PartialDate,
    pub kind: TieKind,
    /// A statement's stance toward its subject.
    pub stance: Option<Stance>,
    pub from: End,
    pub to: End,
}

/// The kind of a visit or of a statement, or an interaction's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TieKind {
    Visit(VisitKind),
    Statement(StatementKind),
    Interaction(InteractionType),
}

impl TieKind {
    pub fn record(self) -> RecordKind {
        match self {
            Self::Visit(_) => RecordKind::Visit,
            Self::Statement(_) => RecordKind::Statement,
            Self::Interaction(_) => RecordKind::Interaction,
        }
    }
}

impl TryFrom<TieRow> for Tie {
    type Error = anyhow::Error;

    /// A row has the kind of its record (the query sets one of the three).
    fn try_from(row: TieRow) -> Result<Self, Self::Error> {
        let kind = match (row.visit_kind, row.statement_kind, row.interaction_type) {
            (Some(kind), None, None) => TieKind::Visit(kind),
            (None, Some(kind), None) => TieKind::Statement(kind),
            (None, None, Some(kind)) => TieKind::Interaction(kind),
            _ => anyhow::bail!("tie of {} {} has no single kind", row.record, row.id),
        };
        Ok(Self {
            record: kind.record(),
            id: row.id,
            date: PartialDate::new(row.date, row.precision),
            kind,
            stance: row.stance,
            from: End {
                participant: row.from_participant,
                principal: row.from_principal,
                rank: row.from_rank,
                resolved: row.from_resolved,
            },
            to: End {
                participant: row.to_participant,
                principal: row.to_principal,
                rank: row.to_rank,
                resolved: row.to_resolved,
            },
        })
    }
}

/// The more senior of two ranks (a head of state over a minister), either if one is absent.
pub fn senior(a: Option<RoleRank>, b: Option<RoleRank>) -> Option<RoleRank> {
    let order = |r: RoleRank| match r {
        RoleRank::HeadOfState => 0,
        RoleRank::HeadOfGovernment => 1,
        RoleRank::ForeignMinister => 2,
        RoleRank::Minister => 3,
        RoleRank::Envoy => 4,
        RoleRank::Official => 5,
    };
    match (a, b) {
        (Some(a), Some(b)) => Some(if order(a) <= order(b) { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// A tie seen from one actor: which way it goes, and the partner at the other end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seen<'a> {
    pub way: Direction,
    pub partner: &'a End,
}

impl Tie {
    /// How `actor` takes part in this tie, if it does: as a principal (itself or through its
    /// officials), or as a participant (a person analysed in their own right). A tie within
    /// one principal (a minister speaking of their own state) is nobody's engagement.
    pub fn seen_from(&self, actor: Uuid) -> Option<Seen<'_>> {
        if self.from.principal == self.to.principal {
            return None;
        }
        let is = |end: &End| end.principal == actor || end.participant == actor;
        if is(&self.from) {
            Some(Seen {
                way: Direction::Out,
                partner: &self.to,
            })
        } else if is(&self.to) {
            Some(Seen {
                way: Direction::In,
                partner: &self.from,
            })
        } else {
            None
        }
    }
}
