//! SQL for statements.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use super::columns::{check_written, column, ids, json_list, position};
use super::rows::{Listed, Select};
use super::{Referrer, Result};
use crate::domain::{
    ActorKind, DatePrecision, LanguageTag, PartialDate, Resource, Stance, StatementKind,
    StatementText, Topic,
};

/// A statement as stored, with summaries of its speaker and of whom it was made for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatementRow {
    pub id: Uuid,
    pub speaker_id: Uuid,
    pub speaker_slug: String,
    pub speaker_name: String,
    pub speaker_kind: ActorKind,
    pub on_behalf_of_id: Option<Uuid>,
    pub on_behalf_of_slug: Option<String>,
    pub on_behalf_of_name: Option<String>,
    pub on_behalf_of_kind: Option<ActorKind>,
    pub on_behalf_of_role_id: Option<Uuid>,
    pub stated_date: NaiveDate,
    pub stated_precision: DatePrecision,
    pub kind: StatementKind,
    pub text: String,
    pub verbatim: bool,
    pub language: Option<String>,
    pub topics: Vec<String>,
    pub visit_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl StatementRow {
    pub fn stated_on(&self) -> PartialDate {
        PartialDate::new(self.stated_date, self.stated_precision)
    }
}

/// A subject of a statement.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubjectRow {
    pub statement_id: Uuid,
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: ActorKind,
    pub stance: Stance,
}

/// The fields of a statement a client writes, valid by construction (references checked).
#[derive(Debug, Clone)]
pub struct StatementFields {
    pub speaker_id: Uuid,
    pub on_behalf_of_id: Option<Uuid>,
    pub on_behalf_of_role_id: Option<Uuid>,
    pub stated_on: PartialDate,
    pub kind: StatementKind,
    pub text: StatementText,
    pub verbatim: bool,
    pub language: Option<LanguageTag>,
    pub topics: Vec<Topic>,
    pub subjects: Vec<(Uuid, Stance)>,
    pub visit_id: Option<Uuid>,
}

#[derive(Debug, Default)]
pub struct StatementFilter {
    /// Speaker, on behalf of, or subject.
    pub actor: Option<Uuid>,
    pub speaker: Option<Uuid>,
    pub on_behalf_of: Option<Uuid>,
    pub subject: Option<Uuid>,
    pub kind: Option<StatementKind>,
    pub topic: Option<String>,
    /// The country of the speaker or of whom the statement was made for.
    pub country: Option<String>,
    pub citation: Option<Uuid>,
    pub visit: Option<Uuid>,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub q: Option<String>,
}

