//! The read side that answers questions of the record: whom an actor engages with and how
//! concentrated that is (engagement), what passes between two actors (dyads), and the
//! network of everyone. Pure computations over ties the store reads; the HTTP layer adds
//! names and formats.

pub mod dyads;
pub mod engagement;
pub mod indices;
pub mod kinds;
pub mod network;
pub mod periods;
pub mod ties;
pub mod weights;

pub use kinds::{Direction, RecordKind};
pub use periods::{Granularity, MAX_PERIODS, Period};
pub use ties::{End, Tie};
pub use weights::{WEIGHTS_PATTERN, Weights};
