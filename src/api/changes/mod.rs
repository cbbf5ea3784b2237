//! The change feed (`/v1/changes`) and revision history (`…/revisions`): what consumers use to
//! keep a copy of the record in step, deletions included.

use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::Resource;
use crate::error::{ApiError, Result};
use crate::store::changes::{self as store, ChangeRow, Operation};

use super::auth::Read;
use super::extract::Query;
use super::formats::{self, CsvRecord, json_text, opt, snake};
use super::limits::RateLimits;
use super::pagination::{self, Paging};
use super::problems::*;
use super::state::AppState;

mod position;

use position::{Standing, decode_position, encode_position};

pub const MAX_WAIT_SECONDS: u32 = 30;
const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOperation {
    Create,
    Update,
    Delete,
    /// The record was merged into another (`merged_into`): it ends like a delete, and its
    /// id answers with a redirect to the other.
    Merge,
}

/// One create, update or delete of a record.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "cursor": "q0CXwmw1Hv2ak9n5gD1vbBzJxv3qgBV0F1nhCAS3zpGR7T6pEpWtXXh6H5Q",
    "resource": "actor",
    "id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a",
    "operation": "update",
    "version": 2,
    "changed_at": "2026-11-27T12:00:00Z",
    "changed_by": "ingest",
    "record": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a", "slug": "kazakhstan", "kind": "state", "name": "Kazakhstan"}
}))]
pub struct Change {
    /// This change's position in the feed: pass it as `after` to continue after it.
    pub cursor: String,
    pub resource: Resource,
    pub id: Uuid,
    pub operation: ChangeOperation,
    /// The record's version after the change: 1 for its creation, one more for each change.
    pub version: i64,
    pub changed_at: DateTime<Utc>,
    /// The name of the token that made the change (`seed` for the demo data).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub changed_by: Option<String>,
    /// The record as `GET` showed it right after the change (an `Actor`, `Role`, `Citation`,
    /// `Visit` or `Statement`, as `resource` says); absent for a delete or merge (a tombstone).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object, nullable = false)]
    pub record: Option<serde_json::Value>,
    /// For a merge, the id of the record it was merged into.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub merged_into: Option<Uuid>,
}

/// A page of the change feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangePage {
    pub items: Vec<Change>,
    /// Where to continue: pass it as `after` next time. Present even when the page is empty,
    /// so a consumer can poll with it.
    pub next_cursor: String,
}

/// Where to read the feed from.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangeFeedQuery {
    /// The `next_cursor` (or a change's `cursor`) of an earlier read; from the beginning when
    /// absent.
    #[param(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    pub after: Option<String>,
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, example = 100)]
    pub limit: Option<u32>,
    /// Seconds to wait for a change when there is none yet (long poll), 0 to 30. Long polls
    /// waiting at once are bounded per client address and per process; past either bound,
    /// a read that would wait is answered 429 with `Retry-After` at once.
    #[param(minimum = 0, maximum = 30, example = 10)]
    pub wait: Option<u32>,
}

/// One version of a record.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revision {
    pub version: i64,
    pub operation: ChangeOperation,
    pub changed_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub changed_by: Option<String>,
    /// What changed, as a JSON Merge Patch (RFC 7396) from the previous version: the fields
    /// that changed with their new values, `null` for those removed. The whole record for a
    /// creation; absent for a delete.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object, nullable = false)]
    pub changes: Option<serde_json::Value>,
    /// The record as it read after this change; absent for a delete or merge.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object, nullable = false)]
    pub record: Option<serde_json::Value>,
    /// For a merge, the id of the record it was merged into.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub merged_into: Option<Uuid>,
}

/// A page of a record's revisions, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionPage {
    pub items: Vec<Revision>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// What a stored change did; the log's CHECK admits no other value.
fn operation(value: &str) -> Result<ChangeOperation> {
    let operation = Operation::parse(value).ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "the change log holds the operation `{value}`"
        ))
    })?;
    Ok(match operation {
        Operation::Create => ChangeOperation::Create,
        Operation::Update => ChangeOperation::Update,
        Operation::Delete => ChangeOperation::Delete,
        Operation::Merge => ChangeOperation::Merge,
    })
}

type ChangeFeedRequest = Read<Query<ChangeFeedQuery>>;

