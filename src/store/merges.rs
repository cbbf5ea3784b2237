//! SQL for merging one actor into another: what stands in the way, moving every reference,
//! and the redirects that merged ids and slugs leave behind.

use sqlx::PgConnection;
use uuid::Uuid;

use super::{Referrer, Result, tables};
use crate::domain::{ActorKey, Resource};

/// The records a merge of `from` into `into` would break (at most 100): those
/// [`tables::merge_conflicts`] finds in each kind.
pub async fn conflicts(conn: &mut PgConnection, from: Uuid, into: Uuid) -> Result<Vec<Referrer>> {
    let branches: Vec<String> = Resource::ALL
        .into_iter()
        .filter_map(|kind| {
            let found = tables::merge_conflicts(kind)?;
            let holder =
                tables::holder_column(kind).map_or("NULL::uuid".into(), |h| format!("t.{h}"));
            Some(format!(
                "SELECT '{kind}' AS resource, t.id, {holder} AS holder
                 FROM {table} t WHERE t.id IN ({found})",
                table = kind.plural()
            ))
        })
        .collect();
    let rows: Vec<(Resource, Uuid, Option<Uuid>)> = sqlx::query_as(&format!(
        "SELECT resource, id, holder FROM ({}) found ORDER BY resource, id LIMIT 100",
        branches.join(" UNION ALL ")
    ))
    .bind(from)
    .bind(into)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(resource, id, holder)| Referrer {
            resource,
            id,
            holder,
        })
        .collect())
}

/// What moving the references changed.
#[derive(Debug, Default)]
pub struct Moved {
    /// The records of each kind that now name the survivor (roles folded away excluded).
    pub records: Vec<(Resource, Vec<Uuid>)>,
    /// Roles that repeated one the survivor had, each with the role it was folded into.
    pub folded: Vec<(Uuid, Uuid)>,
}

impl Moved {
    fn of(&mut self, kind: Resource) -> &mut Vec<Uuid> {
        if let Some(at) = self.records.iter().position(|(k, _)| *k == kind) {
            return &mut self.records[at].1;
        }
        self.records.push((kind, Vec::new()));
        let last = self.records.len() - 1;
        &mut self.records[last].1
    }
}

/// Moves every reference to `from` onto `into`, in every column of every kind that names an
/// actor ([`tables::actor_columns`]): a link table that had both keeps one row. A role that
/// would repeat one already there is folded into it (see [`fold_roles`]). Every record
/// changed gets a new version. The caller has checked [`conflicts`] first.
pub async fn move_references(conn: &mut PgConnection, from: Uuid, into: Uuid) -> Result<Moved> {
    let mut moved = Moved::default();
    for kind in Resource::ALL {
        for column in tables::actor_columns(kind) {
            let ids = if column.is_own() {
                sqlx::query_scalar(&format!(
                    "UPDATE {table} SET {actor} = $2 WHERE {actor} = $1 RETURNING id",
                    table = column.table,
                    actor = column.actor
                ))
                .bind(from)
                .bind(into)
                .fetch_all(&mut *conn)
                .await?
            } else {
                move_links(&mut *conn, column.table, column.record, from, into).await?
            };
            moved.of(kind).extend(ids);
        }
    }
    fold_roles(&mut *conn, into, &mut moved).await?;
    for (kind, ids) in &mut moved.records {
        touch(&mut *conn, kind.plural(), ids).await?;
    }
    moved.records.retain(|(_, ids)| !ids.is_empty());
    Ok(moved)
}

