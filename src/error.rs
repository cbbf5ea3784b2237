//! Every error a client sees is an RFC 9457 `application/problem+json` document.
//!
//! Handlers and the record layer return [`ApiError`] (the store's own errors convert into it); database and internal errors are logged with
//! their detail and answered with a generic message, so nothing internal leaks.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Scope;

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:chancery:problem:validation",
    "title": "The request is not valid",
    "status": 400,
    "detail": "/country_code: `ZZ` is not an assigned ISO 3166-1 alpha-2 country code",
    "instance": "/v1/actors",
    "request_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0d",
    "errors": [{"pointer": "#/country_code", "detail": "`ZZ` is not an assigned ISO 3166-1 alpha-2 country code"}]
}))]
pub struct Problem {
    /// A URI that identifies the kind of problem; stable, meant for programs.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path the problem occurred on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request id (also in the `x-request-id` header), for support and logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For validation problems: each offending field, as a JSON pointer into the request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For conflicts on delete: the records that still refer to the one being deleted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// For a refused import: every line refused, with what is wrong in it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineError>,
}

/// What a line refused for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LineError {
    /// The line's number, from 1.
    pub line: usize,
    /// A JSON pointer into the line.
    #[schema(example = "#/host_id")]
    pub pointer: String,
    pub detail: String,
}

/// One invalid part of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// A JSON pointer (as a URI fragment) into the request body, or `#/query/<name>`,
    /// `#/path/<name>` or `#/header/<name>` for parameters.
    #[schema(example = "#/name")]
    pub pointer: String,
    /// What is wrong with it.
    pub detail: String,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}

