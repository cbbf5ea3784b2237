//! Resolving free-text names to actors: ranked candidates, each with why it matched.
//!
//! The database finds the names that could match (equal or trigram-similar folded keys, and
//! slugs); `domain::score_name` scores each, and the best name of each actor stands for it.

use std::collections::HashMap;
use std::time::Duration;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{ActorKind, Alias, AliasKind, MatchKind, NameQuery, Slug, score_name};
use crate::error::{ApiError, Result};
use crate::store::names::{self as store, NameRow};

use super::fields::bounded;
use super::summary::ActorSummary;

/// The most names one request may resolve.
pub const MAX_NAMES: usize = 1000;
/// The most candidates a name may get.
pub const MAX_CANDIDATES: u32 = 50;
pub const DEFAULT_CANDIDATES: u32 = 5;

/// Names to resolve at once, answered in the same order.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct Names(#[serde(deserialize_with = "bounded::<_, _, 1, MAX_NAMES>")] pub Vec<Alias>);

impl utoipa::PartialSchema for Names {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(utoipa::openapi::Ref::from_schema_name("Alias"))
            .min_items(Some(1))
            .max_items(Some(MAX_NAMES))
            .description(Some(
                "Names to resolve at once, answered in the same order.",
            ))
            .examples([serde_json::json!([
                "President Tokayev",
                "the Kremlin",
                "Türkiye",
                "PRC",
                "Brussels"
            ])])
            .into()
    }
}

impl ToSchema for Names {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push((
            "Alias".to_owned(),
            <Alias as utoipa::PartialSchema>::schema(),
        ));
    }
}

/// How names are resolved.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Only actors of this kind.
    pub kind: Option<ActorKind>,
    /// Names not in use on this day score half.
    pub on: Option<NaiveDate>,
    /// Candidates per name.
    pub limit: u32,
}

/// An actor a name may stand for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Candidate {
    pub actor: ActorSummary,
    /// How well the name matches, from 0 to 1: 1 for the actor's exact name or slug, about
    /// 0.9 for its name or an alias once case, accents, punctuation, script and titles are set
    /// aside, less for a match of some words or a similar spelling; halved when the alias was
    /// not in use on `on`.
    pub score: f64,
    /// Why it matched.
    #[serde(rename = "match")]
    pub match_kind: MatchKind,
    /// The actor's name, alias or slug that matched.
    pub matched: String,
    /// The kind of the alias that matched; absent for the actor's name or slug.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub alias_kind: Option<AliasKind>,
    /// Whether the name that matched was in use on `on` (always true without `on`).
    pub valid: bool,
}

/// The candidates for one name, best first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"name": "President Tokaev", "candidates": [{
    "actor": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0d", "slug": "kassym-jomart-tokayev", "name": "Kassym-Jomart Tokayev", "kind": "person"},
    "score": 0.93, "match": "folded_alias", "matched": "Tokaev", "alias_kind": "transliteration", "valid": true
}]}))]
pub struct Resolution {
    /// The name as given.
    pub name: String,
    pub candidates: Vec<Candidate>,
}

/// Resolves each name to its best candidates, in the order given. A name given several
/// times is looked up once; the whole batch runs within `budget` (a 422 past it).
pub async fn resolve(
    conn: &mut PgConnection,
    names: &[Alias],
    options: Options,
    budget: Duration,
) -> Result<Vec<Resolution>> {
    let (distinct, positions) = distinct(names);
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    store::limit_time(&mut tx, budget).await?;
    let answers = match lookup(&mut tx, &distinct, options).await {
        Err(error) if store::ran_out_of_time(&error) => {
            return Err(ApiError::unprocessable_field(
                "#",
                format!(
                    "resolving {} distinct names takes longer than the {} ms a request may \
                     use; send fewer names at a time",
                    distinct.len(),
                    budget.as_millis()
                ),
            ));
        }
        result => result?,
    };
    tx.commit().await?;
    Ok(positions
        .into_iter()
        .filter_map(|i| answers.get(i).cloned())
        .collect())
}

