//! SQL for actors.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::columns::{check_written, column, ids, position};
use super::{Referrer, Result, tables};
use crate::domain::{
    ActorAlias, ActorKey, ActorKind, AliasKind, CountryCode, Description, Name, PartialDate,
    Resource, Slug, WikidataId, search_key,
};

/// An actor as stored.
#[derive(Debug, Clone)]
pub struct ActorRow {
    pub id: Uuid,
    pub slug: String,
    pub kind: ActorKind,
    pub name: String,
    pub aliases: Json<Vec<StoredAlias>>,
    pub country_code: Option<String>,
    pub wikidata_id: Option<String>,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An alias as stored in the actor's `aliases` column: what [`ActorAlias`] serializes to.
#[derive(Debug, Clone, Deserialize)]
pub struct StoredAlias {
    pub name: String,
    pub kind: AliasKind,
    pub start: Option<PartialDate>,
    pub end: Option<PartialDate>,
}

/// The fields of an actor a client writes, valid by construction.
#[derive(Debug, Clone)]
pub struct ActorFields {
    pub slug: Slug,
    pub kind: ActorKind,
    pub name: Name,
    pub aliases: Vec<ActorAlias>,
    pub country_code: Option<CountryCode>,
    pub wikidata_id: Option<WikidataId>,
    pub description: Option<Description>,
}

/// What a list of actors is filtered by.
#[derive(Debug, Default)]
pub struct ActorFilter {
    pub kind: Option<ActorKind>,
    pub country: Option<CountryCode>,
    /// Text to find in names and aliases, already folded by `domain::search_key`; an empty one
    /// matches nothing.
    pub q: Option<String>,
}

/// What `q` searches: the name and every alias, folded.
pub(crate) fn search_text(fields: &ActorFields) -> String {
    let mut text = fields.name.as_str().to_owned();
    for alias in &fields.aliases {
        text.push(' ');
        text.push_str(alias.name.as_str());
    }
    search_key(&text)
}

/// The rows of `actor_names` for actors, as parallel columns for `UNNEST`.
#[derive(Default)]
pub(crate) struct NameRows {
    actor: Vec<Uuid>,
    position: Vec<i16>,
    name: Vec<String>,
    kind: Vec<Option<AliasKind>>,
    key: Vec<String>,
    from: Vec<Option<NaiveDate>>,
    until: Vec<Option<NaiveDate>>,
    dated: Vec<bool>,
}

impl NameRows {
    /// Adds an actor's name (position 0) and its aliases (1, 2, …).
    pub(crate) fn push(&mut self, id: Uuid, name: &str, aliases: &[ActorAlias]) {
        self.push_one(id, 0, name, None, None, None);
        for (n, alias) in aliases.iter().enumerate() {
            let position = position(n + 1);
            self.push_one(
                id,
                position,
                alias.name.as_str(),
                Some(alias.kind),
                alias.start,
                alias.end,
            );
        }
    }

    fn push_one(
        &mut self,
        id: Uuid,
        position: i16,
        name: &str,
        kind: Option<AliasKind>,
        start: Option<PartialDate>,
        end: Option<PartialDate>,
    ) {
        self.actor.push(id);
        self.position.push(position);
        self.name.push(name.to_owned());
        self.kind.push(kind);
        self.key.push(search_key(name));
        self.from.push(start.map(|s| s.first_day()));
        self.until.push(end.map(|e| e.day_after()));
        self.dated.push(start.is_some() || end.is_some());
    }

