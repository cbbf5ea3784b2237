//! All SQL lives here, one module per resource. Functions take a pool or a connection
//! (a transaction derefs to one); handlers decide where transactions begin and end.

pub mod actors;
pub mod analysis;
pub mod bulk;
pub mod changes;
pub mod citations;
mod columns;
mod error;
pub mod events;
pub mod held;
pub mod idempotency;
pub mod interactions;
pub mod links;
pub mod merges;
pub mod names;
pub mod roles;
pub mod rows;
pub mod statements;
pub mod tables;
pub mod timeline;
pub mod tokens;
pub mod visits;

pub use error::{Referrer, Result, StoreError};
