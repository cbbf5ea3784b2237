//! All SQL lives here, one module per resource. Functions take a pool or a connection
//! (a transaction derefs to one); handlers decide where transactions begin and end.

pub mod actors;
pub mod idempotency;
pub mod roles;
pub mod tokens;
