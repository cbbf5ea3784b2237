//! What every handler can reach.

use std::sync::Arc;

use sqlx::PgPool;

use crate::replicas::Pools;
use crate::telemetry::Metrics;

/// The shared state of the service, one per process. (The rate limits and the body deadlines
/// are application data of their own, read by their middleware.)
pub struct AppState {
    /// The primary: writes, and reads inside a write.
    pub pool: PgPool,
    /// Where reads go: the replicas, the primary when none will do.
    pub reads: Pools,
    pub require_read_token: bool,
    pub body_limit_bytes: usize,
    pub metrics: Arc<Metrics>,
    /// Turns at costly work (analyses, pages, resolve batches, exports): a bounded share of
    /// the connections and the CPU, shared fairly between callers.
    pub costly: super::costly::CostlyGate,
    /// The database time one resolve request may use, below the statement timeout.
    pub resolve_budget: std::time::Duration,
    /// Permits for imports: each holds a temporary file and, once whole, a connection.
    pub imports: tokio::sync::Semaphore,
    pub import_max_bytes: u64,
    /// The most records one merge may move (see `records::merges::merge`).
    pub merge_max_records: u64,
    /// Whether `/metrics` on the main address is served without a token.
    pub metrics_open: bool,
    /// Set on SIGTERM: readiness fails so that a load balancer stops sending requests.
    pub draining: std::sync::atomic::AtomicBool,
}
