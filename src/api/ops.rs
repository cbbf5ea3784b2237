//! Operational endpoints: liveness, readiness, metrics.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Scope;
use crate::error::Result;

use super::problems::Unauthorized;
use super::state::AppState;

/// Health of the process or of its dependencies.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable` with a reason.
    #[schema(example = "ok")]
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub reason: Option<String>,
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
    })
}

/// Readiness.
///
/// 200 when the database answers and every migration is applied; 503 otherwise.
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
    let unavailable = |reason: &str| {
        HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "1"))
            .json(Health {
                status: "unavailable".into(),
                reason: Some(reason.into()),
            })
    };
    match crate::db::migrations_applied(&state.pool).await {
        Ok(true) => HttpResponse::Ok().json(Health {
            status: "ok".into(),
            reason: None,
        }),
        Ok(false) => unavailable("database migrations are not all applied"),
        Err(error) => {
            tracing::warn!(error = %error, "readiness check failed");
            unavailable("the database is unreachable")
        }
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
    let body = state.metrics.render(&state.pool);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body)
}