    /// Stores the names of every actor pushed; with `replace`, in place of the ones they had.
    pub(crate) async fn write(&self, conn: &mut PgConnection, replace: bool) -> Result<()> {
        if replace {
            let mut actors = self.actor.clone();
            actors.dedup();
            sqlx::query!("DELETE FROM actor_names WHERE actor_id = ANY($1)", &actors)
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query!(
            "INSERT INTO actor_names (actor_id, position, name, kind, key, valid)
             SELECT a, p, n, k, y, CASE WHEN d THEN daterange(f, u, '[)') END
             FROM UNNEST($1::uuid[], $2::int2[], $3::text[], $4::alias_kind[], $5::text[],
                         $6::date[], $7::date[], $8::bool[]) AS t(a, p, n, k, y, f, u, d)",
            &self.actor,
            &self.position,
            &self.name,
            &self.kind as &[Option<AliasKind>],
            &self.key,
            &self.from as &[Option<NaiveDate>],
            &self.until as &[Option<NaiveDate>],
            &self.dated,
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

/// Indexes the names of actors written before `actor_names` existed (or by hand), a batch at a
/// time; run after migrations. Returns how many actors it indexed.
pub async fn index_unnamed(pool: &PgPool) -> Result<u64> {
    let mut indexed = 0;
    // In id order from where the last batch ended, so each batch costs the same.
    let mut after = Uuid::nil();
    loop {
        let mut tx = pool.begin().await?;
        let rows = sqlx::query!(
            r#"SELECT a.id, a.name, a.aliases AS "aliases: Json<Vec<StoredAlias>>"
               FROM actors a
               WHERE a.id > $1
                 AND NOT EXISTS (SELECT 1 FROM actor_names n WHERE n.actor_id = a.id)
               ORDER BY a.id LIMIT 1000
               FOR UPDATE"#,
            after
        )
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = rows.last() else {
            return Ok(indexed);
        };
        after = last.id;
        let mut names = NameRows::default();
        for row in &rows {
            let aliases: Vec<ActorAlias> = row
                .aliases
                .0
                .iter()
                .cloned()
                .map(StoredAlias::into_alias)
                .collect();
            names.push(row.id, &row.name, &aliases);
        }
        names.write(&mut tx, false).await?;
        tx.commit().await?;
        indexed += rows.len() as u64;
    }
}

impl StoredAlias {
    /// The alias as the record layer holds it; what was stored parsed when it was written.
    pub fn into_alias(self) -> ActorAlias {
        ActorAlias {
            name: crate::domain::Alias::stored(self.name),
            kind: self.kind,
            start: self.start,
            end: self.end,
        }
    }
}

/// Writes actors and their names: new ones, or with `replace` the new fields of existing ones
/// (their rows locked by the caller). Two statements whatever their number.
pub async fn write(
    conn: &mut PgConnection,
    rows: &[(Uuid, ActorFields)],
    replace: bool,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let aliases = rows
        .iter()
        .map(|(_, f)| serde_json::to_string(&f.aliases))
        .collect::<Result<Vec<String>, _>>()?;
    let written = sqlx::query!(
        "INSERT INTO actors AS a (id, slug, kind, name, aliases, country_code, wikidata_id,
                                  description, search_text)
         SELECT t.id, t.slug, t.kind, t.name, t.aliases::jsonb, t.country_code, t.wikidata_id,
                t.description, t.search_text
         FROM UNNEST($1::uuid[], $2::text[], $3::actor_kind[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::text[], $9::text[])
              AS t(id, slug, kind, name, aliases, country_code, wikidata_id, description, search_text)
         ON CONFLICT (id) DO UPDATE SET
             slug = excluded.slug, kind = excluded.kind, name = excluded.name,
             aliases = excluded.aliases, country_code = excluded.country_code,
             wikidata_id = excluded.wikidata_id, description = excluded.description,
             search_text = excluded.search_text, version = a.version + 1, updated_at = now()
         WHERE $10",
        &ids(rows),
        &column(rows, |f| f.slug.as_str()) as &[&str],
        &column(rows, |f| f.kind) as &[ActorKind],
        &column(rows, |f| f.name.as_str()) as &[&str],
        &aliases,
        &column(rows, |f| f.country_code.as_ref().map(CountryCode::as_str)) as &[Option<&str>],
        &column(rows, |f| f.wikidata_id.as_ref().map(WikidataId::as_str)) as &[Option<&str>],
        &column(rows, |f| f.description.as_ref().map(Description::as_str)) as &[Option<&str>],
        &column(rows, search_text),
        replace,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    check_written("actors", rows.len(), written)?;
    let mut names = NameRows::default();
    for (id, fields) in rows {
        names.push(*id, fields.name.as_str(), &fields.aliases);
    }
    names.write(conn, replace).await
}

/// The id of an actor named by id or slug, if it exists.
pub async fn resolve(conn: &mut PgConnection, key: &ActorKey) -> Result<Option<Uuid>> {
    Ok(match key {
        ActorKey::Id(id) => {
            sqlx::query_scalar!("SELECT id FROM actors WHERE id = $1", id)
                .fetch_optional(conn)
                .await?
        }
        ActorKey::Slug(slug) => {
            sqlx::query_scalar!("SELECT id FROM actors WHERE slug = $1", slug.as_str())
                .fetch_optional(conn)
                .await?
        }
    })
}

/// Like [`resolve`], but an actor merged away names the actor it was merged into: for
/// filters, where an old id or slug still means the same actor.
pub async fn resolve_merged(conn: &mut PgConnection, key: &ActorKey) -> Result<Option<Uuid>> {
    if let Some(id) = resolve(&mut *conn, key).await? {
        return Ok(Some(id));
    }
    Ok(super::merges::redirected(conn, key)
        .await?
        .map(|(id, _)| id))
}

/// Just enough of an actor to show it where another record refers to it.
#[derive(Debug, Clone)]
pub struct ActorSummaryRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: ActorKind,
}

/// Summaries of many actors, in one query.
pub async fn summaries(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<ActorSummaryRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_as!(
        ActorSummaryRow,
        r#"SELECT id, slug, name, kind AS "kind: ActorKind" FROM actors WHERE id = ANY($1)"#,
        ids
    )
    .fetch_all(conn)
    .await?)
}

/// The states and organizations, by name (at most `limit`): whom an analysis is of.
pub async fn principals(conn: &mut PgConnection, limit: i64) -> Result<Vec<ActorSummaryRow>> {
    Ok(sqlx::query_as!(
        ActorSummaryRow,
        r#"SELECT id, slug, name, kind AS "kind: ActorKind" FROM actors
           WHERE kind IN ('state', 'organization') ORDER BY name, id LIMIT $1"#,
        limit
    )
    .fetch_all(conn)
    .await?)
}

/// Actors by id, in no particular order.
pub async fn by_ids(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<ActorRow>> {
    Ok(sqlx::query_as!(
        ActorRow,
        r#"SELECT id, slug, kind AS "kind: ActorKind", name,
                  aliases AS "aliases: Json<Vec<StoredAlias>>", country_code, wikidata_id,
                  description, created_at, updated_at
           FROM actors WHERE id = ANY($1)"#,
        ids
    )
    .fetch_all(conn)
    .await?)
}

/// Finds an actor by id or slug.
pub async fn find(conn: &mut PgConnection, key: &ActorKey) -> Result<Option<ActorRow>> {
    let id = match key {
        ActorKey::Id(id) => *id,
        ActorKey::Slug(_) => match resolve(&mut *conn, key).await? {
            Some(id) => id,
            None => return Ok(None),
        },
    };
    Ok(sqlx::query_as!(
        ActorRow,
        r#"SELECT id, slug, kind AS "kind: ActorKind", name,
                  aliases AS "aliases: Json<Vec<StoredAlias>>", country_code, wikidata_id,
                  description, created_at, updated_at
           FROM actors WHERE id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?)
}

/// Takes a row lock on an actor, found by id or slug, until the transaction ends. By slug,
/// the slug is checked again under the lock: an actor renamed meanwhile is not found.
pub async fn lock(conn: &mut PgConnection, key: &ActorKey) -> Result<Option<Uuid>> {
    Ok(match key {
        ActorKey::Id(id) => {
            sqlx::query_scalar!("SELECT id FROM actors WHERE id = $1 FOR UPDATE", id)
                .fetch_optional(conn)
                .await?
        }
        ActorKey::Slug(slug) => {
            sqlx::query_scalar!(
                "SELECT id FROM actors WHERE slug = $1 FOR UPDATE",
                slug.as_str()
            )
            .fetch_optional(conn)
            .await?
        }
    })
}

/// Actors in name order, after the `(name, id)` of the last row of the previous page.
pub async fn list(
    conn: &mut PgConnection,
    filter: &ActorFilter,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> Result<Vec<ActorRow>> {
    if filter.q.as_deref() == Some("") {
        return Ok(Vec::new());
    }
    let (after_name, after_id) = after.unzip();
    let rows = sqlx::query_as!(
        ActorRow,
        r#"SELECT id, slug, kind AS "kind: ActorKind", name,
                  aliases AS "aliases: Json<Vec<StoredAlias>>", country_code, wikidata_id,
                  description, created_at, updated_at
           FROM actors
           WHERE ($1::actor_kind IS NULL OR kind = $1)
             AND ($2::text IS NULL OR country_code = $2)
             AND ($3::text IS NULL OR search_text LIKE '%' || $3 || '%')
             AND ($4::text IS NULL OR (name, id) > ($4, $5))
           ORDER BY name, id
           LIMIT $6"#,
        filter.kind as Option<ActorKind>,
        filter.country.as_ref().map(CountryCode::as_str),
        filter.q.as_deref(),
        after_name,
        after_id as Option<Uuid>,
        limit + 1
    )
    .fetch_all(conn)
    .await?;
    Ok(rows)
}

/// Deletes an actor. The caller has checked references; the foreign keys catch a race.
pub async fn delete(conn: &mut PgConnection, id: Uuid) -> Result<()> {
    sqlx::query!("DELETE FROM actors WHERE id = $1", id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The records that refer to an actor (at most `limit`), and how many there are in all: every
/// kind's columns that name actors ([`tables::actor_columns`]).
pub async fn references(
    conn: &mut PgConnection,
    id: Uuid,
    limit: i64,
) -> Result<(Vec<Referrer>, i64)> {
    let branches: Vec<String> = Resource::ALL
        .into_iter()
        .flat_map(|kind| {
            tables::actor_columns(kind).iter().map(move |c| {
                let holder = match tables::holder_column(kind) {
                    Some(holder) if c.is_own() => format!("t.{holder}"),
                    _ => "NULL::uuid".into(),
                };
                format!(
                    "SELECT '{kind}' AS resource, t.{record} AS id, {holder} AS holder
                     FROM {table} t WHERE t.{actor} = $1",
                    record = c.record,
                    table = c.table,
                    actor = c.actor
                )
            })
        })
        .collect();
    let rows: Vec<(Resource, Uuid, Option<Uuid>, i64)> = sqlx::query_as(&format!(
        "SELECT resource, id, holder, count(*) OVER ()
         FROM ({}) refs
         ORDER BY resource, id
         LIMIT $2",
        branches.join(" UNION ")
    ))
    .bind(id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    let total = rows.first().map_or(0, |r| r.3);
    let references = rows
        .into_iter()
        .map(|(resource, id, holder, _)| Referrer {
            resource,
            id,
            holder,
        })
        .collect();
    Ok((references, total))
}
