//! HTTP semantics every route shares: `HEAD` is answered as `GET` without a body (RFC 9110
//! §9.3.2), and every response says it must not be sniffed and how it may be cached.

use actix_web::Error;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;

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
    let mut response = next.call(req).await?.map_into_boxed_body();
    let status = response.status();
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
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
