//! How a record shows an actor it refers to (a visit's host, a role's holder): a summary,
//! not the whole actor. A leaf, so that every record can embed it.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::ActorKind;

/// Just enough of an actor to show it where another record refers to it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActorSummary {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: ActorKind,
}

impl ActorSummary {
    /// The summary of an actor a record may name (read through a left join), if it does.
    pub fn optional(
        id: Option<Uuid>,
        slug: Option<String>,
        name: Option<String>,
        kind: Option<ActorKind>,
    ) -> Option<Self> {
        Some(Self {
            id: id?,
            slug: slug?,
            name: name?,
            kind: kind?,
        })
    }
}
