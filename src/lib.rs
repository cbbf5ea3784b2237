//! chancery: a record service for diplomatic activity.
//!
//! The HTTP layer is in [`api`]; the records and their rules, which the API, the importer
//! ([`bulk`]) and the demo data loader ([`seed`]) all write through, in [`records`]; the SQL in
//! [`store`]; the types that validate input in [`domain`]. [`startup::Application`] puts them
//! together for `main` and for the tests.

pub mod analysis;
pub mod api;
pub mod auth;
pub mod bulk;
pub mod config;
pub mod db;
pub mod domain;
pub mod embedded_pg;
pub mod error;
pub mod events;
pub mod import;
pub mod records;
pub mod replicas;
pub mod reuse;
pub mod seed;
pub mod startup;
pub mod store;
pub mod telemetry;
