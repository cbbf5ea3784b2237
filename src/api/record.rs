//! One way to read and write a single record of any kind: each resource's handlers parse their
//! path and body and call these.
//!
//! A write is one transaction: the Idempotency-Key is claimed, the record is locked and
//! compared with `If-Match`, written, recorded in the change feed (with the actor that embeds
//! it), and the response saved under the key, before the commit.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use crate::error::Result;
use crate::records::{self, Record};
use crate::store::changes::Operation;

use super::auth::Caller;
use super::conditional::{Representation, check_if_match};
use super::idempotency::{Begun, IdempotencyKey, created};
use super::state::AppState;

/// `GET` of one record: 200 with its ETag, or 304 when `If-None-Match` has it.
pub async fn get<R: Record>(
    state: &AppState,
    req: &HttpRequest,
    key: R::Key,
) -> Result<HttpResponse> {
    let mut conn = state.reader(req).await?;
    let record = R::load(&mut conn, &key, false).await?;
    // Every statement has completed: the next read may have the connection as it is.
    conn.release();
    Ok(Representation::of(&record)?.respond(req))
}

/// `POST` of a new record: 201 with `Location` and `ETag`, or the first response again for a
/// replayed Idempotency-Key.
pub async fn create<R: Record>(
    state: &AppState,
    caller: &Caller,
    key: IdempotencyKey,
    parent: R::Parent,
    input: R::New,
) -> Result<HttpResponse> {
    let mut tx = state.pool.begin().await?;
    let operation = format!("POST {}", R::collection(&mut tx, &parent).await?);
    let pending = match key.begin(&mut tx, caller, &operation, &input).await? {
        Begun::Replay(response) => return Ok(response),
        Begun::Proceed(pending) => pending,
    };
    let record = R::create(&mut tx, &parent, input).await?;
    let representation = Representation::of(&record)?;
    records::record_write(
        &mut tx,
        &record,
        Operation::Create,
        &caller.name,
        &representation.body,
    )
    .await?;
    let response = created(record.href(), representation);
    let response = pending.finish(&mut tx, response).await?;
    tx.commit().await?;
    Ok(response)
}

/// `PATCH` with a JSON Merge Patch: 200 with the record as it now reads.
pub async fn update<R: Record>(
    state: &AppState,
    req: &HttpRequest,
    caller: &Caller,
    key: R::Key,
    patch: R::Patch,
) -> Result<HttpResponse> {
    let mut tx = state.pool.begin().await?;
    // The row lock serialises concurrent patches: the second sees the first's result, so
    // two patches with the same If-Match give one 200 and one 412.
    let current = R::load(&mut tx, &key, true).await?;
    check_if_match(req, Some(&Representation::of(&current)?.etag))?;
    let updated = current.update(&mut tx, patch).await?;
    let representation = Representation::of(&updated)?;
    records::record_write(
        &mut tx,
        &updated,
        Operation::Update,
        &caller.name,
        &representation.body,
    )
    .await?;
    tx.commit().await?;
    Ok(representation.with_status(StatusCode::OK))
}

/// `DELETE`: 204, leaving a tombstone in the change feed.
pub async fn delete<R: Record>(
    state: &AppState,
    req: &HttpRequest,
    caller: &Caller,
    key: R::Key,
) -> Result<HttpResponse> {
    let mut tx = state.pool.begin().await?;
    let current = R::load(&mut tx, &key, true).await?;
    check_if_match(req, Some(&Representation::of(&current)?.etag))?;
    let (id, holder) = (current.id(), current.holder());
    current.delete(&mut tx).await?;
    records::record_removal::<R>(&mut tx, id, holder, &caller.name).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
