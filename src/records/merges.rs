//! Merging a duplicate actor into the one that stays: every reference moves, the merged
//! actor's names and ids join the survivor's, and its id and slug lead to the survivor.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{ActorAlias, ActorKey, Alias, Resource};
use crate::error::{ApiError, Result};
use crate::store::actors::{self as store, ActorFields};
use crate::store::changes::{self, Operation};
use crate::store::merges;

use super::actors::{self, Actor};
use super::fields::unique;
use super::kinds::{ForKind, for_kind};
use super::record::{Record, body, record_change, reference, referred_meanwhile};

/// The most aliases an actor may have, as a client may write them.
const MAX_ALIASES: usize = 50;

/// Which actor a merged one goes into.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"into": "kassym-jomart-tokayev"}))]
pub struct MergeInto {
    /// The actor that stays: id or slug.
    #[schema(
        max_length = 64,
        pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[a-z0-9]+(-[a-z0-9]+)*)$"
    )]
    pub into: String,
}

/// Where a merge of `from` into `into` stands: what a repeated request should answer.
pub enum Target {
    /// `from` exists: merge it.
    Merge(Actor),
    /// `from` was already merged into this actor: the merge is done.
    Done(Actor),
}

impl MergeInto {
    /// The actor that stays, as a key; not an id or slug is a 400, before anything is read.
    pub fn key(&self) -> Result<ActorKey> {
        ActorKey::parse(&self.into).map_err(|e| ApiError::invalid_field("#/into", e))
    }
}

/// The actor named by `into`, with its row locked, or 422.
async fn survivor(conn: &mut PgConnection, into: &ActorKey) -> Result<Actor> {
    // An actor merged away already stands for the one it went into.
    let id = match store::resolve_merged(&mut *conn, into).await? {
        Some(id) => id,
        None => return Err(ApiError::unprocessable_field("#/into", into.missing())),
    };
    actors::load(conn, &ActorKey::Id(id), true).await
}

/// What the merge of the actor `from` names into `into` finds: the actor to merge (locked),
/// or, when `from` was merged into that same actor already, the survivor (a repeated merge
/// answers the same). Anything else missing is a 404.
pub async fn target(conn: &mut PgConnection, from: &ActorKey, into: &ActorKey) -> Result<Target> {
    match actors::load(&mut *conn, from, true).await {
        Ok(actor) => Ok(Target::Merge(actor)),
        Err(ApiError::NotFound(detail)) => {
            let survivor = survivor(&mut *conn, into).await;
            match (merges::redirected(conn, from).await?, survivor) {
                (Some((led_to, _)), Ok(survivor)) if led_to == survivor.id => {
                    Ok(Target::Done(survivor))
                }
                _ => Err(ApiError::NotFound(detail)),
            }
        }
        Err(other) => Err(other),
    }
}