/// The `detail` of a problem about fields: each as `pointer: detail` (`/name: must not be
/// empty or blank`), joined by `; `.
fn fields_detail(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.pointer.trim_start_matches('#'), e.detail))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A record that refers to another.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Reference {
    /// The kind of record: `role`, `statement`, `visit`.
    pub resource: String,
    pub id: Uuid,
    /// Where to find it.
    pub href: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request does not match the documented schema.
    #[error("{detail}")]
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("authentication required: {detail}")]
    Unauthorized { detail: String, invalid_token: bool },
    #[error("the token's scope is too small; `{required}` is needed")]
    Forbidden { required: Scope },
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    #[error("{detail}")]
    Conflict {
        detail: String,
        references: Vec<Reference>,
    },
    #[error("the resource has changed since the version named in If-Match")]
    PreconditionFailed,
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The request matches the schema but breaks a rule that needs the data to check.
    #[error("{detail}")]
    Unprocessable {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{detail}")]
    ImportRefused {
        detail: String,
        lines: Vec<LineError>,
    },
    #[error("{0}")]
    Unavailable(String),
    /// What the request names is gone for good (a feed position from before a failover).
    #[error("{0}")]
    Gone(String),
    /// The request head or body did not arrive in time; the connection is closed.
    #[error("{0}")]
    RequestTimeout(String),
    #[error(
        "the request line is longer than {limit} bytes; send long queries in fewer or shorter parameters"
    )]
    RequestLineTooLong { limit: usize },
    /// The request head is larger, or has more fields, than is read.
    #[error("{detail}")]
    HeadTooLarge { detail: String },
    /// Too many requests from this caller, or too many of a costly kind at once.
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::BadRequest {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// A 400 for one field.
    pub fn invalid_field(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        let errors = vec![FieldError::new(pointer, detail)];
        Self::BadRequest {
            detail: fields_detail(&errors),
            errors,
        }
    }

    /// A 422 for one field.
    pub fn unprocessable_field(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::unprocessable(vec![FieldError::new(pointer, detail)])
    }

    /// A 422 for the fields `errors` names.
    pub fn unprocessable(errors: Vec<FieldError>) -> Self {
        Self::Unprocessable {
            detail: fields_detail(&errors),
            errors,
        }
    }

    /// A failure reading the request body: 408 when it came too slowly (see
    /// `api::deadlines`), 400 when it was broken.
    pub fn body(error: actix_web::error::PayloadError) -> Self {
        use actix_web::error::PayloadError;
        match error {
            PayloadError::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                Self::RequestTimeout(e.to_string())
            }
            other => Self::bad_request(format!("could not read the request body: {other}")),
        }
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::Conflict {
            detail: detail.into(),
            references: Vec::new(),
        }
    }

    fn kind_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::BadRequest { .. } => ("validation", "The request is not valid"),
            Self::Unauthorized { .. } => ("unauthorized", "Authentication required"),
            Self::Forbidden { .. } => ("forbidden", "Insufficient scope"),
            Self::NotFound(_) => ("not-found", "Not found"),
            Self::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            Self::Conflict { .. } => ("conflict", "Conflict"),
            Self::PreconditionFailed => ("precondition-failed", "Precondition failed"),
            Self::PayloadTooLarge { .. } => ("payload-too-large", "Request body too large"),
            Self::UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            Self::Unprocessable { .. } => ("unprocessable", "The request cannot be applied"),
            Self::ImportRefused { .. } => {
                ("import-refused", "The import was refused; nothing was kept")
            }
            Self::Unavailable(_) => ("unavailable", "Service unavailable"),
            Self::Gone(_) => ("gone", "Gone"),
            Self::RequestTimeout(_) => ("request-timeout", "The request came too slowly"),
            Self::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
            Self::RequestLineTooLong { .. } => ("uri-too-long", "Request line too long"),
            Self::HeadTooLarge { .. } => {
                ("header-fields-too-large", "Request header fields too large")
            }
            Self::Internal(_) => ("internal", "Internal server error"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (kind, title) = self.kind_and_title();
        let detail = match self {
            // Internal errors are logged where they are answered; clients get no detail.
            Self::Internal(_) => "An unexpected error occurred; it has been logged.".to_owned(),
            other => other.to_string(),
        };
        let (errors, references) = match self {
            Self::BadRequest { errors, .. } | Self::Unprocessable { errors, .. } => {
                (errors.clone(), Vec::new())
            }
            Self::Conflict { references, .. } => (Vec::new(), references.clone()),
            _ => (Vec::new(), Vec::new()),
        };
        let lines = match self {
            Self::ImportRefused { lines, .. } => lines.clone(),
            _ => Vec::new(),
        };
        Problem {
            kind: format!("urn:chancery:problem:{kind}"),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail: Some(detail),
            instance: None,
            request_id: None,
            errors,
            references,
            lines,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable { .. } | Self::ImportRefused { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Gone(_) => StatusCode::GONE,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::RequestLineTooLong { .. } => StatusCode::URI_TOO_LONG,
            Self::HeadTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(error) = self {
            tracing::error!(error = format!("{error:#}"), "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            Self::Unauthorized { invalid_token, .. } => {
                let challenge = if *invalid_token {
                    r#"Bearer realm="chancery", error="invalid_token""#
                } else {
                    r#"Bearer realm="chancery""#
                };
                response.insert_header((header::WWW_AUTHENTICATE, challenge));
            }
            Self::Forbidden { required } => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    format!(
                        r#"Bearer realm="chancery", error="insufficient_scope", scope="{required}""#
                    ),
                ));
            }
            Self::MethodNotAllowed { allow } => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            Self::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            Self::RequestTimeout(_) => {
                // The rest of the body may still be on its way: the connection cannot be reused.
                response.force_close();
            }
            Self::TooManyRequests { retry_after, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ => {}
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        response.body(body)
    }
}

/// PostgreSQL error classes that mean "the database is not available right now".
fn is_unavailable(code: &str) -> bool {
    // 08: connection exceptions; 53: insufficient resources; 57P0x: shutting down / starting;
    // 57014: statement timeout; 55P03: a lock waited for past `lock_timeout`;
    // 40001/40P01: serialization failure / deadlock (retry).
    code.starts_with("08")
        || code.starts_with("53")
        || code.starts_with("57P")
        || matches!(code, "57014" | "55P03" | "40001" | "40P01")
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        match error {
            StoreError::Violation { error, .. } | StoreError::Database(error) => error.into(),
            StoreError::Encoding(error) => Self::Internal(error.into()),
            StoreError::Taken(_) => Self::conflict(
                "a record with this id was written meanwhile; read it, or retry with another id",
            ),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed => {
                tracing::warn!(error = %error, "database unavailable");
                Self::Unavailable("The database is unavailable; retry shortly.".into())
            }
            sqlx::Error::Database(db) if db.code().is_some_and(|c| is_unavailable(&c)) => {
                tracing::warn!(error = %error, "database unavailable");
                Self::Unavailable("The database is busy or unavailable; retry shortly.".into())
            }
            _ => Self::Internal(anyhow::Error::new(error).context("database error")),
        }
    }
}
