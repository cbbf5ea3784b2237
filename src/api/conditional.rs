//! Entity tags and conditional requests (RFC 9110 §13).
//!
//! An ETag is a hash of the JSON representation, so it changes exactly when what a client
//! would read changes, including embedded summaries of other records.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use serde::Serialize;
use utoipa::{IntoParams, IntoResponses};

use crate::error::{ApiError, Result};

/// `If-None-Match` as a read documents it (`params(…, IfNoneMatch)`); [`Representation::respond`]
/// reads it.
#[derive(IntoParams)]
#[into_params(names("If-None-Match"), parameter_in = Header)]
pub struct IfNoneMatch(
    /// An ETag from an earlier response; 304 if unchanged
    pub Option<String>,
);

/// `If-Match` as a write documents it (`params(…, IfMatch)`); [`check_if_match`] reads it.
#[derive(IntoParams)]
#[into_params(names("If-Match"), parameter_in = Header)]
pub struct IfMatch(
    /// The ETag the change is based on; 412 if the record has changed since
    pub Option<String>,
);

/// The answer to a read whose `If-None-Match` names the current version (see
/// [`Representation::respond`]), for `responses(…, NotModified, …)`.
#[derive(IntoResponses)]
#[response(
    status = 304,
    description = "Not modified since the ETag given in If-None-Match",
    headers(("ETag" = String))
)]
pub struct NotModified;

/// A representation serialised once, with its strong ETag.
pub struct Representation {
    pub body: Vec<u8>,
    pub etag: String,
}

impl Representation {
    pub fn of<T: Serialize>(value: &T) -> Result<Self> {
        let body = crate::records::body(value)?;
        let digest = crate::auth::sha256(&body);
        let etag = format!(
            "\"{}\"",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
        );
        Ok(Self { body, etag })
    }

    /// `200` with the body and ETag, or `304` when `If-None-Match` already has it.
    pub fn respond(self, req: &HttpRequest) -> HttpResponse {
        if none_match_hits(req, &self.etag) {
            return HttpResponse::NotModified()
                .insert_header((header::ETAG, self.etag))
                .finish();
        }
        self.with_status(StatusCode::OK)
    }

    pub fn with_status(self, status: StatusCode) -> HttpResponse {
        HttpResponse::build(status)
            .insert_header((header::ETAG, self.etag))
            .content_type("application/json")
            .body(self.body)
    }
}

fn tags(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|t| !t.is_empty())
}

/// `If-None-Match` uses weak comparison: `W/"x"` matches `"x"`.
fn none_match_hits(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(tags)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

/// `If-Match` uses strong comparison; a weak tag never matches. Answers 412 when the header is
/// present and names none of the current version.
pub fn check_if_match(req: &HttpRequest, current: Option<&str>) -> Result<()> {
    let values: Vec<&str> = req
        .headers()
        .get_all(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or("\u{0}"))
        .collect();
    if values.is_empty() {
        return Ok(());
    }
    let matches = values
        .iter()
        .flat_map(|v| tags(v))
        .any(|tag| match current {
            Some(etag) => tag == "*" || tag == etag,
            None => false,
        });
    if matches {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn if_match_is_strong() {
        let etag = "\"abc\"";
        let check = |value: &str| {
            check_if_match(
                &TestRequest::default()
                    .insert_header((header::IF_MATCH, value))
                    .to_http_request(),
                Some(etag),
            )
            .is_ok()
        };
        assert!(check("\"abc\""));
        assert!(check("\"x\", \"abc\""));
        assert!(check("*"));
        assert!(!check("W/\"abc\""));
        assert!(!check("\"abd\""));
        assert!(check_if_match(&TestRequest::default().to_http_request(), Some(etag)).is_ok());
    }

    #[test]
    fn if_none_match_is_weak() {
        let hits = |value: &str| {
            none_match_hits(
                &TestRequest::default()
                    .insert_header((header::IF_NONE_MATCH, value))
                    .to_http_request(),
                "\"abc\"",
            )
        };
        assert!(hits("W/\"abc\""));
        assert!(hits("\"abc\""));
        assert!(hits("*"));
        assert!(!hits("\"abd\""));
    }
}
