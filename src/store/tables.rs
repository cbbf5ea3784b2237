//! What each kind of record's tables hold that queries across kinds need: the columns that
//! name actors (for references, merges and deletes) and how a claim reads where it is cited.
//! The queries that span every kind (`actors::references`, `citations::citing`,
//! `merges::move_references` and `merges::conflicts`) are built from these lists; every match
//! here is exhaustive, so a new kind is a compile error until its tables are described.

use crate::domain::{Claim, Resource};

/// A column that names an actor, in a record's own table or in a table of its links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActorColumn {
    pub table: &'static str,
    /// The column naming the record: `id` in its own table, `visit_id` in a link table.
    pub record: &'static str,
    pub actor: &'static str,
}

impl ActorColumn {
    const fn own(table: &'static str, actor: &'static str) -> Self {
        Self {
            table,
            record: "id",
            actor,
        }
    }

    const fn link(table: &'static str, record: &'static str) -> Self {
        Self {
            table,
            record,
            actor: "actor_id",
        }
    }

    /// Whether the column is in the record's own table (one actor per record), rather than in
    /// a table of links (any number, each once).
    pub fn is_own(&self) -> bool {
        self.record == "id"
    }
}

const ROLE_ACTORS: &[ActorColumn] = &[
    ActorColumn::own("roles", "actor_id"),
    ActorColumn::own("roles", "of_actor_id"),
];
const VISIT_ACTORS: &[ActorColumn] = &[
    ActorColumn::own("visits", "host_id"),
    ActorColumn::own("visits", "visitor_principal_id"),
    ActorColumn::link("visit_visitors", "visit_id"),
];
const INTERACTION_ACTORS: &[ActorColumn] = &[
    ActorColumn::own("interactions", "source_principal_id"),
    ActorColumn::own("interactions", "target_principal_id"),
    ActorColumn::link("interaction_actors", "interaction_id"),
];
const STATEMENT_ACTORS: &[ActorColumn] = &[
    ActorColumn::own("statements", "speaker_id"),
    ActorColumn::own("statements", "on_behalf_of_id"),
    ActorColumn::link("statement_subjects", "statement_id"),
];

/// The columns where records of a kind name actors.
pub fn actor_columns(kind: Resource) -> &'static [ActorColumn] {
    match kind {
        Resource::Actor | Resource::Citation => &[],
        Resource::Role => ROLE_ACTORS,
        Resource::Visit => VISIT_ACTORS,
        Resource::Statement => STATEMENT_ACTORS,
        Resource::Interaction => INTERACTION_ACTORS,
    }
}

/// The column of a kind's own table naming the actor whose representation embeds the
/// record (a role's holder), where there is one.
pub fn holder_column(kind: Resource) -> Option<&'static str> {
    match kind {
        Resource::Role => Some("actor_id"),
        Resource::Actor
        | Resource::Citation
        | Resource::Visit
        | Resource::Statement
        | Resource::Interaction => None,
    }
}

/// How a claim reads in a list of what cites a citation: SQL over its own table (as `t`)
/// for its date, the date's precision, and a short label.
pub struct Cited {
    pub date: &'static str,
    pub precision: &'static str,
    pub label: &'static str,
}

pub fn cited(claim: Claim) -> Cited {
    match claim {
        Claim::Role => Cited {
            date: "t.start_date",
            precision: "t.start_precision",
            label: "t.title",
        },
        Claim::Visit => Cited {
            date: "t.start_date",
            precision: "t.start_precision",
            label: "coalesce(t.occasion,
                     (SELECT string_agg(a.name, ', ' ORDER BY x.position)
                      FROM visit_visitors x JOIN actors a ON a.id = x.actor_id
                      WHERE x.visit_id = t.id)
                     || ' visiting ' || (SELECT h.name FROM actors h WHERE h.id = t.host_id))",
        },
        Claim::Statement => Cited {
            date: "t.stated_date",
            precision: "t.stated_precision",
            label: "left(t.text, 200)",
        },
        Claim::Interaction => Cited {
            date: "t.start_date",
            precision: "t.start_precision",
            label: "coalesce(left(t.summary, 200),
                     (SELECT string_agg(a.name, ', ' ORDER BY x.side, x.position)
                      FROM interaction_actors x JOIN actors a ON a.id = x.actor_id
                      WHERE x.interaction_id = t.id) || ': ' || t.type::text)",
        },
    }
}

/// The records of a kind that a merge of actor `$1` into actor `$2` would leave with an actor
/// related to itself, as SQL giving their ids: a role of one in the other, a visit of one to
/// the other, a statement about both with different stances, an interaction of one toward the
/// other.
pub fn merge_conflicts(kind: Resource) -> Option<&'static str> {
    match kind {
        Resource::Actor | Resource::Citation => None,
        Resource::Role => Some(
            "SELECT r.id FROM roles r
             WHERE (r.actor_id = $1 AND r.of_actor_id = $2) OR (r.actor_id = $2 AND r.of_actor_id = $1)",
        ),
        Resource::Visit => Some(
            "SELECT v.id FROM visits v JOIN visit_visitors x ON x.visit_id = v.id
             WHERE (v.host_id = $1 AND x.actor_id = $2) OR (v.host_id = $2 AND x.actor_id = $1)",
        ),
        Resource::Statement => Some(
            "SELECT a.statement_id FROM statement_subjects a
             JOIN statement_subjects b ON b.statement_id = a.statement_id
             WHERE a.actor_id = $1 AND b.actor_id = $2 AND a.stance <> b.stance",
        ),
        Resource::Interaction => Some(
            "SELECT a.interaction_id FROM interaction_actors a
             JOIN interaction_actors b ON b.interaction_id = a.interaction_id
             WHERE a.actor_id = $1 AND b.actor_id = $2 AND a.side <> b.side",
        ),
    }
}
