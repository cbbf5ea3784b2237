//! The records and their rules, between the HTTP layer and the SQL: what a valid actor, role,
//! citation, visit or statement is, how one is checked and stored, loaded and assembled, and
//! what refers to it. The API, the importer and the demo data loader all write through here.

pub mod actors;
pub mod citations;
pub mod fields;
pub mod interactions;
pub mod json;
pub mod kinds;
pub mod links;
pub mod merges;
pub mod named;
pub mod read;
pub mod record;
pub mod resolve;
pub mod roles;
pub mod statements;
pub mod summary;
pub mod visits;

pub use named::ReferenceField;
pub use record::{
    Parent, Record, Unique, body, load_one, record_removal, record_write, write_many,
};
