//! SQL for API tokens: created, listed and revoked by the CLI, found by the lookup half of a
//! presented token (only a hash of the secret is stored).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::Result;
use crate::auth::{GeneratedToken, Scope};

pub struct TokenRow {
    pub id: Uuid,
    pub name: String,
    pub scope: Scope,
    pub secret_sha256: Vec<u8>,
}

pub struct TokenInfo {
    pub name: String,
    pub scope: Scope,
    pub created_at: DateTime<Utc>,
}

pub async fn find_active(pool: &PgPool, lookup: &str) -> Result<Option<TokenRow>> {
    Ok(sqlx::query_as!(
        TokenRow,
        r#"SELECT id, name, scope AS "scope: Scope", secret_sha256
           FROM api_tokens WHERE lookup = $1 AND revoked_at IS NULL"#,
        lookup
    )
    .fetch_optional(pool)
    .await?)
}

/// Stores a new token; fails with the `api_tokens_name_key` constraint when any token, even a
/// revoked one, has had the name.
pub async fn insert(
    conn: &mut PgConnection,
    name: &str,
    scope: Scope,
    token: &GeneratedToken,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO api_tokens (id, name, scope, lookup, secret_sha256) VALUES ($1, $2, $3, $4, $5)",
        id,
        name,
        scope as Scope,
        token.lookup,
        token.secret_sha256
    )
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn list_active(pool: &PgPool) -> Result<Vec<TokenInfo>> {
    Ok(sqlx::query_as!(
        TokenInfo,
        r#"SELECT name, scope AS "scope: Scope", created_at
           FROM api_tokens WHERE revoked_at IS NULL ORDER BY created_at, name"#
    )
    .fetch_all(pool)
    .await?)
}

/// Revokes the active token with this name; returns whether there was one.
pub async fn revoke(pool: &PgPool, name: &str) -> Result<bool> {
    let result = sqlx::query!(
        "UPDATE api_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL",
        name
    )
    .execute(pool)
    .await?;
    Ok(result.rows_affected() > 0)
}
