//! SQL for citations.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::columns::{check_written, column, ids, json_list};
use super::{Referrer, Result, links, tables};
use crate::domain::{
    Author, CitationTitle, Claim, DatePrecision, Excerpt, LanguageTag, PartialDate, Resource,
    Source, WebUrl,
};

#[derive(Debug, Clone)]
pub struct CitationRow {
    pub id: Uuid,
    pub source: String,
    pub url: Option<String>,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published_date: Option<NaiveDate>,
    pub published_precision: Option<DatePrecision>,
    pub accessed_on: Option<NaiveDate>,
    pub language: Option<String>,
    pub excerpt: Option<String>,
    pub archive_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CitationRow {
    pub fn published_on(&self) -> Option<PartialDate> {
        PartialDate::from_parts(self.published_date, self.published_precision)
    }
}

/// The fields of a citation a client writes, valid by construction.
#[derive(Debug, Clone)]
pub struct CitationFields {
    pub source: Source,
    pub url: Option<WebUrl>,
    pub title: Option<CitationTitle>,
    pub authors: Vec<Author>,
    pub published_on: Option<PartialDate>,
    pub accessed_on: Option<NaiveDate>,
    pub language: Option<LanguageTag>,
    pub excerpt: Option<Excerpt>,
    pub archive_url: Option<WebUrl>,
}

#[derive(Debug, Default)]
pub struct CitationFilter {
    pub q: Option<String>,
    pub language: Option<String>,
    /// Published within this range (by overlap): first day, and the day after the last.
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// Writes citations: new ones, or with `replace` the new fields of existing ones (their rows
/// locked by the caller). One statement whatever their number.
pub async fn write(
    conn: &mut PgConnection,
    rows: &[(Uuid, CitationFields)],
    replace: bool,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let written = sqlx::query!(
        "INSERT INTO citations AS c (id, source, url, title, authors, published_date,
                                     published_precision, accessed_on, language, excerpt, archive_url)
         SELECT t.id, t.source, t.url, t.title,
                ARRAY(SELECT e FROM json_array_elements_text(t.authors::json) WITH ORDINALITY AS x(e, n) ORDER BY n),
                t.published_date, t.published_precision, t.accessed_on, t.language, t.excerpt,
                t.archive_url
         FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[],
                     $7::date_precision[], $8::date[], $9::text[], $10::text[], $11::text[])
              AS t(id, source, url, title, authors, published_date, published_precision,
                   accessed_on, language, excerpt, archive_url)
         ON CONFLICT (id) DO UPDATE SET
             source = excluded.source, url = excluded.url, title = excluded.title,
             authors = excluded.authors, published_date = excluded.published_date,
             published_precision = excluded.published_precision, accessed_on = excluded.accessed_on,
             language = excluded.language, excerpt = excluded.excerpt,
             archive_url = excluded.archive_url, version = c.version + 1, updated_at = now()
         WHERE $12",
        &ids(rows),
        &column(rows, |f| f.source.as_str()) as &[&str],
        &column(rows, |f| f.url.as_ref().map(WebUrl::as_str)) as &[Option<&str>],
        &column(rows, |f| f.title.as_ref().map(CitationTitle::as_str)) as &[Option<&str>],
        &column(rows, |f| json_list(&f.authors)),
        &column(rows, |f| f.published_on.map(|d| d.first_day())) as &[Option<NaiveDate>],
        &column(rows, |f| f.published_on.map(|d| d.precision())) as &[Option<DatePrecision>],
        &column(rows, |f| f.accessed_on) as &[Option<NaiveDate>],
        &column(rows, |f| f.language.as_ref().map(LanguageTag::as_str)) as &[Option<&str>],
        &column(rows, |f| f.excerpt.as_ref().map(Excerpt::as_str)) as &[Option<&str>],
        &column(rows, |f| f.archive_url.as_ref().map(WebUrl::as_str)) as &[Option<&str>],
        replace,
    )
    .execute(conn)
    .await?
    .rows_affected();
    check_written("citations", rows.len(), written)
}