/// Read the change feed.
///
/// Every create, update and delete of every record, in the order their transactions are
/// numbered, from transactions that have ended. A consumer that keeps the last `next_cursor`
/// and reads after it never misses a change nor sees two in another order, however many
/// writers commit meanwhile. With `wait`, an empty read waits up to that many seconds for a
/// change. A role's change also appears as an update of its holder, whose representation
/// embeds it.
#[utoipa::path(
    tag = "changes",
    operation_id = "list_changes",
    params(ChangeFeedQuery),
    responses(
        (status = 200, description = "The next changes", body = ChangePage),
        (status = 410, response = Gone),
        ReadProblems,
    ),
)]
#[get("")]
pub async fn list_changes(
    state: web::Data<AppState>,
    limits: web::Data<RateLimits>,
    req: HttpRequest,
    read: ChangeFeedRequest,
) -> Result<HttpResponse> {
    let Read(Query(query)) = read;
    let limit = pagination::limit(query.limit)?;
    let wait = query.wait.unwrap_or(0);
    if wait > MAX_WAIT_SECONDS {
        return Err(ApiError::invalid_field(
            "#/query/wait",
            format!("must be 0 to {MAX_WAIT_SECONDS} seconds"),
        ));
    }
    let after = query.after.as_deref().map(decode_position).transpose()?;
    // Served by a replica when one has the position; the feed's order holds on any of them.
    let mut conn = state.reader(&req).await?;
    let mut origin = store::origin(&mut conn).await?;
    let mut on_primary = false;
    if let Some(position) = &after {
        if let Standing::Later(timeline) = position.check_origin(origin)? {
            // A replica not yet on the position's timeline: the primary may be. If it is
            // not either, no server of this database has been on that timeline.
            let mut primary = state.primary_reader().await?;
            origin = store::origin(&mut primary).await?;
            if position.check_origin(origin)? != Standing::Here {
                return Err(ApiError::invalid_field(
                    "#/query/after",
                    format!(
                        "names timeline {timeline} of the database, which it has never been on \
                         (it is on timeline {}): not a position this feed issued",
                        origin.1
                    ),
                ));
            }
            on_primary = true;
        }
        // A position is `0:0` (the start) or a change's own: one made up, even well formed,
        // would otherwise read as "nothing new" for ever. A replica behind the one that
        // issued it may not have it yet: the primary has every committed change.
        if !position.is_start()
            && (on_primary || !store::is_position(&mut conn, position.xid, position.id).await?)
        {
            let mut primary = state.primary_reader().await?;
            if !store::is_position(&mut primary, position.xid, position.id).await? {
                return Err(position::invalid());
            }
            on_primary = true;
        }
    }
    drop(conn);
    // A place among the long polls, taken once there is something to wait for.
    let mut long_poll = None;
    let deadline = Instant::now() + Duration::from_secs(u64::from(wait));
    let after_change = after.as_ref().map(|p| (p.xid, p.id));
    let rows = loop {
        // A connection per poll: a waiting consumer holds none.
        let rows = {
            let mut conn = if on_primary {
                state.primary_reader().await?
            } else {
                state.reader(&req).await?
            };
            store::feed(
                &mut conn,
                after_change,
                limit,
                pagination::PAGE_BYTES as i64,
            )
            .await?
        };
        if !rows.is_empty() || Instant::now() >= deadline {
            break rows;
        }
        if long_poll.is_none() {
            long_poll = Some(limits.long_poll(&req)?);
        }
        tokio::time::sleep(POLL_INTERVAL.min(deadline.saturating_duration_since(Instant::now())))
            .await;
    };
    let xid = |row: &ChangeRow| {
        row.xid.parse::<u64>().map_err(|_| {
            ApiError::Internal(anyhow::anyhow!(
                "the change log holds the xid `{}`",
                row.xid
            ))
        })
    };
    // With nothing new, the place given (sealed again, if an earlier release issued it).
    let next_cursor = match (rows.last(), &after) {
        (Some(last), _) => encode_position(xid(last)?, last.id, origin)?,
        (None, Some(after)) => encode_position(after.xid, after.id, origin)?,
        (None, None) => encode_position(0, 0, origin)?,
    };
    let items = rows
        .into_iter()
        .map(|row| {
            Ok(Change {
                cursor: encode_position(xid(&row)?, row.id, origin)?,
                resource: row.resource,
                id: row.record_id,
                operation: operation(&row.operation)?,
                version: row.version,
                changed_at: row.changed_at,
                changed_by: row.changed_by,
                record: row.data,
                merged_into: row.merged_into,
            })
        })
        .collect::<Result<_>>()?;
    let page = ChangePage { items, next_cursor };
    let mut response = HttpResponse::Ok();
    response.insert_header(("Vary", "Accept"));
    if formats::negotiate(&req, &[formats::JSON, formats::CSV]) == formats::CSV {
        return Ok(response
            .content_type("text/csv; charset=utf-8")
            .body(formats::csv(&page.items)));
    }
    Ok(response.json(page))
}

