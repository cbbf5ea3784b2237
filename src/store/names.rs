//! SQL for resolving names: the names actors answer to that are like a given one.

use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use super::Result;
use crate::domain::{ActorKind, AliasKind};

/// Bounds every statement of the current transaction to `budget` (PostgreSQL cancels one that
/// runs longer, with SQLSTATE 57014), below the service's own statement timeout.
pub async fn limit_time(conn: &mut PgConnection, budget: std::time::Duration) -> Result<()> {
    let millis = budget.as_millis().max(1).to_string();
    sqlx::query("SELECT set_config('statement_timeout', $1, true)")
        .bind(millis)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether a statement was cancelled for running past its time.
pub fn ran_out_of_time(error: &super::StoreError) -> bool {
    match error {
        super::StoreError::Database(sqlx::Error::Database(db)) => {
            db.code().is_some_and(|code| code == "57014")
        }
        _ => false,
    }
}

/// A name of an actor found for one of the names looked up.
#[derive(Debug, Clone)]
pub struct NameRow {
    /// Which of the names looked up (0-based).
    pub query: i64,
    pub actor_id: Uuid,
    pub slug: String,
    pub actor_name: String,
    pub actor_kind: ActorKind,
    /// 0 for the actor's own name, 1… for its aliases, -1 for its slug.
    pub position: i16,
    pub name: String,
    /// The name folded by `domain::search_key`, as stored.
    pub key: String,
    pub kind: Option<AliasKind>,
    /// The days the name was in use, `[from, until)`; open where absent.
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// Trigram similarity with the folded name looked up: the greater of whole-name and
    /// best-word similarity.
    pub similarity: f32,
}

/// For each folded key (with the slug it would make, if any), up to `per_name` names whose
/// keys equal it or are similar to it by trigrams, most similar first, and the actor whose
/// slug it is. `kind` keeps actors of that kind only.
pub async fn similar(
    conn: &mut PgConnection,
    keys: &[String],
    slugs: &[Option<String>],
    kind: Option<ActorKind>,
    per_name: i64,
) -> Result<Vec<NameRow>> {
    Ok(sqlx::query_as!(
        NameRow,
        r#"SELECT q.i - 1 AS "query!", c.actor_id AS "actor_id!", a.slug, a.name AS actor_name,
                  a.kind AS "actor_kind: ActorKind", c.position AS "position!", c.name AS "name!", c.key AS "key!",
                  c.kind AS "kind: AliasKind", lower(c.valid) AS "from", upper(c.valid) AS "until",
                  c.similarity AS "similarity!"
           FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS q(key, slug, i)
           CROSS JOIN LATERAL (
               (SELECT n.actor_id, n.position, n.name, n.key, n.kind, n.valid,
                       greatest(similarity(n.key, q.key), word_similarity(q.key, n.key)) AS similarity
                FROM actor_names n
                WHERE q.key <> '' AND (n.key = q.key OR n.key % q.key OR q.key <% n.key)
                  -- A lookup per name found, not a join: joined, the planner would read
                  -- every actor to hash them when it cannot tell how many names match.
                  AND ($3::actor_kind IS NULL
                       OR EXISTS (SELECT 1 FROM actors o WHERE o.id = n.actor_id AND o.kind = $3))
                ORDER BY similarity DESC, n.actor_id, n.position
                LIMIT $4)
               UNION ALL
               (SELECT o.id, -1::int2, o.slug, o.slug, NULL::alias_kind, NULL::daterange, 1::real
                FROM actors o
                WHERE o.slug = q.slug AND ($3::actor_kind IS NULL OR o.kind = $3))
           ) c
           JOIN actors a ON a.id = c.actor_id
           ORDER BY q.i, c.similarity DESC, c.position"#,
        keys,
        slugs as &[Option<String>],
        kind as Option<ActorKind>,
        per_name
    )
    .fetch_all(conn)
    .await?)
}
