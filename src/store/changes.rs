//! SQL for the change log behind the change feed and revision history.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::Result;
use crate::domain::Resource;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
    /// The record was merged into another (see [`record_merge`]).
    Merge,
}

impl Operation {
    const ALL: [Operation; 4] = [Self::Create, Self::Update, Self::Delete, Self::Merge];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Merge => "merge",
        }
    }
}

/// A change as stored.
#[derive(Debug, Clone)]
pub struct ChangeRow {
    pub id: i64,
    /// The writing transaction's id (xid8), as text.
    pub xid: String,
    pub resource: Resource,
    pub record_id: Uuid,
    pub operation: String,
    pub version: i64,
    pub changed_at: DateTime<Utc>,
    pub changed_by: Option<String>,
    pub data: Option<serde_json::Value>,
    /// For a merge, the record it went into.
    pub merged_into: Option<Uuid>,
}

/// Records a change in the caller's transaction, and returns the record's new version.
/// `data` is the record's JSON representation after the change (`None` for a delete).
///
/// Versions count the record's changes. Writers of one record are serialised by its row
/// lock (every update and delete takes it first), so counting here cannot race.
pub async fn record(
    conn: &mut PgConnection,
    resource: Resource,
    id: Uuid,
    operation: Operation,
    changed_by: &str,
    data: Option<&[u8]>,
) -> Result<i64> {
    let data = data.map(|bytes| String::from_utf8_lossy(bytes).into_owned());
    let version = sqlx::query_scalar!(
        r#"INSERT INTO changes (resource, record_id, operation, version, changed_by, data)
           SELECT $1, $2, $3, coalesce(max(version), 0) + 1, $4, $5::text::json
           FROM changes WHERE record_id = $2 AND resource = $1
           RETURNING version"#,
        resource.as_str(),
        id,
        operation.as_str(),
        changed_by,
        data
    )
    .fetch_one(conn)
    .await?;
    Ok(version)
}

/// Records that a record was merged into another: its last change, like a delete, naming
/// the survivor.
pub async fn record_merge(
    conn: &mut PgConnection,
    resource: Resource,
    id: Uuid,
    into: Uuid,
    changed_by: &str,
) -> Result<i64> {
    Ok(sqlx::query_scalar!(
        r#"INSERT INTO changes (resource, record_id, operation, version, changed_by, merged_into)
           SELECT $1, $2, 'merge', coalesce(max(version), 0) + 1, $3, $4
           FROM changes WHERE record_id = $2 AND resource = $1
           RETURNING version"#,
        resource.as_str(),
        id,
        changed_by,
        into
    )
    .fetch_one(conn)
    .await?)
}

/// Changes after `(xid, id)` in feed order, only from transactions that have ended: none
/// still running can commit a change that sorts before them.
pub async fn feed(
    conn: &mut PgConnection,
    after: Option<(u64, i64)>,
    limit: i64,
    budget: i64,
) -> Result<Vec<ChangeRow>> {
    let (after_xid, after_id) = match after {
        Some((xid, id)) => (Some(xid.to_string()), Some(id)),
        None => (None, None),
    };
    Ok(sqlx::query_as!(
        ChangeRow,
        // The page ends early once its records pass `budget` bytes (the first always comes):
        // the rows are cut here, so the service never holds more than that.
        r#"SELECT id AS "id!", xid AS "xid!", resource AS "resource!: Resource", record_id AS "record_id!",
                  operation AS "operation!", version AS "version!", changed_at AS "changed_at!",
                  changed_by AS "changed_by!", data AS "data: serde_json::Value", merged_into
           FROM (SELECT page.*, sum(size) OVER (ORDER BY position) - size AS before
                 FROM (SELECT id, xid::text AS xid, resource, record_id, operation, version,
                              changed_at, changed_by, data, merged_into, (xid, id) AS position,
                              coalesce(octet_length(data::text), 0) + 256 AS size
                       FROM changes
                       WHERE ($1::text IS NULL OR (xid, id) > ($1::text::xid8, $2::bigint))
                         AND xid < pg_snapshot_xmin(pg_current_snapshot())
                       ORDER BY xid, id
                       LIMIT $3) page) sized
           WHERE before < $4
           ORDER BY position"#,
        after_xid,
        after_id,
        limit,
        budget
    )
    .fetch_all(conn)
    .await?)
}

