//! SQL for merging one actor into another: what stands in the way, moving every reference,
//! and the redirects that merged ids and slugs leave behind.

use sqlx::PgConnection;
use uuid::Uuid;

use super::actors::ActorKey;
use super::{Referrer, Result};
use crate::domain::Resource;

/// The records a merge of `from` into `into` would break (at most 100): a role of one in the
/// other, a visit of one to the other, a statement about both with different stances.
pub async fn conflicts(conn: &mut PgConnection, from: Uuid, into: Uuid) -> Result<Vec<Referrer>> {
    let rows = sqlx::query!(
        r#"SELECT resource AS "resource!: Resource", id AS "id!", holder
           FROM (
               SELECT 'role' AS resource, r.id, r.actor_id AS holder FROM roles r
               WHERE (r.actor_id = $1 AND r.of_actor_id = $2) OR (r.actor_id = $2 AND r.of_actor_id = $1)
               UNION ALL
               SELECT 'visit', v.id, NULL FROM visits v JOIN visit_visitors x ON x.visit_id = v.id
               WHERE (v.host_id = $1 AND x.actor_id = $2) OR (v.host_id = $2 AND x.actor_id = $1)
               UNION ALL
               SELECT 'statement', a.statement_id, NULL
               FROM statement_subjects a JOIN statement_subjects b ON b.statement_id = a.statement_id
               WHERE a.actor_id = $1 AND b.actor_id = $2 AND a.stance <> b.stance
           ) found
           ORDER BY resource, id
           LIMIT 100"#,
        from,
        into
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Referrer {
            resource: r.resource,
            id: r.id,
            holder: r.holder,
        })
        .collect())
}

/// What moving the references changed.
#[derive(Debug, Default)]
pub struct Moved {
    /// Roles now held by or in the survivor (those folded away excluded).
    pub roles: Vec<Uuid>,
    /// Roles that repeated one the survivor had, each with the role it was folded into.
    pub folded: Vec<(Uuid, Uuid)>,
    pub visits: Vec<Uuid>,
    pub statements: Vec<Uuid>,
}

/// Moves every reference to `from` onto `into`: roles held and of, visits as host and
/// visitor, statements as speaker, on behalf of and subject. A role that would repeat one
/// already there (same holder, actor, title, rank and dates) is folded into it, its
/// citations and the statements made in it moved along; a visitor or subject already there
/// is kept once. The caller has checked [`conflicts`] first.
pub async fn move_references(conn: &mut PgConnection, from: Uuid, into: Uuid) -> Result<Moved> {
    let mut moved = Moved {
        roles: sqlx::query_scalar!(
            "UPDATE roles SET actor_id = CASE WHEN actor_id = $1 THEN $2 ELSE actor_id END,
                              of_actor_id = CASE WHEN of_actor_id = $1 THEN $2 ELSE of_actor_id END,
                              version = version + 1, updated_at = now()
             WHERE actor_id = $1 OR of_actor_id = $1
             RETURNING id",
            from,
            into
        )
        .fetch_all(&mut *conn)
        .await?,
        ..Moved::default()
    };

    // A moved role that repeats another is folded into it, one that was there first
    // preferred; repeats among the survivor's own roles are not the merge's business.
    let folded = sqlx::query!(
        r#"SELECT id AS "gone!", kept AS "kept!"
           FROM (SELECT id, first_value(id) OVER (
                        PARTITION BY actor_id, of_actor_id, title, rank, start_date, start_precision,
                                     end_date, end_precision
                        ORDER BY id = ANY($2), created_at, id) AS kept
                 FROM roles WHERE actor_id = $1 OR of_actor_id = $1) ranked
           WHERE id <> kept AND id = ANY($2)"#,
        into,
        &moved.roles
    )
    .fetch_all(&mut *conn)
    .await?;
    moved.folded = folded.into_iter().map(|r| (r.gone, r.kept)).collect();
    if !moved.folded.is_empty() {
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
        moved.statements = sqlx::query_scalar!(
            "UPDATE statements s SET on_behalf_of_role_id = f.kept
             FROM UNNEST($1::uuid[], $2::uuid[]) AS f(gone, kept)
             WHERE s.on_behalf_of_role_id = f.gone
             RETURNING s.id",
            &gone,
            &kept
        )
        .fetch_all(&mut *conn)
        .await?;
        sqlx::query!("DELETE FROM roles WHERE id = ANY($1)", &gone)
            .execute(&mut *conn)
            .await?;
        moved.roles.retain(|id| !gone.contains(id));
        moved.roles.extend(kept);
    }

    // Visits: as host, then as visitor.
    let mut visits = sqlx::query_scalar!(
        "UPDATE visits SET host_id = $2 WHERE host_id = $1 RETURNING id",
        from,
        into
    )
    .fetch_all(&mut *conn)
    .await?;
    visits.extend(move_links(&mut *conn, "visit_visitors", "visit_id", from, into).await?);
    moved.visits = touch(&mut *conn, "visits", visits).await?;

    // Statements: as speaker or on behalf of, then as subject (`conflicts` refused two
    // different stances).
    let mut statements = sqlx::query_scalar!(
        "UPDATE statements
         SET speaker_id = CASE WHEN speaker_id = $1 THEN $2 ELSE speaker_id END,
             on_behalf_of_id = CASE WHEN on_behalf_of_id = $1 THEN $2 ELSE on_behalf_of_id END
         WHERE speaker_id = $1 OR on_behalf_of_id = $1
         RETURNING id",
        from,
        into
    )
    .fetch_all(&mut *conn)
    .await?;
    statements
        .extend(move_links(&mut *conn, "statement_subjects", "statement_id", from, into).await?);
    statements.extend(moved.statements.iter().copied());
    moved.statements = touch(&mut *conn, "statements", statements).await?;
    Ok(moved)
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

/// Marks records of `table` changed (a new version), once each; returns their ids.
async fn touch(conn: &mut PgConnection, table: &str, mut ids: Vec<Uuid>) -> Result<Vec<Uuid>> {
    ids.sort_unstable();
    ids.dedup();
    sqlx::query(&format!(
        "UPDATE {table} SET version = version + 1, updated_at = now() WHERE id = ANY($1)"
    ))
    .bind(&ids)
    .execute(conn)
    .await?;
    Ok(ids)
}

/// Leaves `from`'s id and slug leading to `into`, and moves along the redirects that led to
/// `from`.
pub async fn redirect(conn: &mut PgConnection, from: Uuid, slug: &str, into: Uuid) -> Result<()> {
    sqlx::query!(
        "UPDATE actor_redirects SET into_id = $2 WHERE into_id = $1",
        from,
        into
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO actor_redirects (id, slug, into_id) VALUES ($1, $2, $3)",
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
