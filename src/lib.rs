//! chancery: a record service for diplomatic activity.
//!
//! The HTTP layer is in [`api`], the SQL in [`store`], the types that validate input in
//! [`domain`]. [`startup::Application`] puts them together for `main` and for the tests.

pub mod analysis;
pub mod api;
pub mod auth;
pub mod bulk;
pub mod config;
pub mod db;
pub mod domain;
pub mod embedded_pg;
pub mod error;
pub mod records;
pub mod seed;
pub mod startup;
pub mod store;
pub mod telemetry;