/// The names once each, in order of first appearance, and where each given name is in them.
fn distinct(names: &[Alias]) -> (Vec<&Alias>, Vec<usize>) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut distinct = Vec::new();
    let positions = names
        .iter()
        .map(|name| {
            *seen.entry(name.as_str()).or_insert_with(|| {
                distinct.push(name);
                distinct.len() - 1
            })
        })
        .collect();
    (distinct, positions)
}

/// The candidates of each (distinct) name.
async fn lookup(
    conn: &mut PgConnection,
    names: &[&Alias],
    options: Options,
) -> std::result::Result<Vec<Resolution>, crate::store::StoreError> {
    let queries: Vec<NameQuery> = names.iter().map(|n| NameQuery::new(n.as_str())).collect();
    let keys: Vec<String> = queries.iter().map(|q| q.key.clone()).collect();
    // A name written as a slug may be one; any other is matched by its folded key.
    let slugs: Vec<Option<String>> = queries
        .iter()
        .map(|q| {
            Slug::parse(q.text.as_str())
                .ok()
                .map(|s| s.as_str().to_owned())
        })
        .collect();
    // More names than asked for: several names of one actor may come first.
    let per_name = i64::from(options.limit.saturating_mul(4).max(20));
    let rows = store::similar(conn, &keys, &slugs, options.kind, per_name).await?;

    let mut best: Vec<HashMap<Uuid, Candidate>> = vec![HashMap::new(); queries.len()];
    for row in rows {
        let Some(query) = usize::try_from(row.query)
            .ok()
            .filter(|&i| i < queries.len())
        else {
            continue;
        };
        let candidate = candidate(&queries[query], row, options.on);
        let slot = best[query].entry(candidate.actor.id);
        slot.and_modify(|current| {
            if stronger_first(&candidate, current).is_lt() {
                *current = candidate.clone();
            }
        })
        .or_insert(candidate);
    }
    Ok(names
        .iter()
        .zip(best)
        .map(|(name, by_actor)| {
            let mut candidates: Vec<Candidate> = by_actor.into_values().collect();
            candidates.sort_by(|a, b| {
                stronger_first(a, b)
                    .then_with(|| a.actor.name.cmp(&b.actor.name))
                    .then(a.actor.id.cmp(&b.actor.id))
            });
            candidates.truncate(usize::try_from(options.limit).unwrap_or(usize::MAX));
            Resolution {
                name: name.as_str().to_owned(),
                candidates,
            }
        })
        .collect())
}

fn candidate(query: &NameQuery, row: NameRow, on: Option<NaiveDate>) -> Candidate {
    let (score, match_kind) = if row.position < 0 {
        (1.0, MatchKind::Slug)
    } else {
        score_name(query, &row.name, &row.key, row.position > 0, row.similarity)
    };
    let valid = on.is_none_or(|day| {
        row.from.is_none_or(|from| from <= day) && row.until.is_none_or(|until| day < until)
    });
    let score = if valid { score } else { score / 2.0 };
    Candidate {
        actor: ActorSummary {
            id: row.actor_id,
            slug: row.slug,
            name: row.actor_name,
            kind: row.actor_kind,
        },
        score: (score * 1000.0).round() / 1000.0,
        match_kind,
        matched: row.name,
        alias_kind: row.kind,
        valid,
    }
}

/// Matches in order of strength: the higher score, then the stronger reason.
fn stronger_first(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    b.score
        .total_cmp(&a.score)
        .then(a.match_kind.cmp(&b.match_kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_given_many_times_is_looked_up_once_and_answered_for_each() {
        let names: Vec<Alias> = ["PRC", "the Kremlin", "PRC", "PRC", "Ankara", "the Kremlin"]
            .into_iter()
            .filter_map(|n| Alias::parse(n.to_owned()).ok())
            .collect();
        let (distinct, positions) = distinct(&names);
        let distinct: Vec<&str> = distinct.iter().map(|n| n.as_str()).collect();
        assert_eq!(distinct, ["PRC", "the Kremlin", "Ankara"]);
        assert_eq!(positions, [0, 1, 0, 0, 2, 1]);
        let copies = vec![names[0].clone(); MAX_NAMES];
        assert_eq!(super::distinct(&copies).0.len(), 1);
    }
}
