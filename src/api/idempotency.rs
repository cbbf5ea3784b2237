//! `Idempotency-Key` for `POST`: a replay with the same key and body returns the stored
//! response and creates nothing; the same key with another body answers 422; a replay while
//! the first request is in flight answers 409. Keys are scoped by token and expire after 24 h.

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::IntoParams;

use crate::error::{ApiError, Result};
use crate::store::idempotency::{self as store, KeyState, StoredResponse};

use super::auth::Caller;

pub const HEADER: &str = "Idempotency-Key";
const MAX_KEY_LEN: usize = 255;

/// The `Idempotency-Key` header of a request, if it has one; a `POST` documents it with
/// `params(IdempotencyKey)`.
#[derive(IntoParams)]
#[into_params(names("Idempotency-Key"), parameter_in = Header)]
pub struct IdempotencyKey(
    /// Makes the request safe to retry: a replay within 24 h returns the first response and creates nothing.
    #[param(max_length = 255, pattern = "^[!-~]+$")]
    Option<String>,
);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse(req).map(IdempotencyKey))
    }
}

fn parse(req: &HttpRequest) -> Result<Option<String>> {
    let mut values = req.headers().get_all(HEADER);
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let invalid = |detail: &str| ApiError::invalid_field(format!("#/header/{HEADER}"), detail);
    if values.next().is_some() {
        return Err(invalid("must be given once"));
    }
    let key = value
        .to_str()
        .map_err(|_| invalid("must be visible ASCII"))?;
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(
            "must be 1 to 255 visible ASCII characters (a UUID is a good key)",
        ));
    }
    Ok(Some(key.to_owned()))
}

/// What to do with a write after its key has been checked.
pub enum Begun {
    Replay(HttpResponse),
    Proceed(Pending),
}

/// A write in progress whose response must be saved under its key (if it has one).
pub struct Pending {
    key: Option<(uuid::Uuid, String, Vec<u8>)>,
}

impl IdempotencyKey {
    /// Checks the key inside the write's transaction. `operation` and `input` identify the
    /// request: the same key with a different operation or input is refused.
    pub async fn begin<T: Serialize>(
        self,
        conn: &mut PgConnection,
        caller: &Caller,
        operation: &str,
        input: &T,
    ) -> Result<Begun> {
        let Some(key) = self.0 else {
            return Ok(Begun::Proceed(Pending { key: None }));
        };
        let mut request = operation.as_bytes().to_vec();
        request.push(b'\n');
        request.extend(serde_json::to_vec(input).map_err(|e| ApiError::Internal(e.into()))?);
        let fingerprint = crate::auth::sha256(&request);
        match store::claim(conn, caller.token_id, &key, &fingerprint).await? {
            KeyState::Replay(stored) => Ok(Begun::Replay(replay(stored))),
            KeyState::Fresh => Ok(Begun::Proceed(Pending {
                key: Some((caller.token_id, key, fingerprint)),
            })),
            KeyState::InFlight => Err(ApiError::conflict(
                "a request with this Idempotency-Key is still being processed; retry once it has finished",
            )),
            KeyState::Mismatch => Err(ApiError::unprocessable_field(
                format!("#/header/{HEADER}"),
                "was already used with a different request; use a new key for a new request",
            )),
        }
    }
}

impl Pending {
    /// Saves the response (in the write's transaction) and turns it into an HTTP response.
    pub async fn finish(
        self,
        conn: &mut PgConnection,
        response: StoredResponse,
    ) -> Result<HttpResponse> {
        if let Some((token_id, key, fingerprint)) = &self.key {
            store::save(conn, *token_id, key, fingerprint, &response).await?;
        }
        Ok(to_http(response))
    }
}

/// A `201 Created` with `Location` and `ETag`.
pub fn created(
    location: String,
    representation: super::conditional::Representation,
) -> StoredResponse {
    StoredResponse {
        status: StatusCode::CREATED.as_u16(),
        headers: vec![
            (header::LOCATION.to_string(), location),
            (header::ETAG.to_string(), representation.etag),
            (
                header::CONTENT_TYPE.to_string(),
                "application/json".to_owned(),
            ),
        ],
        body: representation.body,
    }
}

fn to_http(stored: StoredResponse) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    for (name, value) in stored.headers {
        response.append_header((name, value));
    }
    response.body(stored.body)
}

fn replay(stored: StoredResponse) -> HttpResponse {
    let mut response = to_http(stored);
    response.headers_mut().insert(
        header::HeaderName::from_static("idempotent-replayed"),
        header::HeaderValue::from_static("true"),
    );
    response
}
