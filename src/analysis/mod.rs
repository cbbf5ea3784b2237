//! The read side that answers questions of the record: whom an actor engages with and how
//! concentrated that is (engagement), what passes between two actors (dyads), and the
//! network of everyone. Pure computations over links the store reads; the HTTP layer adds
//! names and formats.

pub mod dyads;
pub mod engagement;
pub mod indices;
pub mod links;
pub mod network;
pub mod periods;
pub mod weights;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use links::{End, Link};
pub use periods::{Granularity, MAX_PERIODS, Period};
pub use weights::{WEIGHTS_PATTERN, Weights};

/// The kinds of record that analyses count.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Visit,
    Statement,
}

/// Which way a record goes, seen from the actor analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From a partner to the actor: a visit to it, a statement about it.
    In,
    /// From the actor to a partner: its visit abroad, its statement about another.
    Out,
    /// Either way.
    Both,
}

impl Direction {
    fn admits(self, way: Direction) -> bool {
        self == Direction::Both || self == way
    }
}
