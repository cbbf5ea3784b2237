//! SQL for interactions: what one side did toward another, in PLOVER's vocabulary.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use super::Result;
use super::columns::{check_written, column, ids, json_list, position};
use super::rows::{Listed, Select};
use crate::domain::{
    ActorKind, CountryCode, DatePrecision, InteractionContext, InteractionMode, InteractionSide,
    InteractionType, PartialDate, Place, SourceCode, Summary,
};

/// An interaction as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InteractionRow {
    pub id: Uuid,
    pub event_type: InteractionType,
    pub mode: Option<InteractionMode>,
    pub contexts: Vec<InteractionContext>,
    pub source_code: Option<String>,
    pub start_date: NaiveDate,
    pub start_precision: DatePrecision,
    pub end_date: Option<NaiveDate>,
    pub end_precision: Option<DatePrecision>,
    pub place: Option<String>,
    pub country_code: Option<String>,
    pub summary: Option<String>,
    pub source_principal_id: Option<Uuid>,
    pub source_principal_slug: Option<String>,
    pub source_principal_name: Option<String>,
    pub source_principal_kind: Option<ActorKind>,
    pub target_principal_id: Option<Uuid>,
    pub target_principal_slug: Option<String>,
    pub target_principal_name: Option<String>,
    pub target_principal_kind: Option<ActorKind>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl InteractionRow {
    pub fn start(&self) -> PartialDate {
        PartialDate::new(self.start_date, self.start_precision)
    }

    pub fn end(&self) -> Option<PartialDate> {
        PartialDate::from_parts(self.end_date, self.end_precision)
    }
}

/// An actor on one side of an interaction.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SideRow {
    pub interaction_id: Uuid,
    pub side: InteractionSide,
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: ActorKind,
}

/// The fields of an interaction a client writes, valid by construction.
#[derive(Debug, Clone)]
pub struct InteractionFields {
    pub source_ids: Vec<Uuid>,
    pub target_ids: Vec<Uuid>,
    pub source_principal_id: Option<Uuid>,
    pub target_principal_id: Option<Uuid>,
    pub event_type: InteractionType,
    pub mode: Option<InteractionMode>,
    pub contexts: Vec<InteractionContext>,
    pub source_code: Option<SourceCode>,
    pub start: PartialDate,
    pub end: Option<PartialDate>,
    pub place: Option<Place>,
    pub country_code: Option<CountryCode>,
    pub summary: Option<Summary>,
}

#[derive(Debug, Default)]
pub struct InteractionFilter {
    /// On either side.
    pub actor: Option<Uuid>,
    pub source: Option<Uuid>,
    pub target: Option<Uuid>,
    /// Any of these types (a quad class is the types in it).
    pub event_types: Option<Vec<InteractionType>>,
    pub country: Option<String>,
    pub citation: Option<Uuid>,
    /// Overlapping this range: first day, and the day after the last.
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub q: Option<String>,
}

/// Writes interactions with their actors: new ones, or with `replace` the fields of existing
/// ones (locked by the caller). One statement for the records whatever their number.
pub async fn write(
    conn: &mut PgConnection,
    rows: &[(Uuid, InteractionFields)],
    replace: bool,
) -> Result<()> {
    let written = sqlx::query!(
        r#"INSERT INTO interactions AS i (id, type, mode, contexts, source_code, start_date,
                start_precision, end_date, end_precision, place, country_code, summary,
                source_principal_id, target_principal_id)
           SELECT t.id, t.type, t.mode,
                  ARRAY(SELECT e::interaction_context
                        FROM jsonb_array_elements_text(t.contexts::jsonb) WITH ORDINALITY AS x(e, n)
                        ORDER BY n),
                  t.source_code, t.start_date, t.start_precision, t.end_date, t.end_precision,
                  t.place, t.country_code, t.summary, t.source_principal_id, t.target_principal_id
           FROM UNNEST($1::uuid[], $2::interaction_type[], $3::interaction_mode[], $4::text[],
                       $5::text[], $6::date[], $7::date_precision[], $8::date[],
                       $9::date_precision[], $10::text[], $11::text[], $12::text[],
                       $14::uuid[], $15::uuid[])
                AS t(id, type, mode, contexts, source_code, start_date, start_precision,
                     end_date, end_precision, place, country_code, summary,
                     source_principal_id, target_principal_id)
           ON CONFLICT (id) DO UPDATE
           SET (type, mode, contexts, source_code, start_date, start_precision, end_date,
                end_precision, place, country_code, summary, source_principal_id,
                target_principal_id)
             = (EXCLUDED.type, EXCLUDED.mode, EXCLUDED.contexts, EXCLUDED.source_code,
                EXCLUDED.start_date, EXCLUDED.start_precision, EXCLUDED.end_date,
                EXCLUDED.end_precision, EXCLUDED.place, EXCLUDED.country_code, EXCLUDED.summary,
                EXCLUDED.source_principal_id, EXCLUDED.target_principal_id),
               version = i.version + 1, updated_at = now()
           WHERE $13"#,
        &ids(rows),
        &column(rows, |f| f.event_type) as &[InteractionType],
        &column(rows, |f| f.mode) as &[Option<InteractionMode>],
        &column(rows, |f| contexts(&f.contexts)),
        &column(rows, |f| f.source_code.as_ref().map(SourceCode::as_str)) as &[Option<&str>],
        &column(rows, |f| f.start.first_day()),
        &column(rows, |f| f.start.precision()) as &[DatePrecision],
        &column(rows, |f| f.end.map(|d| d.first_day())) as &[Option<NaiveDate>],
        &column(rows, |f| f.end.map(|d| d.precision())) as &[Option<DatePrecision>],
        &column(rows, |f| f.place.as_ref().map(Place::as_str)) as &[Option<&str>],
        &column(rows, |f| f.country_code.as_ref().map(CountryCode::as_str)) as &[Option<&str>],
        &column(rows, |f| f.summary.as_ref().map(Summary::as_str)) as &[Option<&str>],
        replace,
        &column(rows, |f| f.source_principal_id) as &[Option<Uuid>],
        &column(rows, |f| f.target_principal_id) as &[Option<Uuid>],
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    check_written("interactions", rows.len(), written)?;
    write_sides(conn, rows, replace).await
}

