//! SQL for imports of event data: what earlier imports left (the rows they read, the
//! citations they made), the actors a dataset's names call, and the record a new row of the
//! same event joins. One query per batch for each.
//!
//! Each query is planned for its batch (`persistent(false)`): a prepared statement soon runs
//! on a generic plan, made for the tables as the transaction's first batches left them (near
//! empty), which scans them whole for each value once they have grown: seconds per batch at
//! a few thousand values, past the statement timeout at 50,000 rows. Values are joined as
//! `unnest($1)`.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use super::Result;
use crate::domain::{InteractionType, Resource};

/// Takes the one turn at importing event data, for the rest of the transaction; false when
/// another import holds it. Two imports at once would each make the same states and
/// stories, and each note the same rows.
pub async fn take_turn(conn: &mut PgConnection) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(hashtext('chancery:event-import'))")
            .persistent(false)
            .fetch_one(conn)
            .await?,
    )
}

/// Which of `keys` (event id, date) of `dataset` an import has already read.
pub async fn imported(
    conn: &mut PgConnection,
    dataset: &str,
    keys: &[(String, NaiveDate)],
) -> Result<HashSet<(String, NaiveDate)>> {
    let (ids, dates): (Vec<String>, Vec<NaiveDate>) = keys.iter().cloned().unzip();
    let found: Vec<(String, NaiveDate)> = sqlx::query_as(
        "SELECT r.event_id, r.event_date
         FROM unnest($2::text[], $3::date[]) AS k(event_id, event_date)
         JOIN event_rows r ON r.dataset = $1 AND r.event_id = k.event_id
                          AND r.event_date = k.event_date",
    )
    .persistent(false)
    .bind(dataset)
    .bind(&ids)
    .bind(&dates)
    .fetch_all(conn)
    .await?;
    Ok(found.into_iter().collect())
}

/// A row of a dataset read into a record.
#[derive(Debug, Clone)]
pub struct EventRowRecord {
    pub event_id: String,
    pub date: NaiveDate,
    pub kind: Resource,
    pub record: Uuid,
}