/// Merges `from` (loaded and locked) into the actor `into` names, in the caller's
/// transaction, and returns the survivor as it now reads. Refused with a 409, with nothing
/// changed, when more than `max_records` records refer to `from`, or, listing them, when
/// records would break a rule (a role of one in the other, a visit of one to the other, a
/// statement about both with different stances).
pub async fn merge(
    conn: &mut PgConnection,
    from: Actor,
    into: &ActorKey,
    by: &str,
    max_records: u64,
) -> Result<Actor> {
    let survivor = survivor(&mut *conn, into).await?;
    if survivor.id == from.id {
        return Err(ApiError::unprocessable_field(
            "#/into",
            "names the actor being merged; merge it into another",
        ));
    }
    // One transaction holds back the change feed for everyone until it commits: a merge that
    // would take long is refused before any work (a count, in milliseconds).
    let (_, records) = store::references(&mut *conn, from.id, 1).await?;
    if records.unsigned_abs() > max_records {
        return Err(ApiError::conflict(format!(
            "merging `{}` into `{}` would move {records} records that refer to it, more than the \
             {max_records} one merge may move (one transaction, during which the change feed \
             waits); move some of them to `{}` first (a PATCH of each), then merge, \
             or ask the operator to raise CHANCERY_MERGE_MAX_RECORDS",
            from.slug, survivor.slug, survivor.slug
        )));
    }
    let conflicts = merges::conflicts(&mut *conn, from.id, survivor.id).await?;
    if !conflicts.is_empty() {
        return Err(ApiError::Conflict {
            detail: format!(
                "merging `{}` into `{}` would leave {} record(s) with an actor related to itself \
                 (a role in itself, a visit to itself, two stances toward itself, an interaction \
                 toward itself); change them first",
                from.slug,
                survivor.slug,
                conflicts.len()
            ),
            references: conflicts.iter().map(reference).collect(),
        });
    }
    let fields = merged_fields(&survivor, &from)?;

    let moved = merges::move_references(&mut *conn, from.id, survivor.id).await?;
    // Redirects first: those leading to `from` go with it when it is deleted (they cascade),
    // so they must lead to the survivor by then.
    merges::redirect(&mut *conn, from.id, from.slug.as_str(), survivor.id).await?;
    store::delete(&mut *conn, from.id)
        .await
        .map_err(|e| referred_meanwhile(e, "other records started referring to this actor"))?;
    store::write(&mut *conn, &[(survivor.id, fields.clone())], true)
        .await
        .map_err(|e| actors::refused(e, &fields))?;

    // The change feed: the merge, then every record that now reads differently.
    changes::record_merge(&mut *conn, Resource::Actor, from.id, survivor.id, by).await?;
    for (gone, kept) in &moved.folded {
        changes::record_merge(&mut *conn, Resource::Role, *gone, *kept, by).await?;
    }
    let mut holders = BTreeSet::new();
    for (kind, ids) in &moved.records {
        let updates = RecordUpdates {
            conn: &mut *conn,
            ids,
            by,
            holders: &mut holders,
        };
        for_kind(*kind, updates).await?;
    }
    holders.remove(&survivor.id);
    for holder in holders {
        actors::record_update(&mut *conn, holder, by).await?;
    }
    let merged = actors::load(&mut *conn, &ActorKey::Id(survivor.id), false).await?;
    record_change(
        conn,
        Resource::Actor,
        merged.id,
        Operation::Update,
        by,
        &body(&merged)?,
    )
    .await?;
    Ok(merged)
}

/// Records an update of each record of one kind in the change feed, noting the actors that
/// embed them.
struct RecordUpdates<'a> {
    conn: &'a mut PgConnection,
    ids: &'a [Uuid],
    by: &'a str,
    holders: &'a mut BTreeSet<Uuid>,
}

impl ForKind for RecordUpdates<'_> {
    type Output = Result<()>;

    async fn apply<R: Record>(self) -> Result<()> {
        for record in R::load_many(&mut *self.conn, self.ids).await? {
            self.holders.extend(record.holder());
            let body = body(&record)?;
            record_change(
                self.conn,
                R::RESOURCE,
                record.id(),
                Operation::Update,
                self.by,
                &body,
            )
            .await?;
        }
        Ok(())
    }
}

/// The survivor's fields with the merged actor's: its name and aliases join the survivor's
/// aliases, and its Wikidata id and country code fill the survivor's where it has none.
fn merged_fields(survivor: &Actor, from: &Actor) -> Result<ActorFields> {
    let mut aliases = survivor.aliases.clone();
    aliases.push(ActorAlias::plain(Alias::stored(
        from.name.as_str().to_owned(),
    )));
    aliases.extend(from.aliases.iter().cloned());
    let aliases: Vec<ActorAlias> = unique(aliases)
        .into_iter()
        .filter(|a| {
            a.name.as_str() != survivor.name.as_str() || a.start.is_some() || a.end.is_some()
        })
        .collect();
    if aliases.len() > MAX_ALIASES {
        return Err(ApiError::conflict(format!(
            "the two actors have {} aliases between them, more than {MAX_ALIASES}; remove some first",
            aliases.len()
        )));
    }
    Ok(ActorFields {
        slug: survivor.slug.clone(),
        kind: survivor.kind,
        name: survivor.name.clone(),
        aliases,
        country_code: survivor.country_code.or(from.country_code),
        wikidata_id: survivor
            .wikidata_id
            .clone()
            .or_else(|| from.wikidata_id.clone()),
        description: survivor.description.clone(),
    })
}