/// Which database cluster and timeline a server is on: physical replicas share the
/// primary's system identifier; a promotion starts a new timeline (seen here once the
/// promoted server's first checkpoint is done).
pub async fn origin(conn: &mut PgConnection) -> Result<(i64, i32)> {
    Ok(sqlx::query_as(
        "SELECT (SELECT system_identifier FROM pg_control_system()),
                (SELECT timeline_id FROM pg_control_checkpoint())",
    )
    .fetch_one(conn)
    .await?)
}

/// The secret cursors are sealed with (made by a migration; see `api::cursors`).
pub async fn cursor_key(conn: &mut PgConnection) -> Result<Vec<u8>> {
    Ok(sqlx::query_scalar("SELECT key FROM cursor_key")
        .fetch_one(conn)
        .await?)
}

/// Whether a feed position names a change in the log (positions are the `(xid, id)` of one).
pub async fn is_position(conn: &mut PgConnection, xid: u64, id: i64) -> Result<bool> {
    let xid = xid.to_string();
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM changes WHERE id = $2 AND xid = $1::text::xid8) AS "issued!""#,
        xid,
        id
    )
    .fetch_one(conn)
    .await?)
}

/// The changes of one record, oldest first, after the change `after` (an id).
pub async fn history(
    conn: &mut PgConnection,
    resource: Resource,
    record: Uuid,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<ChangeRow>> {
    Ok(sqlx::query_as!(
        ChangeRow,
        r#"SELECT id, xid::text AS "xid!", resource AS "resource: Resource", record_id, operation,
                  version, changed_at,
                  changed_by, data AS "data: serde_json::Value", merged_into
           FROM changes
           WHERE record_id = $1 AND resource = $2 AND ($3::bigint IS NULL OR id > $3)
           ORDER BY id
           LIMIT $4"#,
        record,
        resource.as_str(),
        after,
        limit
    )
    .fetch_all(conn)
    .await?)
}

/// The record's representation just before the change `before` (an id), if any.
pub async fn previous(
    conn: &mut PgConnection,
    record: Uuid,
    before: i64,
) -> Result<Option<serde_json::Value>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT data AS "data: serde_json::Value" FROM changes
           WHERE record_id = $1 AND id < $2 ORDER BY id DESC LIMIT 1"#,
        record,
        before
    )
    .fetch_optional(conn)
    .await?
    .flatten())
}

/// Creations in the change log, version 1 each: `(resource, id, representation)`.
pub async fn record_creations(
    conn: &mut PgConnection,
    by: &str,
    rows: &[(Resource, Uuid, Vec<u8>)],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let resource: Vec<&str> = rows.iter().map(|(r, _, _)| r.as_str()).collect();
    let ids: Vec<Uuid> = rows.iter().map(|(_, id, _)| *id).collect();
    let data: Vec<String> = rows
        .iter()
        .map(|(_, _, d)| String::from_utf8_lossy(d).into_owned())
        .collect();
    sqlx::query(
        "INSERT INTO changes (resource, record_id, operation, version, changed_by, data)
         SELECT resource, id, 'create', 1, $4, data::json FROM UNNEST($1::text[], $2::uuid[], $3::text[]) AS t(resource, id, data)",
    )
    .bind(&resource)
    .bind(&ids)
    .bind(&data)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

/// Updates in the change log, each record's version one more than its last:
/// `(id, representation)` of records of one `resource`.
pub async fn record_updates(
    conn: &mut PgConnection,
    by: &str,
    resource: Resource,
    rows: &[(Uuid, Vec<u8>)],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = rows.iter().map(|(id, _)| *id).collect();
    let data: Vec<String> = rows
        .iter()
        .map(|(_, d)| String::from_utf8_lossy(d).into_owned())
        .collect();
    sqlx::query(
        "INSERT INTO changes (resource, record_id, operation, version, changed_by, data)
         SELECT $1, t.id, 'update',
                (SELECT coalesce(max(c.version), 0) + 1 FROM changes c
                 WHERE c.record_id = t.id AND c.resource = $1),
                $2, t.data::json
         FROM UNNEST($3::uuid[], $4::text[]) AS t(id, data)",
    )
    .bind(resource.as_str())
    .bind(by)
    .bind(&ids)
    .bind(&data)
    .execute(conn)
    .await?;
    Ok(())
}
