//! Operational endpoints: liveness, readiness, metrics.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Scope;
use crate::db::NotReady;
use crate::error::Result;

use super::problems::Unauthorized;
use super::state::AppState;

/// Health of the process or of its dependencies.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`; `degraded` (still 200) when the primary database is unreachable but a read
    /// replica serves reads; `unavailable` (503) with a reason.
    #[schema(example = "ok")]
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub reason: Option<String>,
    /// Readiness only: each database pool, the primary first, then the read replicas.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pools: Vec<PoolHealth>,
}

/// One database pool as readiness sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PoolHealth {
    /// `primary`, `replica1`, `replica2`, … (in the order of `DATABASE_READ_URL`).
    #[schema(example = "replica1")]
    pub name: String,
    /// `ok`, or `unavailable` with a reason. A replica that is unavailable leaves the
    /// service ready: its reads go to the primary.
    #[schema(example = "ok")]
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub reason: Option<String>,
    /// How far the server has written (the primary) or replayed (a replica) the
    /// write-ahead log, in the form of a `Chancery-Consistency` token.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, example = "00000016B374D848")]
    pub wal_position: Option<String>,
}

impl PoolHealth {
    fn of(
        name: String,
        checked: std::result::Result<Option<crate::replicas::Lsn>, String>,
    ) -> Self {
        match checked {
            Ok(position) => Self {
                name,
                status: "ok".into(),
                reason: None,
                wal_position: position.map(|p| p.to_string()),
            },
            Err(reason) => Self {
                name,
                status: "unavailable".into(),
                reason: Some(reason),
                wal_position: None,
            },
        }
    }
}

/// Liveness.
///
/// 200 while the process runs; says nothing about the database.
#[utoipa::path(
    tag = "operations",
    operation_id = "healthz",
    responses((status = 200, description = "The process is up", body = Health)),
    security(()),
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
        reason: None,
        pools: Vec::new(),
    })
}

/// Readiness.
///
/// 200 when the primary database answers and every migration is applied; 503 otherwise,
/// except while a read replica still serves reads with the primary unreachable (200,
/// `degraded`: writes answer 503 meanwhile). Each pool is reported; a read replica that is
/// down does not make the service unready, since its reads go to the primary.
#[utoipa::path(
    tag = "operations",
    operation_id = "readyz",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "Not ready", body = Health),
    ),
    security(()),
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    // Draining answers at once: the databases' state changes nothing then.
    if state.draining.load(std::sync::atomic::Ordering::Relaxed) {
        return HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "1"))
            .json(Health {
                status: "unavailable".into(),
                reason: Some("shutting down".into()),
                pools: Vec::new(),
            });
    }
    let (primary, replicas) = futures_util::future::join(
        crate::db::readiness(&state.pool),
        futures_util::future::join_all(state.reads.replicas().map(crate::db::replica_readiness)),
    )
    .await;
    let names = state.reads.names();
    // With the primary unreachable but a replica up, reads are still served (writes answer
    // 503): the service stays in rotation, degraded.
    let replica_up = replicas.iter().any(Result::is_ok);
    let (status, reason) = match &primary {
        Ok(_) => ("ok", None),
        Err(NotReady::Unreachable) if replica_up => (
            "degraded",
            Some("the primary database is unreachable: reads only".to_owned()),
        ),
        Err(not_ready) => ("unavailable", Some(not_ready.to_string())),
    };
    let pools = std::iter::once(primary.map_err(|e| e.to_string()))
        .chain(replicas)
        .zip(names)
        .map(|(checked, name)| PoolHealth::of(name, checked))
        .collect();
    let health = Health {
        status: status.into(),
        reason,
        pools,
    };
    if status == "unavailable" {
        HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "1"))
            .json(health)
    } else {
        HttpResponse::Ok().json(health)
    }
}

/// Metrics.
///
/// Prometheus text format: requests and latency by route pattern, connection pool use.
///
/// Needs a token with the `read` scope, even when reads are open: the figures tell how the
/// service is used and loaded, which is for its operators. Configurable: served openly
/// (`--metrics-open`), or on a separate address for an internal network
/// (`--metrics-address`), where no token is asked.
#[utoipa::path(
    tag = "operations",
    operation_id = "metrics",
    responses(
        (status = 200, description = "Prometheus metrics", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 401, response = Unauthorized),
    ),
    security(("bearer" = ["read"])),
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse> {
    if !state.metrics_open {
        super::auth::require(&state, &req, Scope::Read).await?;
    }
    Ok(render_metrics(state).await)
}

/// The metrics, without a check: for the separate metrics address.
pub async fn render_metrics(state: web::Data<AppState>) -> HttpResponse {
    let body = state.metrics.render(&state.pool, state.reads.stashed());
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body)
}