/// Notes the rows read into records, so that a later import skips them.
pub async fn remember_rows(
    conn: &mut PgConnection,
    dataset: &str,
    rows: &[EventRowRecord],
) -> Result<()> {
    sqlx::query(
        "INSERT INTO event_rows (dataset, event_id, event_date, record_kind, record_id)
         SELECT $1, * FROM unnest($2::text[], $3::date[], $4::text[], $5::uuid[])",
    )
    .persistent(false)
    .bind(dataset)
    .bind(rows.iter().map(|r| r.event_id.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.date).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.record).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

/// The citations earlier imports made for `keys` (`story:…`, `file:…`) of `dataset`.
pub async fn citations(
    conn: &mut PgConnection,
    dataset: &str,
    keys: &[String],
) -> Result<HashMap<String, Uuid>> {
    let found: Vec<(String, Uuid)> = sqlx::query_as(
        "SELECT c.key, c.citation_id FROM unnest($2::text[]) AS k(key)
         JOIN event_citations c ON c.dataset = $1 AND c.key = k.key",
    )
    .persistent(false)
    .bind(dataset)
    .bind(keys)
    .fetch_all(conn)
    .await?;
    Ok(found.into_iter().collect())
}

/// Notes the citations an import made, by what they cite.
pub async fn remember_citations(
    conn: &mut PgConnection,
    dataset: &str,
    made: &[(String, Uuid)],
) -> Result<()> {
    sqlx::query(
        "INSERT INTO event_citations (dataset, key, citation_id)
         SELECT $1, * FROM unnest($2::text[], $3::uuid[])",
    )
    .persistent(false)
    .bind(dataset)
    .bind(made.iter().map(|(key, _)| key.as_str()).collect::<Vec<_>>())
    .bind(made.iter().map(|(_, id)| *id).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

/// For each ISO code, the state that has it (the first made, when several do).
pub async fn states_by_code(
    conn: &mut PgConnection,
    codes: &[String],
) -> Result<HashMap<String, Uuid>> {
    let found: Vec<(String, Uuid)> = sqlx::query_as(
        "SELECT DISTINCT ON (a.country_code) a.country_code, a.id
         FROM unnest($1::text[]) AS k(code) JOIN actors a ON a.country_code = k.code
         WHERE a.kind = 'state'
         ORDER BY a.country_code, a.created_at, a.id",
    )
    .persistent(false)
    .bind(codes)
    .fetch_all(conn)
    .await?;
    Ok(found.into_iter().collect())
}

/// For each folded name, the actor whose name or alias it is: among states only, or among
/// every other kind. The actor's own name before an alias, then the first made.
pub async fn by_name(
    conn: &mut PgConnection,
    keys: &[String],
    states: bool,
) -> Result<HashMap<String, Uuid>> {
    let found: Vec<(String, Uuid)> = sqlx::query_as(
        "SELECT DISTINCT ON (n.key) n.key, a.id
         FROM unnest($1::text[]) AS k(key)
         JOIN actor_names n ON n.key = k.key
         JOIN actors a ON a.id = n.actor_id
         WHERE (a.kind = 'state') = $2
         ORDER BY n.key, n.position, a.created_at, a.id",
    )
    .persistent(false)
    .bind(keys)
    .bind(states)
    .fetch_all(conn)
    .await?;
    Ok(found.into_iter().collect())
}

/// What makes rows one record: the same day, the same principals on both sides, and for an
/// interaction the same type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventKey {
    pub date: NaiveDate,
    pub from: Uuid,
    pub to: Uuid,
    /// `None` for a visit.
    pub event_type: Option<InteractionType>,
}

/// The stored record each key names, if any (the first made, when several do), locked for the
/// import to add to it: a visit of one day by visitors counted for `from`, hosted by `to`; an
/// interaction of one day of the type, its sides counted for `from` and `to`.
pub async fn records_of(
    conn: &mut PgConnection,
    keys: &[EventKey],
) -> Result<HashMap<EventKey, Uuid>> {
    let (visits, interactions): (Vec<&EventKey>, Vec<&EventKey>) =
        keys.iter().partition(|k| k.event_type.is_none());
    let column = |keys: &[&EventKey], f: fn(&EventKey) -> Uuid| -> Vec<Uuid> {
        keys.iter().map(|k| f(k)).collect()
    };
    let dates = |keys: &[&EventKey]| -> Vec<NaiveDate> { keys.iter().map(|k| k.date).collect() };
    let mut found: HashMap<EventKey, Uuid> = HashMap::new();
    if !visits.is_empty() {
        let rows: Vec<(NaiveDate, Uuid, Uuid, Uuid)> = sqlx::query_as(
            "SELECT k.d, k.f, k.t, v.id
             FROM unnest($1::date[], $2::uuid[], $3::uuid[]) AS k(d, f, t)
             JOIN visits v ON v.visitor_principal_id = k.f AND v.start_date = k.d
                          AND v.host_id = k.t AND v.start_precision = 'day' AND v.end_date IS NULL
             ORDER BY k.d, k.f, k.t, v.id
             FOR UPDATE OF v",
        )
        .persistent(false)
        .bind(dates(&visits))
        .bind(column(&visits, |k| k.from))
        .bind(column(&visits, |k| k.to))
        .fetch_all(&mut *conn)
        .await?;
        for (date, from, to, id) in rows {
            let key = EventKey {
                date,
                from,
                to,
                event_type: None,
            };
            found.entry(key).or_insert(id);
        }
    }
    if !interactions.is_empty() {
        let types: Vec<InteractionType> =
            interactions.iter().filter_map(|k| k.event_type).collect();
        let rows: Vec<(NaiveDate, Uuid, Uuid, InteractionType, Uuid)> = sqlx::query_as(
            "SELECT k.d, k.f, k.t, k.y, i.id
             FROM unnest($1::date[], $2::uuid[], $3::uuid[], $4::interaction_type[])
                  AS k(d, f, t, y)
             JOIN interactions i ON i.source_principal_id = k.f AND i.start_date = k.d
                                AND i.target_principal_id = k.t AND i.type = k.y
                                AND i.start_precision = 'day' AND i.end_date IS NULL
             ORDER BY k.d, k.f, k.t, k.y, i.id
             FOR UPDATE OF i",
        )
        .persistent(false)
        .bind(dates(&interactions))
        .bind(column(&interactions, |k| k.from))
        .bind(column(&interactions, |k| k.to))
        .bind(&types)
        .fetch_all(&mut *conn)
        .await?;
        for (date, from, to, event_type, id) in rows {
            let key = EventKey {
                date,
                from,
                to,
                event_type: Some(event_type),
            };
            found.entry(key).or_insert(id);
        }
    }
    Ok(found)
}