/// The JSON Merge Patch (RFC 7396) that turns `old` into `new`.
pub fn merge_diff(old: &serde_json::Value, new: &serde_json::Value) -> serde_json::Value {
    use serde_json::{Map, Value};
    match (old, new) {
        (Value::Object(old), Value::Object(new)) => {
            let mut patch = Map::new();
            for (key, value) in new {
                match old.get(key) {
                    Some(previous) if previous == value => {}
                    Some(previous @ Value::Object(_)) if value.is_object() => {
                        patch.insert(key.clone(), merge_diff(previous, value));
                    }
                    _ => {
                        patch.insert(key.clone(), value.clone());
                    }
                }
            }
            for key in old.keys() {
                if !new.contains_key(key) {
                    patch.insert(key.clone(), Value::Null);
                }
            }
            Value::Object(patch)
        }
        _ => new.clone(),
    }
}

pub(crate) async fn revisions(
    state: &AppState,
    req: &HttpRequest,
    resource: Resource,
    id: Uuid,
    paging: Paging,
) -> Result<HttpResponse> {
    let limit = pagination::limit(paging.limit)?;
    let filters = pagination::filter_digest(&[("record", Some(id.to_string()))]);
    let after: Option<i64> = pagination::decode(paging.cursor.as_deref(), &filters)?;
    let mut conn = state.pool.acquire().await?;
    // Each revision shows what changed since the one before, across rounds and pages.
    let mut previous: Option<serde_json::Value> = None;
    let mut known = after.is_none();
    let (items, next_cursor) = pagination::fill(
        &mut conn,
        limit,
        &filters,
        after,
        async |conn, after, n| store::history(conn, resource, id, after, n + 1).await,
        async |conn, rows: Vec<ChangeRow>| {
            if !known && let Some(first) = rows.first() {
                previous = store::previous(&mut *conn, id, first.id).await?;
                known = true;
            }
            let mut items = Vec::with_capacity(rows.len());
            for row in rows {
                let changes = row.data.as_ref().map(|data| match &previous {
                    Some(before) => merge_diff(before, data),
                    None => data.clone(),
                });
                items.push(Revision {
                    version: row.version,
                    operation: operation(&row.operation)?,
                    changed_at: row.changed_at,
                    changed_by: row.changed_by,
                    changes,
                    record: row.data.clone(),
                    merged_into: row.merged_into,
                });
                previous = row.data;
            }
            Ok(items)
        },
        |r| r.id,
    )
    .await?;
    if items.is_empty() && after.is_none() {
        return Err(ApiError::NotFound(format!(
            "no {} `{id}` has ever existed",
            resource.as_str()
        )));
    }
    let page = RevisionPage { items, next_cursor };
    pagination::respond(req, &page, &page.items, page.next_cursor.as_deref())
}

impl CsvRecord for Change {
    const HEADER: &'static [&'static str] = &[
        "cursor",
        "resource",
        "id",
        "operation",
        "version",
        "changed_at",
        "changed_by",
        "record",
        "merged_into",
    ];
    fn fields(&self) -> Vec<String> {
        vec![
            self.cursor.clone(),
            snake(&self.resource),
            self.id.to_string(),
            snake(&self.operation),
            self.version.to_string(),
            self.changed_at.to_rfc3339(),
            opt(&self.changed_by),
            json_text(&self.record),
            opt(&self.merged_into),
        ]
    }
}

impl CsvRecord for Revision {
    const HEADER: &'static [&'static str] = &[
        "version",
        "operation",
        "changed_at",
        "changed_by",
        "changes",
        "record",
        "merged_into",
    ];
    fn fields(&self) -> Vec<String> {
        vec![
            self.version.to_string(),
            snake(&self.operation),
            self.changed_at.to_rfc3339(),
            opt(&self.changed_by),
            json_text(&self.changes),
            json_text(&self.record),
            opt(&self.merged_into),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_diff_is_the_patch_from_old_to_new() {
        let old = json!({"a": 1, "b": {"c": 1, "d": 2}, "e": [1], "gone": true});
        let new = json!({"a": 1, "b": {"c": 1, "d": 3}, "e": [1, 2], "new": "x"});
        assert_eq!(
            merge_diff(&old, &new),
            json!({"b": {"d": 3}, "e": [1, 2], "new": "x", "gone": null})
        );
        assert_eq!(merge_diff(&new, &new), json!({}));
    }
}
