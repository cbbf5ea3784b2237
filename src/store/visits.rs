//! SQL for visits.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use super::Result;
use super::columns::{check_written, column, ids, position};
use super::rows::{Listed, Select};
use crate::domain::{
    ActorKind, CountryCode, DatePrecision, Occasion, PartialDate, Place, Summary, VisitKind,
};

/// A visit as stored, with a summary of its host.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitRow {
    pub id: Uuid,
    pub host_id: Uuid,
    pub host_slug: String,
    pub host_name: String,
    pub host_kind: ActorKind,
    pub visitor_principal_id: Option<Uuid>,
    pub visitor_principal_slug: Option<String>,
    pub visitor_principal_name: Option<String>,
    pub visitor_principal_kind: Option<ActorKind>,
    pub place: Option<String>,
    pub country_code: Option<String>,
    pub start_date: NaiveDate,
    pub start_precision: DatePrecision,
    pub end_date: Option<NaiveDate>,
    pub end_precision: Option<DatePrecision>,
    pub kind: VisitKind,
    pub occasion: Option<String>,
    pub summary: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl VisitRow {
    pub fn start(&self) -> PartialDate {
        PartialDate::new(self.start_date, self.start_precision)
    }

    pub fn end(&self) -> Option<PartialDate> {
        PartialDate::from_parts(self.end_date, self.end_precision)
    }
}

/// A visitor of a visit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitorRow {
    pub visit_id: Uuid,
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: ActorKind,
}

/// The fields of a visit a client writes, valid by construction (references checked).
#[derive(Debug, Clone)]
pub struct VisitFields {
    pub visitor_ids: Vec<Uuid>,
    pub host_id: Uuid,
    pub visitor_principal_id: Option<Uuid>,
    pub place: Option<Place>,
    pub country_code: Option<CountryCode>,
    pub start: PartialDate,
    pub end: Option<PartialDate>,
    pub kind: VisitKind,
    pub occasion: Option<Occasion>,
    pub summary: Option<Summary>,
}

#[derive(Debug, Default)]
pub struct VisitFilter {
    /// Visitor or host.
    pub actor: Option<Uuid>,
    pub visitor: Option<Uuid>,
    pub host: Option<Uuid>,
    pub kind: Option<VisitKind>,
    pub country: Option<String>,
    pub citation: Option<Uuid>,
    /// Overlapping this range: first day, and the day after the last.
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub q: Option<String>,
}