/// Writes statements and their subjects: new ones, or with `replace` the new fields of
/// existing ones (their rows locked by the caller). Whom a statement given none was made for
/// is derived from its speaker's roles. Three statements whatever their number, four when
/// replacing.
pub async fn write(
    conn: &mut PgConnection,
    rows: &[(Uuid, StatementFields)],
    replace: bool,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids = ids(rows);
    let written = sqlx::query!(
        "INSERT INTO statements AS s (id, speaker_id, on_behalf_of_id, on_behalf_of_role_id,
                                      stated_date, stated_precision, kind, text, verbatim,
                                      language, topics, visit_id)
         SELECT t.id, t.speaker_id, t.on_behalf_of_id, t.on_behalf_of_role_id, t.stated_date,
                t.stated_precision, t.kind, t.text, t.verbatim, t.language,
                ARRAY(SELECT e FROM json_array_elements_text(t.topics::json) WITH ORDINALITY AS x(e, n) ORDER BY n),
                t.visit_id
         FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::date[],
                     $6::date_precision[], $7::statement_kind[], $8::text[], $9::bool[],
                     $10::text[], $11::text[], $12::uuid[])
              AS t(id, speaker_id, on_behalf_of_id, on_behalf_of_role_id, stated_date,
                   stated_precision, kind, text, verbatim, language, topics, visit_id)
         ON CONFLICT (id) DO UPDATE SET
             speaker_id = excluded.speaker_id, on_behalf_of_id = excluded.on_behalf_of_id,
             on_behalf_of_role_id = excluded.on_behalf_of_role_id,
             stated_date = excluded.stated_date, stated_precision = excluded.stated_precision,
             kind = excluded.kind, text = excluded.text, verbatim = excluded.verbatim,
             language = excluded.language, topics = excluded.topics, visit_id = excluded.visit_id,
             version = s.version + 1, updated_at = now()
         WHERE $13",
        &ids,
        &column(rows, |f| f.speaker_id),
        &column(rows, |f| f.on_behalf_of_id) as &[Option<Uuid>],
        &column(rows, |f| f.on_behalf_of_role_id) as &[Option<Uuid>],
        &column(rows, |f| f.stated_on.first_day()),
        &column(rows, |f| f.stated_on.precision()) as &[DatePrecision],
        &column(rows, |f| f.kind) as &[StatementKind],
        &column(rows, |f| f.text.as_str()) as &[&str],
        &column(rows, |f| f.verbatim),
        &column(rows, |f| f.language.as_ref().map(LanguageTag::as_str)) as &[Option<&str>],
        &column(rows, |f| json_list(&f.topics)),
        &column(rows, |f| f.visit_id) as &[Option<Uuid>],
        replace,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    check_written("statements", rows.len(), written)?;
    if replace {
        sqlx::query!(
            "DELETE FROM statement_subjects WHERE statement_id = ANY($1)",
            &ids
        )
        .execute(&mut *conn)
        .await?;
    }
    let (mut statement, mut actor, mut stance, mut positions) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (id, fields) in rows {
        for (i, (subject, subject_stance)) in fields.subjects.iter().enumerate() {
            statement.push(*id);
            actor.push(*subject);
            stance.push(*subject_stance);
            positions.push(position(i));
        }
    }
    if !statement.is_empty() {
        sqlx::query!(
            "INSERT INTO statement_subjects (statement_id, actor_id, stance, position)
             SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::stance[], $4::int2[])",
            &statement,
            &actor,
            &stance as &[Stance],
            &positions,
        )
        .execute(&mut *conn)
        .await?;
    }
    let unattributed: Vec<Uuid> = rows
        .iter()
        .filter(|(_, f)| f.on_behalf_of_id.is_none())
        .map(|(id, _)| *id)
        .collect();
    derive_attribution(conn, &unattributed).await
}

/// Derives whom statements given none were made for: the state or organization of the role
/// each speaker held on the statement's date, a role in a state first, then the latest
/// start. One statement for all of them.
async fn derive_attribution(conn: &mut PgConnection, ids: &[Uuid]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "UPDATE statements s SET on_behalf_of_id = a.of_actor_id, on_behalf_of_role_id = a.role_id
         FROM (SELECT DISTINCT ON (s.id) s.id, r.id AS role_id, r.of_actor_id
               FROM statements s
               JOIN roles r ON r.actor_id = s.speaker_id AND r.period && s.period
               JOIN actors o ON o.id = r.of_actor_id
               WHERE s.id = ANY($1)
               ORDER BY s.id, (o.kind = 'state') DESC, r.start_date DESC NULLS LAST, r.id DESC) a
         WHERE s.id = a.id",
        ids
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Statements with summaries of their speaker and of whom they were made for: what every
/// read of statements selects.
const ROWS: Select = Select {
    sql: "SELECT s.id, s.speaker_id, sp.slug AS speaker_slug, sp.name AS speaker_name,
            sp.kind AS speaker_kind, s.on_behalf_of_id, ob.slug AS on_behalf_of_slug,
            ob.name AS on_behalf_of_name, ob.kind AS on_behalf_of_kind, s.on_behalf_of_role_id,
            s.stated_date, s.stated_precision, s.kind, s.text, s.verbatim, s.language, s.topics,
            s.visit_id, s.created_at, s.updated_at
        FROM statements s
        JOIN actors sp ON sp.id = s.speaker_id
        LEFT JOIN actors ob ON ob.id = s.on_behalf_of_id",
    table: "statements",
    alias: "s",
};

/// How statements are read: `rows::by_ids`, `rows::find` and `rows::list` of this.
pub struct Statements;

impl Listed for Statements {
    type Row = StatementRow;
    type Filter = StatementFilter;
    const ROWS: Select = ROWS;
    const DATE: &'static str = "stated_date";

    fn push_filter(query: &mut QueryBuilder<'_, Postgres>, filter: &StatementFilter) {
        let subject_is = |query: &mut QueryBuilder<'_, Postgres>, actor: Uuid| {
            query
                .push("EXISTS (SELECT 1 FROM statement_subjects x WHERE x.statement_id = s.id AND x.actor_id = ")
                .push_bind(actor)
                .push(")");
        };
        if let Some(actor) = filter.actor {
            query
                .push(" AND (s.speaker_id = ")
                .push_bind(actor)
                .push(" OR s.on_behalf_of_id = ")
                .push_bind(actor)
                .push(" OR ");
            subject_is(query, actor);
            query.push(")");
        }
        if let Some(speaker) = filter.speaker {
            query.push(" AND s.speaker_id = ").push_bind(speaker);
        }
        if let Some(on_behalf_of) = filter.on_behalf_of {
            query
                .push(" AND s.on_behalf_of_id = ")
                .push_bind(on_behalf_of);
        }
        if let Some(subject) = filter.subject {
            query.push(" AND ");
            subject_is(query, subject);
        }
        if let Some(kind) = filter.kind {
            query.push(" AND s.kind = ").push_bind(kind);
        }
        if let Some(topic) = &filter.topic {
            query
                .push(" AND s.topics @> ARRAY[")
                .push_bind(topic.clone())
                .push("]::text[]");
        }
        if let Some(country) = &filter.country {
            query
                .push(" AND EXISTS (SELECT 1 FROM actors c WHERE c.id IN (s.speaker_id, s.on_behalf_of_id) AND c.country_code = ")
                .push_bind(country.clone())
                .push(")");
        }
        if let Some(citation) = filter.citation {
            query
                .push(" AND EXISTS (SELECT 1 FROM statement_citations c WHERE c.statement_id = s.id AND c.citation_id = ")
                .push_bind(citation)
                .push(")");
        }
        if let Some(visit) = filter.visit {
            query.push(" AND s.visit_id = ").push_bind(visit);
        }
        if filter.from.is_some() || filter.until.is_some() {
            query
                .push(" AND s.period && daterange(")
                .push_bind(filter.from)
                .push("::date, ")
                .push_bind(filter.until)
                .push("::date, '[)')");
        }
        if let Some(q) = &filter.q {
            query
                .push(" AND s.search @@ websearch_to_tsquery('english', ")
                .push_bind(q.clone())
                .push(")");
        }
    }
}