/// Folds each moved role that repeats another of the survivor's (same holder, actor, title,
/// rank and dates) into it, one that was there first preferred: its citations and the
/// statements made in it move along. Repeats among the survivor's own roles are not the
/// merge's business.
async fn fold_roles(conn: &mut PgConnection, into: Uuid, moved: &mut Moved) -> Result<()> {
    let roles = moved.of(Resource::Role).clone();
    let folded = sqlx::query!(
        r#"SELECT id AS "gone!", kept AS "kept!"
           FROM (SELECT id, first_value(id) OVER (
                        PARTITION BY actor_id, of_actor_id, title, rank, start_date, start_precision,
                                     end_date, end_precision
                        ORDER BY id = ANY($2), created_at, id) AS kept
                 FROM roles WHERE actor_id = $1 OR of_actor_id = $1) ranked
           WHERE id <> kept AND id = ANY($2)"#,
        into,
        &roles
    )
    .fetch_all(&mut *conn)
    .await?;
    moved.folded = folded.into_iter().map(|r| (r.gone, r.kept)).collect();
    if moved.folded.is_empty() {
        return Ok(());
    }
    let (gone, kept): (Vec<Uuid>, Vec<Uuid>) = moved.folded.iter().copied().unzip();
    sqlx::query!(
        "INSERT INTO role_citations (role_id, citation_id, position, locator, quote)
         SELECT f.kept, c.citation_id,
                (SELECT coalesce(max(k.position), -1) FROM role_citations k WHERE k.role_id = f.kept)
                  + row_number() OVER (PARTITION BY f.kept ORDER BY c.role_id, c.position),
                c.locator, c.quote
         FROM UNNEST($1::uuid[], $2::uuid[]) AS f(gone, kept)
         JOIN role_citations c ON c.role_id = f.gone
         ON CONFLICT (role_id, citation_id) DO NOTHING",
        &gone,
        &kept
    )
    .execute(&mut *conn)
    .await?;
    let statements = sqlx::query_scalar!(
        "UPDATE statements s SET on_behalf_of_role_id = f.kept
         FROM UNNEST($1::uuid[], $2::uuid[]) AS f(gone, kept)
         WHERE s.on_behalf_of_role_id = f.gone
         RETURNING s.id",
        &gone,
        &kept
    )
    .fetch_all(&mut *conn)
    .await?;
    moved.of(Resource::Statement).extend(statements);
    sqlx::query!("DELETE FROM roles WHERE id = ANY($1)", &gone)
        .execute(&mut *conn)
        .await?;
    let roles = moved.of(Resource::Role);
    roles.retain(|id| !gone.contains(id));
    roles.extend(kept);
    Ok(())
}

/// Moves `from`'s rows of a link table (visitors, subjects) to `into`, keeping one row where
/// both had one; returns the records (`record` column) whose links changed.
async fn move_links(
    conn: &mut PgConnection,
    table: &str,
    record: &str,
    from: Uuid,
    into: Uuid,
) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(&format!(
        "WITH doubled AS (
             DELETE FROM {table} x
             WHERE x.actor_id = $1
               AND EXISTS (SELECT 1 FROM {table} y WHERE y.{record} = x.{record} AND y.actor_id = $2)
             RETURNING x.{record}
         ), moved AS (
             UPDATE {table} x SET actor_id = $2
             WHERE x.actor_id = $1 AND x.{record} NOT IN (SELECT {record} FROM doubled)
             RETURNING x.{record}
         )
         SELECT {record} FROM doubled UNION SELECT {record} FROM moved"
    ))
    .bind(from)
    .bind(into)
    .fetch_all(conn)
    .await?)
}

/// Marks records of `table` changed (a new version), once each, leaving their ids sorted and
/// without repeats.
async fn touch(conn: &mut PgConnection, table: &str, ids: &mut Vec<Uuid>) -> Result<()> {
    ids.sort_unstable();
    ids.dedup();
    sqlx::query(&format!(
        "UPDATE {table} SET version = version + 1, updated_at = now() WHERE id = ANY($1)"
    ))
    .bind(&*ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// Leaves `from`'s id and slug leading to `into`, and moves along the redirects that led to
/// `from`. Call it before `from` is deleted: the redirects leading to it go with it.
pub async fn redirect(conn: &mut PgConnection, from: Uuid, slug: &str, into: Uuid) -> Result<()> {
    sqlx::query!(
        "UPDATE actor_redirects SET into_id = $2 WHERE into_id = $1",
        from,
        into
    )
    .execute(&mut *conn)
    .await?;
    // An actor whose id was merged before may have been created again under it (imports
    // allowed that once): its latest merge is where the id leads.
    sqlx::query!(
        "INSERT INTO actor_redirects (id, slug, into_id) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE
         SET slug = excluded.slug, into_id = excluded.into_id, merged_at = now()",
        from,
        slug,
        into
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Where a merged actor's id or slug leads now, if it was merged (and no actor holds the
/// slug again).
pub async fn redirected(conn: &mut PgConnection, key: &ActorKey) -> Result<Option<(Uuid, String)>> {
    let (id, slug) = match key {
        ActorKey::Id(id) => (Some(*id), None),
        ActorKey::Slug(slug) => (None, Some(slug.as_str())),
    };
    Ok(sqlx::query!(
        r#"SELECT a.id, a.slug FROM actor_redirects r JOIN actors a ON a.id = r.into_id
           WHERE (r.id = $1 OR r.slug = $2)
             AND NOT EXISTS (SELECT 1 FROM actors o WHERE o.id = $1 OR o.slug = $2)
           ORDER BY r.merged_at DESC
           LIMIT 1"#,
        id,
        slug
    )
    .fetch_optional(conn)
    .await?
    .map(|r| (r.id, r.slug)))
}