/// Citations by id, in no particular order.
pub async fn by_ids(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<CitationRow>> {
    Ok(sqlx::query_as!(
        CitationRow,
        r#"SELECT id, source, url, title, authors, published_date,
                  published_precision AS "published_precision: DatePrecision", accessed_on,
                  language, excerpt, archive_url, created_at, updated_at
           FROM citations WHERE id = ANY($1)"#,
        ids
    )
    .fetch_all(conn)
    .await?)
}

pub async fn find(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<Option<CitationRow>> {
    let row = if lock {
        sqlx::query_as!(
            CitationRow,
            r#"SELECT id, source, url, title, authors, published_date,
                      published_precision AS "published_precision: DatePrecision", accessed_on,
                      language, excerpt, archive_url, created_at, updated_at
               FROM citations WHERE id = $1 FOR UPDATE"#,
            id
        )
        .fetch_optional(conn)
        .await?
    } else {
        sqlx::query_as!(
            CitationRow,
            r#"SELECT id, source, url, title, authors, published_date,
                      published_precision AS "published_precision: DatePrecision", accessed_on,
                      language, excerpt, archive_url, created_at, updated_at
               FROM citations WHERE id = $1"#,
            id
        )
        .fetch_optional(conn)
        .await?
    };
    Ok(row)
}

/// Citations, latest publication first (undated last), after the `(published, id)` of the
/// last row of the previous page.
pub async fn list(
    conn: &mut PgConnection,
    filter: &CitationFilter,
    after: Option<(Option<NaiveDate>, Uuid)>,
    limit: i64,
) -> Result<Vec<CitationRow>> {
    let has_cursor = after.is_some();
    let (after_date, after_id) = match after {
        Some((date, id)) => (date, Some(id)),
        None => (None, None),
    };
    Ok(sqlx::query_as!(
        CitationRow,
        r#"SELECT id, source, url, title, authors, published_date,
                  published_precision AS "published_precision: DatePrecision", accessed_on,
                  language, excerpt, archive_url, created_at, updated_at
           FROM citations
           WHERE ($1::text IS NULL OR search @@ websearch_to_tsquery('english', $1))
             AND ($2::text IS NULL OR lower(language) = lower($2) OR lower(language) LIKE lower($2) || '-%')
             AND (($3::date IS NULL AND $4::date IS NULL) OR (published_date IS NOT NULL AND
                  daterange(published_date, partial_date_after(published_date, published_precision), '[)')
                  && daterange($3, $4, '[)')))
             AND (NOT $5 OR CASE
                   WHEN $6::date IS NULL THEN published_date IS NULL AND id < $7
                   ELSE published_date < $6 OR (published_date = $6 AND id < $7) OR published_date IS NULL
                 END)
           ORDER BY published_date DESC NULLS LAST, id DESC
           LIMIT $8"#,
        filter.q.as_deref(),
        filter.language.as_deref(),
        filter.from,
        filter.until,
        has_cursor,
        after_date,
        after_id as Option<Uuid>,
        limit + 1
    )
    .fetch_all(conn)
    .await?)
}

pub async fn delete(conn: &mut PgConnection, id: Uuid) -> Result<()> {
    sqlx::query!("DELETE FROM citations WHERE id = $1", id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A record that cites a citation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CitingRow {
    pub resource: Resource,
    pub id: Uuid,
    /// The actor a role is listed under, for its URL.
    pub parent_id: Option<Uuid>,
    pub date: Option<NaiveDate>,
    pub precision: Option<DatePrecision>,
    pub label: String,
    pub locator: Option<String>,
    pub quote: Option<String>,
}

impl CitingRow {
    pub fn referrer(&self) -> Referrer {
        Referrer {
            resource: self.resource,
            id: self.id,
            holder: self.parent_id,
        }
    }
}

/// The claims that cite a citation ([`tables::cited`] says how each kind reads), ordered by
/// kind then id, after `(kind, id)` of the last row of the previous page.
pub async fn citing(
    conn: &mut PgConnection,
    citation: Uuid,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> Result<Vec<CitingRow>> {
    let branches: Vec<String> = Claim::all()
        .map(|claim| {
            let kind = claim.resource();
            let (links, owner) = links::table_and_owner(claim);
            let cited = tables::cited(claim);
            let holder =
                tables::holder_column(kind).map_or("NULL::uuid".into(), |h| format!("t.{h}"));
            format!(
                "SELECT '{kind}' AS resource, t.id, {holder} AS parent_id, {date} AS date,
                        {precision} AS precision, {label} AS label, l.locator, l.quote
                 FROM {links} l JOIN {table} t ON t.id = l.{owner}
                 WHERE l.citation_id = $1",
                date = cited.date,
                precision = cited.precision,
                label = cited.label,
                table = kind.plural(),
            )
        })
        .collect();
    let (after_kind, after_id) = after.unzip();
    Ok(sqlx::query_as::<_, CitingRow>(&format!(
        "SELECT * FROM ({}) citing
         WHERE $2::text IS NULL OR (resource, id) > ($2, $3)
         ORDER BY resource, id
         LIMIT $4",
        branches.join(" UNION ALL ")
    ))
    .bind(citation)
    .bind(after_kind)
    .bind(after_id)
    .bind(limit + 1)
    .fetch_all(conn)
    .await?)
}
