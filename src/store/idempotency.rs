//! Stored responses of `POST` requests made with an `Idempotency-Key`.

use sqlx::PgConnection;
use uuid::Uuid;

use super::Result;

pub const EXPIRY_HOURS: i32 = 24;

pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The state of an idempotency key, as a request that claims it finds it.
pub enum KeyState {
    /// The key is new: go ahead, then `save` the response in the same transaction.
    Fresh,
    /// The key was used with the same request: answer with what was answered then.
    Replay(StoredResponse),
    /// A request with the key is still in flight (its transaction holds the key's lock).
    InFlight,
    /// The key was used with a different request.
    Mismatch,
}

/// Claims `key` for this token within the caller's transaction.
///
/// A transaction-scoped advisory lock on (token, key) makes a concurrent request with the same
/// key fail fast (`InFlight`) instead of waiting; it is released when the transaction ends, so a
/// crash never leaves a key stuck "in flight".
pub async fn claim(
    conn: &mut PgConnection,
    token_id: Uuid,
    key: &str,
    fingerprint: &[u8],
) -> Result<KeyState> {
    let lock_key = lock_key(token_id, key);
    let locked = sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_xact_lock($1) AS "locked!""#,
        lock_key
    )
    .fetch_one(&mut *conn)
    .await?;
    if !locked {
        return Ok(KeyState::InFlight);
    }
    sqlx::query!(
        "DELETE FROM idempotency_keys WHERE token_id = $1 AND key = $2
           AND created_at < now() - make_interval(hours => $3)",
        token_id,
        key,
        EXPIRY_HOURS
    )
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query!(
        "SELECT fingerprint, response_status, response_headers, response_body
           FROM idempotency_keys WHERE token_id = $1 AND key = $2",
        token_id,
        key
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(KeyState::Fresh);
    };
    if row.fingerprint != fingerprint {
        return Ok(KeyState::Mismatch);
    }
    let headers: Vec<(String, String)> =
        serde_json::from_value(row.response_headers).unwrap_or_default();
    Ok(KeyState::Replay(StoredResponse {
        status: u16::try_from(row.response_status).unwrap_or(200),
        headers,
        body: row.response_body,
    }))
}

pub async fn save(
    conn: &mut PgConnection,
    token_id: Uuid,
    key: &str,
    fingerprint: &[u8],
    response: &StoredResponse,
) -> Result<()> {
    let headers = serde_json::to_value(&response.headers)?;
    sqlx::query!(
        "INSERT INTO idempotency_keys (token_id, key, fingerprint, response_status, response_headers, response_body)
         VALUES ($1, $2, $3, $4, $5, $6)",
        token_id,
        key,
        fingerprint,
        i16::try_from(response.status).unwrap_or(200),
        headers,
        response.body
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes expired keys; run periodically.
pub async fn purge_expired(pool: &sqlx::PgPool) -> Result<u64, sqlx::Error> {
    let result = sqlx::query!(
        "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)",
        EXPIRY_HOURS
    )
    .execute(pool)
    .await?;
    Ok(result.rows_affected())
}

fn lock_key(token_id: Uuid, key: &str) -> i64 {
    let mut input = token_id.as_bytes().to_vec();
    input.extend_from_slice(key.as_bytes());
    let digest = crate::auth::sha256(&input);
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}