/// The subjects of many statements, in one query, in each statement's order.
pub async fn subjects(conn: &mut PgConnection, statements: &[Uuid]) -> Result<Vec<SubjectRow>> {
    if statements.is_empty() {
        return Ok(Vec::new());
    }
    // For one statement, `= $1` rather than `= ANY($1)`: see links::load.
    if let [statement] = statements {
        return Ok(sqlx::query_as!(
            SubjectRow,
            r#"SELECT x.statement_id, a.id, a.slug, a.name, a.kind AS "kind: ActorKind", x.stance AS "stance: Stance"
               FROM statement_subjects x JOIN actors a ON a.id = x.actor_id
               WHERE x.statement_id = $1
               ORDER BY x.position"#,
            statement
        )
        .fetch_all(conn)
        .await?);
    }
    Ok(sqlx::query_as!(
        SubjectRow,
        r#"SELECT x.statement_id, a.id, a.slug, a.name, a.kind AS "kind: ActorKind", x.stance AS "stance: Stance"
           FROM statement_subjects x JOIN actors a ON a.id = x.actor_id
           WHERE x.statement_id = ANY($1)
           ORDER BY x.statement_id, x.position"#,
        statements
    )
    .fetch_all(conn)
    .await?)
}

pub async fn delete(conn: &mut PgConnection, id: Uuid) -> Result<()> {
    sqlx::query!("DELETE FROM statements WHERE id = $1", id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A column of statements that names another record a statement depends on.
#[derive(Debug, Clone, Copy)]
pub enum Dependency {
    /// The visit it was made during.
    Visit,
    /// The role its attribution was derived from.
    Role,
}

/// The statements (at most `limit`) that depend on a record: what stands in the way of
/// deleting it.
pub async fn depending_on(
    conn: &mut PgConnection,
    on: Dependency,
    id: Uuid,
    limit: i64,
) -> Result<Vec<Referrer>> {
    let column = match on {
        Dependency::Visit => "visit_id",
        Dependency::Role => "on_behalf_of_role_id",
    };
    let ids: Vec<Uuid> = sqlx::query_scalar(&format!(
        "SELECT id FROM statements WHERE {column} = $1 ORDER BY id LIMIT $2"
    ))
    .bind(id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(ids
        .into_iter()
        .map(|id| Referrer {
            resource: Resource::Statement,
            id,
            holder: None,
        })
        .collect())
}
