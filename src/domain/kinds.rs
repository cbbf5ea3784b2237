use serde::{Deserialize, Serialize};

/// What an actor is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "actor_kind", rename_all = "snake_case")]
pub enum ActorKind {
    State,
    Person,
    Organization,
    Other,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::State => "state",
            Self::Person => "person",
            Self::Organization => "organization",
            Self::Other => "other",
        }
    }
}

/// How much of a partial date the source gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "date_precision", rename_all = "snake_case")]
pub enum DatePrecision {
    Year,
    Month,
    Day,
}
