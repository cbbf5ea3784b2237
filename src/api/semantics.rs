//! HTTP semantics every route shares: `HEAD` is answered as `GET` without a body (RFC 9110
//! §9.3.2); a query parameter an operation does not document is a 400; every response says
//! it must not be sniffed and how it may be cached; the documentation page has a content
//! security policy. It also leaves the documented path a request falls under for the
//! metrics' route label (`telemetry::RouteTemplate`).

use actix_web::Error;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};

use crate::error::ApiError;
use crate::telemetry::RouteTemplate;

use super::routes::RouteTable;

const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

pub async fn shared_semantics(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // The connection remembers that the request was HEAD and sends no body; the routes,
    // registered for GET, answer it as GET.
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let read = req.method() == Method::GET;
    let docs = req.path().starts_with("/docs");
    let template = req
        .app_data::<web::Data<RouteTable>>()
        .and_then(|routes| routes.template(req.path()));
    if let Some(template) = template {
        req.extensions_mut().insert(RouteTemplate(template));
    }
    if let Some(error) = unknown_query_parameter(&req) {
        return Ok(req.error_response(error).map_into_boxed_body());
    }
    let mut response = next.call(req).await?.map_into_boxed_body();
    let status = response.status();
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if docs && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        // The API documentation page loads its own script and styles only, runs no inline
        // script, and cannot be framed (clickjacking).
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_POLICY),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        // Reads carry ETags: a cache may keep them but must ask again (`no-cache`), and only
        // for one user (`private`), since they may need a token. Nothing else is kept.
        let policy = if read && (status.is_success() || status == StatusCode::NOT_MODIFIED) {
            "private, no-cache"
        } else {
            "no-store"
        };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    Ok(response)
}

/// A 400 for a query parameter the operation does not document, as lists give for theirs:
/// a misspelt filter must not be silently ignored on any route.
fn unknown_query_parameter(req: &ServiceRequest) -> Option<ApiError> {
    if req.query_string().is_empty() {
        return None;
    }
    let routes = req.app_data::<web::Data<RouteTable>>()?;
    let known = routes.query_names(req.method(), req.path())?;
    let (name, _) = form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(name, _)| !known.iter().any(|k| k == name))?;
    let takes = if known.is_empty() {
        "this operation takes no query parameters".to_owned()
    } else {
        format!("this operation takes {}", known.join(", "))
    };
    Some(ApiError::invalid_field(
        format!("#/query/{name}"),
        format!("is not a parameter of this operation; {takes}"),
    ))
}
