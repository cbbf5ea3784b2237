//! SQL for roles: a person's (or member state's) office in a state or organization over time.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::Result;
use super::columns::{check_written, column, ids};
use super::rows::Select;
use crate::domain::{ActorKind, DatePrecision, PartialDate, RoleRank, Title};

/// A role as stored, with summaries of both actors.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoleRow {
    pub id: Uuid,
    pub actor_id: Uuid,
    pub actor_slug: String,
    pub actor_name: String,
    pub actor_kind: ActorKind,
    pub of_actor_id: Uuid,
    pub of_actor_slug: String,
    pub of_actor_name: String,
    pub of_actor_kind: ActorKind,
    pub title: String,
    pub rank: Option<RoleRank>,
    pub start_date: Option<NaiveDate>,
    pub start_precision: Option<DatePrecision>,
    pub end_date: Option<NaiveDate>,
    pub end_precision: Option<DatePrecision>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl RoleRow {
    pub fn start(&self) -> Option<PartialDate> {
        PartialDate::from_parts(self.start_date, self.start_precision)
    }

    pub fn end(&self) -> Option<PartialDate> {
        PartialDate::from_parts(self.end_date, self.end_precision)
    }
}

/// The fields of a role a client writes, valid by construction.
#[derive(Debug, Clone)]
pub struct RoleFields {
    /// The holder: written with a new role, never changed.
    pub actor_id: Uuid,
    pub of_actor_id: Uuid,
    pub title: Title,
    pub rank: Option<RoleRank>,
    pub start: Option<PartialDate>,
    pub end: Option<PartialDate>,
}

/// Which side of a role an actor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The actor holds the role.
    Actor,
    /// The role is held in the actor (an office of a state, a seat in an organization).
    OfActor,
}

#[derive(Debug, Default)]
pub struct RoleFilter {
    pub side: Option<Side>,
    /// Only roles that may have been held at some time during this date.
    pub on: Option<PartialDate>,
}

/// Writes roles: new ones, or with `replace` the new fields of existing ones (their rows
/// locked by the caller; their holder stays). One statement whatever their number.
pub async fn write(
    conn: &mut PgConnection,
    rows: &[(Uuid, RoleFields)],
    replace: bool,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let written = sqlx::query!(
        "INSERT INTO roles AS r (id, actor_id, of_actor_id, title, start_date, start_precision,
                                 end_date, end_precision, rank)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::date[],
                              $6::date_precision[], $7::date[], $8::date_precision[], $9::role_rank[])
         ON CONFLICT (id) DO UPDATE SET
             of_actor_id = excluded.of_actor_id, title = excluded.title,
             start_date = excluded.start_date, start_precision = excluded.start_precision,
             end_date = excluded.end_date, end_precision = excluded.end_precision,
             rank = excluded.rank, version = r.version + 1, updated_at = now()
         WHERE $10",
        &ids(rows),
        &column(rows, |f| f.actor_id),
        &column(rows, |f| f.of_actor_id),
        &column(rows, |f| f.title.as_str()) as &[&str],
        &column(rows, |f| f.start.map(|d| d.first_day())) as &[Option<NaiveDate>],
        &column(rows, |f| f.start.map(|d| d.precision())) as &[Option<DatePrecision>],
        &column(rows, |f| f.end.map(|d| d.first_day())) as &[Option<NaiveDate>],
        &column(rows, |f| f.end.map(|d| d.precision())) as &[Option<DatePrecision>],
        &column(rows, |f| f.rank) as &[Option<RoleRank>],
        replace,
    )
    .execute(conn)
    .await?
    .rows_affected();
    check_written("roles", rows.len(), written)
}

