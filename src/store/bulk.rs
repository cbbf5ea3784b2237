//! What an import needs besides writing its records (which each kind's `write` does, as for a
//! create): the ids and unique values a batch would take that are taken already, one query
//! per kind, and the planner's statistics renewed as the tables grow.

use std::collections::{HashMap, HashSet};

use sqlx::PgConnection;
use uuid::Uuid;

use super::Result;

/// Which of `ids` exist in `table` (one of ours: the name is never user input).
pub async fn existing(
    conn: &mut PgConnection,
    table: &'static str,
    ids: &[Uuid],
) -> Result<HashSet<Uuid>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let found: Vec<Uuid> =
        sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE id = ANY($1)"))
            .bind(ids)
            .fetch_all(conn)
            .await?;
    Ok(found.into_iter().collect())
}

/// Which of `ids` were ids of records since ended (the change feed keeps their deletion or
/// merge), each with the record it was merged into, if that is how it ended: for an actor,
/// the one its id leads to now (the end of a chain of merges).
pub async fn ended(conn: &mut PgConnection, ids: &[Uuid]) -> Result<HashMap<Uuid, Option<Uuid>>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found: Vec<(Uuid, Option<Uuid>)> = sqlx::query_as(
        "SELECT DISTINCT ON (c.record_id) c.record_id,
                CASE WHEN c.operation = 'merge' THEN coalesce(r.into_id, c.merged_into) END
         FROM changes c LEFT JOIN actor_redirects r ON r.id = c.record_id
         WHERE c.record_id = ANY($1) AND c.operation IN ('delete', 'merge')
         ORDER BY c.record_id, c.id DESC",
    )
    .bind(ids)
    .fetch_all(conn)
    .await?;
    Ok(found.into_iter().collect())
}

/// Which of `values` are already taken in `column` of `table`.
pub async fn taken(
    conn: &mut PgConnection,
    table: &'static str,
    column: &'static str,
    values: &[String],
) -> Result<HashSet<String>> {
    if values.is_empty() {
        return Ok(HashSet::new());
    }
    // Planned for its values, each time: see `store::events`.
    let found: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT t.{column} FROM unnest($1::text[]) AS k(v) JOIN {table} t ON t.{column} = k.v"
    ))
    .persistent(false)
    .bind(values)
    .fetch_all(conn)
    .await?;
    Ok(found.into_iter().collect())
}

/// Renews the planner's statistics of the tables an import writes, from the rows the
/// transaction sees (its own uncommitted ones included).
pub async fn analyze(conn: &mut PgConnection) -> Result<()> {
    sqlx::query(
        "ANALYZE actors, actor_names, citations, roles, role_citations, visits, visit_visitors,
                 visit_citations, statements, statement_subjects, statement_citations,
                 interactions, interaction_actors, interaction_citations, event_rows,
                 event_citations, changes",
    )
    .execute(conn)
    .await?;
    Ok(())
}
