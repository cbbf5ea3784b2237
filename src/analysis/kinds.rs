//! What a tie between actors comes from, and which way it points.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::Resource;

/// The kinds of record that analyses count.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Visit,
    Statement,
    Interaction,
}

impl RecordKind {
    pub fn resource(self) -> Resource {
        match self {
            Self::Visit => Resource::Visit,
            Self::Statement => Resource::Statement,
            Self::Interaction => Resource::Interaction,
        }
    }
}

/// Which way a record goes, seen from the actor analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From a partner to the actor: a visit to it, a statement about it, an act toward it.
    In,
    /// From the actor to a partner: its visit abroad, its statement about another, its act
    /// toward another.
    Out,
    /// Either way.
    Both,
}

impl Direction {
    pub(crate) fn admits(self, way: Direction) -> bool {
        self == Direction::Both || self == way
    }
}