/// Writes visits and their visitors: new ones, or with `replace` the new fields of existing
/// ones (their rows locked by the caller). A visit given no country takes its host's. Two
/// statements whatever their number, three when replacing.
pub async fn write(
    conn: &mut PgConnection,
    rows: &[(Uuid, VisitFields)],
    replace: bool,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids = ids(rows);
    let written = sqlx::query!(
        "INSERT INTO visits AS v (id, host_id, place, country_code, start_date, start_precision,
                                  end_date, end_precision, kind, occasion, summary,
                                  visitor_principal_id)
         SELECT t.id, t.host_id, t.place,
                coalesce(t.country_code, (SELECT a.country_code FROM actors a WHERE a.id = t.host_id)),
                t.start_date, t.start_precision, t.end_date, t.end_precision, t.kind, t.occasion,
                t.summary, t.visitor_principal_id
         FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::date[],
                     $6::date_precision[], $7::date[], $8::date_precision[], $9::visit_kind[],
                     $10::text[], $11::text[], $13::uuid[])
              AS t(id, host_id, place, country_code, start_date, start_precision, end_date,
                   end_precision, kind, occasion, summary, visitor_principal_id)
         ON CONFLICT (id) DO UPDATE SET
             host_id = excluded.host_id, place = excluded.place,
             country_code = excluded.country_code, start_date = excluded.start_date,
             start_precision = excluded.start_precision, end_date = excluded.end_date,
             end_precision = excluded.end_precision, kind = excluded.kind,
             occasion = excluded.occasion, summary = excluded.summary,
             visitor_principal_id = excluded.visitor_principal_id,
             version = v.version + 1, updated_at = now()
         WHERE $12",
        &ids,
        &column(rows, |f| f.host_id),
        &column(rows, |f| f.place.as_ref().map(Place::as_str)) as &[Option<&str>],
        &column(rows, |f| f.country_code.as_ref().map(CountryCode::as_str)) as &[Option<&str>],
        &column(rows, |f| f.start.first_day()),
        &column(rows, |f| f.start.precision()) as &[DatePrecision],
        &column(rows, |f| f.end.map(|d| d.first_day())) as &[Option<NaiveDate>],
        &column(rows, |f| f.end.map(|d| d.precision())) as &[Option<DatePrecision>],
        &column(rows, |f| f.kind) as &[VisitKind],
        &column(rows, |f| f.occasion.as_ref().map(Occasion::as_str)) as &[Option<&str>],
        &column(rows, |f| f.summary.as_ref().map(Summary::as_str)) as &[Option<&str>],
        replace,
        &column(rows, |f| f.visitor_principal_id) as &[Option<Uuid>],
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    check_written("visits", rows.len(), written)?;
    if replace {
        sqlx::query!("DELETE FROM visit_visitors WHERE visit_id = ANY($1)", &ids)
            .execute(&mut *conn)
            .await?;
    }
    let (mut visit, mut actor, mut positions) = (Vec::new(), Vec::new(), Vec::new());
    for (id, fields) in rows {
        for (i, visitor) in fields.visitor_ids.iter().enumerate() {
            visit.push(*id);
            actor.push(*visitor);
            positions.push(position(i));
        }
    }
    sqlx::query!(
        "INSERT INTO visit_visitors (visit_id, actor_id, position)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::int2[])",
        &visit,
        &actor,
        &positions,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Visits with a summary of their host: what every read of visits selects.
const ROWS: Select = Select {
    sql: "SELECT v.id, v.host_id, h.slug AS host_slug, h.name AS host_name, h.kind AS host_kind,
            v.visitor_principal_id, p.slug AS visitor_principal_slug,
            p.name AS visitor_principal_name, p.kind AS visitor_principal_kind,
            v.place, v.country_code, v.start_date, v.start_precision, v.end_date, v.end_precision,
            v.kind, v.occasion, v.summary, v.created_at, v.updated_at
        FROM visits v JOIN actors h ON h.id = v.host_id
        LEFT JOIN actors p ON p.id = v.visitor_principal_id",
    table: "visits",
    alias: "v",
};

/// How visits are read: `rows::by_ids`, `rows::find` and `rows::list` of this.
pub struct Visits;

impl Listed for Visits {
    type Row = VisitRow;
    type Filter = VisitFilter;
    const ROWS: Select = ROWS;
    const DATE: &'static str = "start_date";

    fn push_filter(query: &mut QueryBuilder<'_, Postgres>, filter: &VisitFilter) {
        if let Some(actor) = filter.actor {
            query
                .push(" AND (v.host_id = ")
                .push_bind(actor)
                .push(" OR EXISTS (SELECT 1 FROM visit_visitors x WHERE x.visit_id = v.id AND x.actor_id = ")
                .push_bind(actor)
                .push("))");
        }
        if let Some(visitor) = filter.visitor {
            query
                .push(" AND EXISTS (SELECT 1 FROM visit_visitors x WHERE x.visit_id = v.id AND x.actor_id = ")
                .push_bind(visitor)
                .push(")");
        }
        if let Some(host) = filter.host {
            query.push(" AND v.host_id = ").push_bind(host);
        }
        if let Some(kind) = filter.kind {
            query.push(" AND v.kind = ").push_bind(kind);
        }
        if let Some(country) = &filter.country {
            query
                .push(" AND v.country_code = ")
                .push_bind(country.clone());
        }
        if let Some(citation) = filter.citation {
            query
                .push(" AND EXISTS (SELECT 1 FROM visit_citations c WHERE c.visit_id = v.id AND c.citation_id = ")
                .push_bind(citation)
                .push(")");
        }
        if filter.from.is_some() || filter.until.is_some() {
            query
                .push(" AND v.period && daterange(")
                .push_bind(filter.from)
                .push("::date, ")
                .push_bind(filter.until)
                .push("::date, '[)')");
        }
        if let Some(q) = &filter.q {
            query
                .push(" AND v.search @@ websearch_to_tsquery('english', ")
                .push_bind(q.clone())
                .push(")");
        }
    }
}

/// The visitors of many visits, in one query, in each visit's order.
pub async fn visitors(conn: &mut PgConnection, visits: &[Uuid]) -> Result<Vec<VisitorRow>> {
    if visits.is_empty() {
        return Ok(Vec::new());
    }
    // For one visit, `= $1` rather than `= ANY($1)`: see links::load.
    if let [visit] = visits {
        return Ok(sqlx::query_as!(
            VisitorRow,
            r#"SELECT x.visit_id, a.id, a.slug, a.name, a.kind AS "kind: ActorKind"
               FROM visit_visitors x JOIN actors a ON a.id = x.actor_id
               WHERE x.visit_id = $1
               ORDER BY x.position"#,
            visit
        )
        .fetch_all(conn)
        .await?);
    }
    Ok(sqlx::query_as!(
        VisitorRow,
        r#"SELECT x.visit_id, a.id, a.slug, a.name, a.kind AS "kind: ActorKind"
           FROM visit_visitors x JOIN actors a ON a.id = x.actor_id
           WHERE x.visit_id = ANY($1)
           ORDER BY x.visit_id, x.position"#,
        visits
    )
    .fetch_all(conn)
    .await?)
}

pub async fn delete(conn: &mut PgConnection, id: Uuid) -> Result<()> {
    sqlx::query!("DELETE FROM visits WHERE id = $1", id)
        .execute(conn)
        .await?;
    Ok(())
}
