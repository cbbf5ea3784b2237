//! Set-based SQL for bulk import: one statement per table per batch (UNNEST of column
//! arrays), never one per row.

use std::collections::HashSet;

use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use super::Result;
use crate::domain::{DatePrecision, Stance, StatementKind};

use super::statements::StatementFields;

fn text<T: AsRef<str>>(value: &Option<T>) -> Option<String> {
    value.as_ref().map(|v| v.as_ref().to_owned())
}

fn joined<T: AsRef<str>>(values: &[T]) -> String {
    // Arrays of arrays do not UNNEST row by row: each row's list travels as a JSON array.
    serde_json::to_string(&values.iter().map(|v| v.as_ref()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into())
}

/// SQL turning a JSON array of strings (from `joined`) back into `text[]`, in order.
const LIST: &str = "ARRAY(SELECT e FROM json_array_elements_text(LIST::json) WITH ORDINALITY AS x(e, n) ORDER BY n)";

fn list(column: &str) -> String {
    LIST.replace("LIST", column)
}

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

/// Which of `ids` were ids of records since deleted (the change feed keeps their deletion).
pub async fn deleted(conn: &mut PgConnection, ids: &[Uuid]) -> Result<HashSet<Uuid>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let found: Vec<Uuid> = sqlx::query_scalar(
        "SELECT DISTINCT record_id FROM changes WHERE record_id = ANY($1) AND operation = 'delete'",
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
    let found: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT {column} FROM {table} WHERE {column} = ANY($1)"
    ))
    .bind(values)
    .fetch_all(conn)
    .await?;
    Ok(found.into_iter().collect())
}

pub async fn insert_statements(
    conn: &mut PgConnection,
    rows: &[(Uuid, StatementFields)],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = rows.iter().map(|(id, _)| *id).collect();
    let speaker: Vec<Uuid> = rows.iter().map(|(_, f)| f.speaker_id).collect();
    let on_behalf_of: Vec<Option<Uuid>> = rows.iter().map(|(_, f)| f.on_behalf_of_id).collect();
    let stated: Vec<NaiveDate> = rows.iter().map(|(_, f)| f.stated_on.first_day()).collect();
    let stated_precision: Vec<DatePrecision> =
        rows.iter().map(|(_, f)| f.stated_on.precision()).collect();
    let kind: Vec<StatementKind> = rows.iter().map(|(_, f)| f.kind).collect();
    let body: Vec<String> = rows
        .iter()
        .map(|(_, f)| f.text.as_str().to_owned())
        .collect();
    let verbatim: Vec<bool> = rows.iter().map(|(_, f)| f.verbatim).collect();
    let language: Vec<Option<String>> = rows.iter().map(|(_, f)| text(&f.language)).collect();
    let topics: Vec<String> = rows.iter().map(|(_, f)| joined(&f.topics)).collect();
    let visit: Vec<Option<Uuid>> = rows.iter().map(|(_, f)| f.visit_id).collect();
    sqlx::query(&format!(
        "INSERT INTO statements (id, speaker_id, on_behalf_of_id, stated_date, stated_precision, kind, text,
                                 verbatim, language, topics, visit_id)
         SELECT id, speaker, on_behalf_of, stated, stated_precision, kind, body, verbatim, language,
                {topics}, visit
         FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::date[], $5::date_precision[],
                     $6::statement_kind[], $7::text[], $8::bool[], $9::text[], $10::text[], $11::uuid[])
              AS t(id, speaker, on_behalf_of, stated, stated_precision, kind, body, verbatim, language, topics, visit)",
        topics = list("topics")
    ))
    .bind(&ids)
    .bind(&speaker)
    .bind(&on_behalf_of)
    .bind(&stated)
    .bind(&stated_precision)
    .bind(&kind)
    .bind(&body)
    .bind(&verbatim)
    .bind(&language)
    .bind(&topics)
    .bind(&visit)
    .execute(&mut *conn)
    .await?;
    let mut statement = Vec::new();
    let mut actor = Vec::new();
    let mut stance: Vec<Stance> = Vec::new();
    let mut position = Vec::new();
    for (id, fields) in rows {
        for (i, (subject, subject_stance)) in fields.subjects.iter().enumerate() {
            statement.push(*id);
            actor.push(*subject);
            stance.push(*subject_stance);
            position.push(i16::try_from(i).unwrap_or(i16::MAX));
        }
    }
    sqlx::query(
        "INSERT INTO statement_subjects (statement_id, actor_id, stance, position)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::stance[], $4::int2[])",
    )
    .bind(&statement)
    .bind(&actor)
    .bind(&stance)
    .bind(&position)
    .execute(&mut *conn)
    .await?;
    // Attribution from roles, for the statements given none.
    let derive: Vec<Uuid> = rows
        .iter()
        .filter(|(_, f)| f.on_behalf_of_id.is_none())
        .map(|(id, _)| *id)
        .collect();
    super::statements::derive_attribution(conn, &derive).await
}

/// Renews the planner's statistics of the tables an import writes, from the rows the
/// transaction sees (its own uncommitted ones included).
pub async fn analyze(conn: &mut PgConnection) -> Result<()> {
    sqlx::query(
        "ANALYZE actors, actor_names, citations, roles, role_citations, visits, visit_visitors,
                 visit_citations, statements, statement_subjects, statement_citations, changes",
    )
    .execute(conn)
    .await?;
    Ok(())
}
