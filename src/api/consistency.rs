//! Read-your-writes across replicas: every write response carries the primary's WAL
//! position after its commit in `Chancery-Consistency`; a read that sends it back is served
//! only by a server that has replayed that far (see `replicas`).

use actix_web::ResponseError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, web};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{IntoParams, PartialSchema};

use crate::error::{ApiError, Result};
use crate::replicas::{self, Lsn};
use crate::reuse::Lease;

use super::state::AppState;

pub const HEADER: &str = "chancery-consistency";

/// The token a request carries, if any: 400 when it is not a WAL position.
fn requested(req: &HttpRequest) -> Result<Option<Lsn>> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| {
        ApiError::invalid_field(
            "#/header/Chancery-Consistency",
            "is not readable text; send back the value a write response gave",
        )
    })?;
    text.parse()
        .map(Some)
        .map_err(|e: String| ApiError::invalid_field("#/header/Chancery-Consistency", e))
}

/// Refuses a token beyond the primary's log: no write gave it, and no server could ever
/// meet it (a read would only wait for nothing). It matches the schema, so a 422 as for any
/// request that names what does not exist.
async fn issued(state: &AppState, token: Lsn) -> Result<()> {
    state.reads.issued(token).await.map_err(|_| {
        ApiError::unprocessable_field(
            "#/header/Chancery-Consistency",
            format!(
                "`{token}` is beyond the database's current position, so no write response gave \
                 it; send back the value a write response gave"
            ),
        )
    })
}

impl AppState {
    /// A connection for a read: from a replica that has replayed past the request's
    /// consistency token (if it sent one), or from the primary.
    pub async fn reader(&self, req: &HttpRequest) -> Result<Lease> {
        let after = requested(req)?;
        let (conn, source) = self.reads.read(after).await?;
        self.metrics.count_read(source);
        Ok(conn)
    }

    /// A connection for a read only the primary can serve (counted as one).
    pub async fn primary_reader(&self) -> Result<Lease> {
        let conn = self.reads.primary().await?;
        self.metrics.count_read(replicas::ReadPool::Primary);
        Ok(conn)
    }
}

/// Refuses a read whose token is malformed, whichever pool would serve it, and adds the
/// token to every successful response to a write.
pub async fn tokens(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> std::result::Result<ServiceResponse<BoxBody>, Error> {
    let method = req.method().clone();
    let writes = matches!(
        method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let state = req.app_data::<web::Data<AppState>>().cloned();
    // Only reads look at a token; other methods answer as they would without one (405).
    if matches!(method, Method::GET | Method::HEAD) {
        let checked = match (requested(req.request()), &state) {
            (Ok(Some(token)), Some(state)) => issued(state, token).await,
            (requested, _) => requested.map(|_| ()),
        };
        if let Err(error) = checked {
            return Ok(req.into_response(error.error_response()));
        }
    }
    let mut response = next.call(req).await?.map_into_boxed_body();
    let Some(state) = state.filter(|_| writes && response.status().is_success()) else {
        return Ok(response);
    };
    // After the commit, so the position covers it. A failure here loses only the token:
    // the write itself is done and must not be reported as failed.
    match replicas::position(&state.pool).await {
        Ok(lsn) => {
            state.reads.primary_reached(lsn);
            if let Ok(value) = HeaderValue::from_str(&lsn.to_string()) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(HEADER), value);
            }
        }
        Err(error) => tracing::warn!(error = %error, "no consistency token for a write"),
    }
    Ok(response)
}

/// The token as a read sends it: documented on every `GET` by [`document`], read by
/// [`requested`].
#[derive(IntoParams)]
#[into_params(names("Chancery-Consistency"), parameter_in = Header)]
pub struct ConsistencyToken(
    // One line: the document keeps a doc comment's line breaks.
    #[doc = "The `Chancery-Consistency` of an earlier write response: the answer is then never \
             older than that write (a read replica that has not replayed it yet waits, or the \
             primary answers). A token beyond the database's current position, which no write \
             gave, is a 422."]
    #[param(value_type = WalPosition, inline, required = false)]
    pub Option<String>,
);

/// The schema of a token, in a request or a response: a write-ahead log position.
struct WalPosition;

impl PartialSchema for WalPosition {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(crate::replicas::LSN_PATTERN))
            .examples([serde_json::json!("00000016B374D848")])
            .into()
    }
}

/// Documents the token on a path: a parameter of its `GET`, a header of every successful
/// response to its writes.
pub fn document(item: &mut utoipa::openapi::PathItem) {
    use utoipa::openapi::header::HeaderBuilder;

    for (read, operation) in super::operations(item) {
        if read {
            operation
                .parameters
                .get_or_insert_with(Vec::new)
                .extend(ConsistencyToken::into_params(|| None));
            // A token beyond the primary's position matches the schema but names nothing.
            operation
                .responses
                .responses
                .entry("422".to_owned())
                .or_insert_with(|| {
                    RefOr::Ref(utoipa::openapi::Ref::from_response_name("Unprocessable"))
                });
            continue;
        }
        for (status, response) in operation.responses.responses.iter_mut() {
            let RefOr::T(response) = response else {
                continue;
            };
            if !status.starts_with('2') {
                continue;
            }
            let header = HeaderBuilder::new()
                .schema(WalPosition::schema())
                .description(Some(
                    "The primary's write-ahead log position after this write: send it back \
                     in `Chancery-Consistency` to read your own write from any replica.",
                ))
                .build();
            response
                .headers
                .insert("Chancery-Consistency".to_owned(), header);
        }
    }
}