pub async fn delete(conn: &mut PgConnection, id: Uuid) -> Result<()> {
    sqlx::query!("DELETE FROM roles WHERE id = $1", id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Locks a role that `participant` takes part in (on either side); returns whether it exists.
pub async fn lock(conn: &mut PgConnection, participant: Uuid, id: Uuid) -> Result<bool> {
    let found = sqlx::query_scalar!(
        "SELECT id FROM roles WHERE id = $1 AND (actor_id = $2 OR of_actor_id = $2) FOR UPDATE",
        id,
        participant
    )
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Roles with summaries of both actors: what every read of roles selects.
const SELECT: &str = "SELECT r.id, r.actor_id, h.slug AS actor_slug, h.name AS actor_name,
        h.kind AS actor_kind, r.of_actor_id, o.slug AS of_actor_slug, o.name AS of_actor_name,
        o.kind AS of_actor_kind, r.title, r.rank, r.start_date, r.start_precision, r.end_date,
        r.end_precision, r.created_at, r.updated_at
    FROM roles r
    JOIN actors h ON h.id = r.actor_id
    JOIN actors o ON o.id = r.of_actor_id";

const ROWS: Select = Select {
    sql: SELECT,
    table: "roles",
    alias: "r",
};

/// A role that `participant` takes part in (on either side).
pub async fn find(conn: &mut PgConnection, participant: Uuid, id: Uuid) -> Result<Option<RoleRow>> {
    let sql = format!("{SELECT} WHERE r.id = $1 AND (r.actor_id = $2 OR r.of_actor_id = $2)");
    Ok(sqlx::query_as(&sql)
        .bind(id)
        .bind(participant)
        .fetch_optional(conn)
        .await?)
}

/// Roles by id, in no particular order.
pub async fn by_ids(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<RoleRow>> {
    ROWS.by_ids(conn, ids).await
}

/// Every role held by any of `holders`, latest start first: what an actor embeds.
pub async fn held_by(conn: &mut PgConnection, holders: &[Uuid]) -> Result<Vec<RoleRow>> {
    let order = "ORDER BY r.start_date DESC NULLS LAST, r.id DESC";
    // For one holder (reading one actor), `= $1` rather than `= ANY($1)`: see links::load.
    if let [holder] = holders {
        let sql = format!("{SELECT} WHERE r.actor_id = $1 {order}");
        return Ok(sqlx::query_as(&sql).bind(holder).fetch_all(conn).await?);
    }
    let sql = format!("{SELECT} WHERE r.actor_id = ANY($1) {order}");
    Ok(sqlx::query_as(&sql).bind(holders).fetch_all(conn).await?)
}

/// The roles `participant` takes part in, latest start first (undated last), after the
/// `(start, id)` of the last row of the previous page.
pub async fn list(
    conn: &mut PgConnection,
    participant: Uuid,
    filter: &RoleFilter,
    after: Option<(Option<NaiveDate>, Uuid)>,
    limit: i64,
) -> Result<Vec<RoleRow>> {
    let has_cursor = after.is_some();
    let (after_start, after_id) = match after {
        Some((start, id)) => (start, Some(id)),
        None => (None, None),
    };
    let as_actor = filter.side != Some(Side::OfActor);
    let as_of_actor = filter.side != Some(Side::Actor);
    let on_first = filter.on.map(|d| d.first_day());
    let on_after = filter.on.map(|d| d.day_after());
    let sql = format!(
        "{SELECT}
         WHERE ((r.actor_id = $1 AND $2) OR (r.of_actor_id = $1 AND $3))
           AND ($4::date IS NULL OR r.period && daterange($4, $5, '[)'))
           AND (NOT $6 OR CASE
                 WHEN $7::date IS NULL THEN r.start_date IS NULL AND r.id < $8
                 ELSE r.start_date < $7 OR (r.start_date = $7 AND r.id < $8) OR r.start_date IS NULL
               END)
         ORDER BY r.start_date DESC NULLS LAST, r.id DESC
         LIMIT $9"
    );
    Ok(sqlx::query_as(&sql)
        .bind(participant)
        .bind(as_actor)
        .bind(as_of_actor)
        .bind(on_first)
        .bind(on_after)
        .bind(has_cursor)
        .bind(after_start)
        .bind(after_id)
        .bind(limit + 1)
        .fetch_all(conn)
        .await?)
}
