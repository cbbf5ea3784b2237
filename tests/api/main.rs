//! HTTP tests through the real server, each on its own database.

mod actors;
mod auth;
mod cli;
mod contract;
mod embedded;
mod helpers;
mod idempotency;
mod openapi;
mod ops;
mod roles;
