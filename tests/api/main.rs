//! HTTP tests through the real server, each on its own database.

mod actors;
mod auth;
mod bulk;
mod changes;
mod citations;
mod cli;
mod contract;
mod demo;
mod dyads;
mod embedded;
mod engagement;
mod explorer;
mod formats;
mod framing;
mod helpers;
mod idempotency;
mod limits;
mod network;
mod openapi;
mod ops;
mod pages;
mod roles;
mod slow_callers;
mod statements;
mod timeline;
mod visits;
