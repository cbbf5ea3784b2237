//! Logs, request ids and metrics.
//!
//! One middleware ([`observe`]) does the per-request work: it adopts the caller's
//! `x-request-id` (or makes one), returns it, logs the request in a span that carries it,
//! records Prometheus metrics by route pattern, and stamps problem documents with the
//! request's path and id.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry};
use sqlx::PgPool;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

use crate::error::PROBLEM_JSON;
use crate::replicas::ReadPool;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// JSON lines, unless stdout is a terminal.
    Auto,
    Json,
    Pretty,
}

/// Installs the global subscriber. `RUST_LOG` overrides the default level.
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stdout().is_terminal(),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = if json {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.compact().try_init()
    };
    // A second call (tests) keeps the first subscriber.
    drop(result);
}

/// The request id of the current request, available to handlers as an extension.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The documented path a request fell under, when the API knows it: the metrics' route
/// label, found without running the router's patterns again.
#[derive(Debug, Clone)]
pub struct RouteTemplate(pub Arc<str>);

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// An incoming request id is adopted if it is short, printable ASCII.
fn adopt_request_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(&REQUEST_ID)?.to_str().ok()?;
    let ok = !value.is_empty() && value.len() <= 128 && value.bytes().all(|b| b.is_ascii_graphic());
    ok.then(|| value.to_owned())
}

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_size: IntGauge,
    pool_idle: IntGauge,
    pool_stashed: IntGauge,
    pool_max: IntGauge,
    reads: IntCounterVec,
}

impl Metrics {
    pub fn new(pool_max: u32) -> anyhow::Result<Self> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by method, route pattern and status",
            ),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by method and route pattern",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                10.0,
            ]),
            &["method", "route"],
        )?;
        let pool_size = IntGauge::new("db_pool_connections", "Open database connections")?;
        let pool_idle = IntGauge::new("db_pool_idle_connections", "Idle database connections")?;
        let pool_stashed = IntGauge::new(
            "db_pool_stashed_connections",
            "Idle connections a finished read left for the next one, outside sqlx's pool",
        )?;
        let pool_max_gauge = IntGauge::new(
            "db_pool_max_connections",
            "Configured maximum of database connections",
        )?;
        pool_max_gauge.set(i64::from(pool_max));
        let reads = IntCounterVec::new(
            Opts::new(
                "db_reads_total",
                "Reads by the pool that served them: primary, replica1, replica2, …",
            ),
            &["pool"],
        )?;
        registry.register(Box::new(reads.clone()))?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(pool_size.clone()))?;
        registry.register(Box::new(pool_idle.clone()))?;
        registry.register(Box::new(pool_stashed.clone()))?;
        registry.register(Box::new(pool_max_gauge.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            pool_size,
            pool_idle,
            pool_stashed,
            pool_max: pool_max_gauge,
            reads,
        })
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(seconds);
    }

    /// One read served by `source` (labels from a closed set: the configured pools).
    pub fn count_read(&self, source: ReadPool) {
        self.reads.with_label_values(&[&source.name()]).inc();
    }

    /// The metrics as text; `stashed` counts connections idle outside sqlx's pool, waiting
    /// for the next read (`reuse`).
    pub fn render(&self, pool: &PgPool, stashed: usize) -> String {
        self.pool_size.set(i64::from(pool.size()));
        self.pool_idle
            .set(i64::try_from(pool.num_idle() + stashed).unwrap_or(i64::MAX));
        self.pool_stashed
            .set(i64::try_from(stashed).unwrap_or(i64::MAX));
        let _ = &self.pool_max;
        let mut buffer = Vec::new();
        if let Err(error) =
            prometheus::TextEncoder::new().encode(&self.registry.gather(), &mut buffer)
        {
            tracing::warn!(error = %error, "could not encode metrics");
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}

/// A request's method as a metric label, from a closed set: any other method a caller makes
/// up is `other`, so callers cannot create series without bound.
fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// A UUIDv7 from the thread's generator. `Uuid::now_v7()` asks the kernel for its random
/// bits, two system calls on every request; ids need to be unique, not secret.
fn new_request_id() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        });
    let random: [u8; 10] = rand::random();
    uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .to_string()
}