/// A row's contexts as a JSON array (see [`json_list`]).
fn contexts(contexts: &[InteractionContext]) -> String {
    json_list(&contexts.iter().map(|c| c.as_str()).collect::<Vec<_>>())
}

/// The actors on both sides, in each side's order.
async fn write_sides(
    conn: &mut PgConnection,
    rows: &[(Uuid, InteractionFields)],
    replace: bool,
) -> Result<()> {
    if replace {
        sqlx::query!(
            "DELETE FROM interaction_actors WHERE interaction_id = ANY($1)",
            &ids(rows)
        )
        .execute(&mut *conn)
        .await?;
    }
    let (mut interaction, mut actor, mut side, mut positions) = (vec![], vec![], vec![], vec![]);
    for (id, fields) in rows {
        for (which, actors) in [
            (InteractionSide::Source, &fields.source_ids),
            (InteractionSide::Target, &fields.target_ids),
        ] {
            for (i, a) in actors.iter().enumerate() {
                interaction.push(*id);
                actor.push(*a);
                side.push(which);
                positions.push(position(i));
            }
        }
    }
    sqlx::query!(
        "INSERT INTO interaction_actors (interaction_id, actor_id, side, position)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::interaction_side[], $4::int2[])",
        &interaction,
        &actor,
        &side as &[InteractionSide],
        &positions
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What every read of interactions selects.
const ROWS: Select = Select {
    sql: "SELECT i.id, i.type AS event_type, i.mode, i.contexts, i.source_code,
            i.start_date, i.start_precision, i.end_date, i.end_precision, i.place, i.country_code,
            i.summary,
            i.source_principal_id, sp.slug AS source_principal_slug,
            sp.name AS source_principal_name, sp.kind AS source_principal_kind,
            i.target_principal_id, tp.slug AS target_principal_slug,
            tp.name AS target_principal_name, tp.kind AS target_principal_kind,
            i.created_at, i.updated_at
        FROM interactions i
        LEFT JOIN actors sp ON sp.id = i.source_principal_id
        LEFT JOIN actors tp ON tp.id = i.target_principal_id",
    table: "interactions",
    alias: "i",
};

/// How interactions are read: `rows::by_ids`, `rows::find` and `rows::list` of this.
pub struct Interactions;

impl Listed for Interactions {
    type Row = InteractionRow;
    type Filter = InteractionFilter;
    const ROWS: Select = ROWS;
    const DATE: &'static str = "start_date";

    fn push_filter(query: &mut QueryBuilder<'_, Postgres>, filter: &InteractionFilter) {
        let on_side = |query: &mut QueryBuilder<'_, Postgres>,
                       actor,
                       side: Option<InteractionSide>| {
            query
                .push(" AND EXISTS (SELECT 1 FROM interaction_actors x WHERE x.interaction_id = i.id AND x.actor_id = ")
                .push_bind(actor);
            if let Some(side) = side {
                query.push(" AND x.side = ").push_bind(side);
            }
            query.push(")");
        };
        if let Some(actor) = filter.actor {
            on_side(query, actor, None);
        }
        if let Some(source) = filter.source {
            on_side(query, source, Some(InteractionSide::Source));
        }
        if let Some(target) = filter.target {
            on_side(query, target, Some(InteractionSide::Target));
        }
        if let Some(types) = &filter.event_types {
            query
                .push(" AND i.type = ANY(")
                .push_bind(types.clone())
                .push(")");
        }
        if let Some(country) = &filter.country {
            query
                .push(" AND i.country_code = ")
                .push_bind(country.clone());
        }
        if let Some(citation) = filter.citation {
            query
                .push(" AND EXISTS (SELECT 1 FROM interaction_citations c WHERE c.interaction_id = i.id AND c.citation_id = ")
                .push_bind(citation)
                .push(")");
        }
        if filter.from.is_some() || filter.until.is_some() {
            query
                .push(" AND i.period && daterange(")
                .push_bind(filter.from)
                .push("::date, ")
                .push_bind(filter.until)
                .push("::date, '[)')");
        }
        if let Some(q) = &filter.q {
            query
                .push(" AND i.search @@ websearch_to_tsquery('english', ")
                .push_bind(q.clone())
                .push(")");
        }
    }
}

/// The actors of many interactions, in one query, each side in its order.
pub async fn sides(conn: &mut PgConnection, interactions: &[Uuid]) -> Result<Vec<SideRow>> {
    if interactions.is_empty() {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_as!(
        SideRow,
        r#"SELECT x.interaction_id, x.side AS "side: InteractionSide", a.id, a.slug, a.name,
                  a.kind AS "kind: ActorKind"
           FROM interaction_actors x JOIN actors a ON a.id = x.actor_id
           WHERE x.interaction_id = ANY($1)
           ORDER BY x.interaction_id, x.side, x.position"#,
        interactions
    )
    .fetch_all(conn)
    .await?)
}

/// Interactions refer to no other record but actors and citations: nothing stands in the way
/// of deleting one.
pub async fn delete(conn: &mut PgConnection, id: Uuid) -> Result<()> {
    sqlx::query!("DELETE FROM interactions WHERE id = $1", id)
        .execute(conn)
        .await?;
    Ok(())
}