/// The per-request middleware; see the module documentation.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let request_id = adopt_request_id(&req).unwrap_or_else(new_request_id);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let metrics = req
        .app_data::<actix_web::web::Data<Metrics>>()
        .map(|metrics| metrics.clone().into_inner());
    let method = method_label(req.method());
    let path = req.path().to_owned();
    let span = tracing::info_span!("request", request_id = %request_id, method = %req.method(), path = %path);

    // Handlers and extractors turn their errors into responses; an `Err` here comes from
    // actix itself and is answered by it.
    let response = match next.call(req).instrument(span.clone()).await {
        Ok(response) => response.map_into_boxed_body(),
        Err(error) => {
            let status = error.as_response_error().status_code();
            if let Some(metrics) = &metrics {
                metrics.observe(
                    method,
                    "unmatched",
                    status.as_u16(),
                    started.elapsed().as_secs_f64(),
                );
            }
            span.in_scope(|| tracing::warn!(status = status.as_u16(), error = %error, "request failed in the framework"));
            return Err(error);
        }
    };
    let status = response.status();
    // Label by the matched pattern, never the raw path, to bound the number of series.
    let documented = response
        .request()
        .extensions()
        .get::<RouteTemplate>()
        .cloned();
    let route = match documented {
        Some(RouteTemplate(template)) => template,
        None => match response.request().match_pattern() {
            Some(pattern) => pattern.into(),
            None => Arc::from("unmatched"),
        },
    };
    // A 400 made by a framework part (a CORS preflight refused) is plain text: restate it.
    // A page's own error is HTML for a person, and stays so.
    let response = if status == actix_web::http::StatusCode::BAD_REQUEST && is_plain(&response) {
        restate_as_problem(response).await
    } else {
        response
    };
    let mut response = if status.as_u16() >= 400 && is_problem(&response) {
        stamp_problem(response, &path, &request_id).await
    } else {
        response
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let elapsed = started.elapsed();
    if let Some(metrics) = metrics {
        metrics.observe(method, &route, status.as_u16(), elapsed.as_secs_f64());
    }
    span.in_scope(|| {
        let latency_ms = elapsed.as_secs_f64() * 1000.0;
        if status.is_server_error() {
            tracing::error!(
                status = status.as_u16(),
                route = &*route,
                latency_ms,
                "request failed"
            );
        } else {
            tracing::info!(
                status = status.as_u16(),
                route = &*route,
                latency_ms,
                "request"
            );
        }
    });
    Ok(response)
}

fn is_problem(response: &ServiceResponse<BoxBody>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON))
}

/// Whether a response is plain text (or has no type): what framework parts answer with.
fn is_plain(response: &ServiceResponse<BoxBody>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"))
}

/// A plain-text 400 as problem+json, its text as the detail.
async fn restate_as_problem(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let (request, response) = response.into_parts();
    let (_, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes_limited(body, 4096)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).trim().to_owned();
    let detail = if text.is_empty() {
        "the request could not be understood".to_owned()
    } else {
        text
    };
    let response =
        actix_web::ResponseError::error_response(&crate::error::ApiError::bad_request(detail));
    ServiceResponse::new(request, response)
}

/// Adds `instance` and `request_id` to a problem document. Errors are rare, so reading the
/// body back costs nothing that matters.
async fn stamp_problem(
    response: ServiceResponse<BoxBody>,
    path: &str,
    request_id: &str,
) -> ServiceResponse<BoxBody> {
    let (request, response) = response.into_parts();
    let (response, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
    let body = match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes) {
        Ok(mut problem) => {
            problem.insert("instance".into(), path.into());
            problem.insert("request_id".into(), request_id.into());
            serde_json::to_vec(&problem).unwrap_or_else(|_| bytes.to_vec())
        }
        Err(_) => bytes.to_vec(),
    };
    ServiceResponse::new(request, response.set_body(BoxBody::new(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_distinct_uuids_of_version_7() {
        let (a, b) = (new_request_id(), new_request_id());
        assert_ne!(a, b);
        for id in [a, b] {
            let parsed = uuid::Uuid::parse_str(&id).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(parsed.get_version_num(), 7);
        }
    }
}
