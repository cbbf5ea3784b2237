//! The demo dataset: the seed article (`demo/kazakhstan-2022.json`) as records.
//!
//! The file holds a list of records per kind (`citations`, `actors`, …), each written as a
//! create body of the API, except that the fields naming other records give a slug (for an
//! actor) or a key of the file (for anything else) instead of an id. Every record goes through
//! the same checks and the same write as the API. Each one created is remembered in
//! `seed_records` under its key, so loading again changes nothing; a record whose unique value
//! (an actor's slug, a citation's URL) exists already is used as it is.

use std::collections::HashMap;

use anyhow::{Context, anyhow, bail};
use serde_json::{Map, Value};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::Resource;
use crate::error::ApiError;
use crate::records::kinds::{ForKind, for_kind};
use crate::records::named::each_reference;
use crate::records::{self, Record};
use crate::store::changes::Operation;

/// Who the change feed says made the demo data.
const SEED_AUTHOR: &str = "seed";

pub const DEMO: &str = include_str!("../demo/kazakhstan-2022.json");

/// How many records a load created, by kind.
pub type Loaded = crate::bulk::ImportSummary;

/// Loads the demo dataset in one transaction; returns what it created.
pub async fn load_demo(pool: &PgPool) -> anyhow::Result<Loaded> {
    load(pool, DEMO).await
}

pub async fn load(pool: &PgPool, json: &str) -> anyhow::Result<Loaded> {
    let mut dataset: Map<String, Value> =
        serde_json::from_str(json).context("reading the dataset")?;
    dataset.remove("about");
    let mut tx = pool.begin().await?;
    // One loader at a time (several replicas may start together).
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('chancery seed', 0))")
        .execute(&mut *tx)
        .await?;
    let mut loader = Loader {
        conn: &mut tx,
        ids: HashMap::new(),
        loaded: Loaded::default(),
    };
    for kind in Resource::ALL {
        let entries = match dataset.remove(kind.plural()) {
            Some(Value::Array(entries)) => entries,
            None => Vec::new(),
            Some(_) => bail!("`{}` is not a list", kind.plural()),
        };
        for entry in entries {
            let Value::Object(entry) = entry else {
                bail!("an entry of `{}` is not an object", kind.plural());
            };
            let seeding = Seeding {
                loader: &mut loader,
                entry,
            };
            for_kind(kind, seeding).await?;
        }
    }
    if let Some(field) = dataset.keys().next() {
        bail!("`{field}` is not a kind of record");
    }
    let loaded = loader.loaded;
    tx.commit().await?;
    Ok(loaded)
}

struct Loader<'c> {
    conn: &'c mut PgConnection,
    /// `kind:key` -> id of every record met so far.
    ids: HashMap<String, Uuid>,
    loaded: Loaded,
}

fn api(error: ApiError, what: &str) -> anyhow::Error {
    anyhow!(
        "{what} was refused: {}",
        error.problem().detail.unwrap_or_default()
    )
}

impl Loader<'_> {
    /// The id of the record of `kind` the dataset names by `key` (by slug for an actor).
    fn id(&self, kind: Resource, key: &Value) -> anyhow::Result<Uuid> {
        let key = key
            .as_str()
            .ok_or_else(|| anyhow!("a reference to a {kind} is not a string"))?;
        self.ids
            .get(&format!("{kind}:{key}"))
            .copied()
            .ok_or_else(|| anyhow!("no {kind} `{key}` earlier in the dataset"))
    }

    async fn remember(&mut self, key: String, kind: Resource, id: Uuid) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO seed_records (key, resource, id) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING")
            .bind(&key)
            .bind(kind)
            .bind(id)
            .execute(&mut *self.conn)
            .await?;
        self.ids.insert(key, id);
        Ok(())
    }

    /// The id a record has from an earlier load, if it still exists.
    async fn earlier(&mut self, key: &str, kind: Resource) -> anyhow::Result<Option<Uuid>> {
        let remembered: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM seed_records WHERE key = $1")
                .bind(key)
                .fetch_optional(&mut *self.conn)
                .await?;
        let Some(id) = remembered else {
            return Ok(None);
        };
        let exists: bool = sqlx::query_scalar(&format!(
            "SELECT EXISTS (SELECT 1 FROM {} WHERE id = $1)",
            kind.plural()
        ))
        .bind(id)
        .fetch_one(&mut *self.conn)
        .await?;
        if exists {
            self.ids.insert(key.to_owned(), id);
            Ok(Some(id))
        } else {
            // Deleted since: forget it and create it again.
            sqlx::query("DELETE FROM seed_records WHERE key = $1")
                .bind(key)
                .execute(&mut *self.conn)
                .await?;
            Ok(None)
        }
    }

    /// A stored record that already has one of the row's unique values.
    async fn existing<R: Record>(&mut self, row: &R::Row) -> anyhow::Result<Option<Uuid>> {
        for unique in R::unique(row) {
            let found: Option<Uuid> = sqlx::query_scalar(&format!(
                "SELECT id FROM {} WHERE {} = $1",
                unique.table, unique.column
            ))
            .bind(&unique.value)
            .fetch_optional(&mut *self.conn)
            .await?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }
}

/// One entry of the dataset, of a known kind.
struct Seeding<'l, 'c> {
    loader: &'l mut Loader<'c>,
    entry: Map<String, Value>,
}

impl ForKind for Seeding<'_, '_> {
    type Output = anyhow::Result<()>;

    /// Creates the record unless an earlier load did, or one with its slug or URL exists;
    /// records its creation in the change feed as `seed`.
    async fn apply<R: Record>(self) -> anyhow::Result<()> {
        let Seeding { loader, mut entry } = self;
        let kind = R::RESOURCE;
        let key = match entry.remove("key") {
            Some(Value::String(key)) => key,
            _ => match entry.get("slug") {
                Some(Value::String(slug)) => slug.clone(),
                _ => bail!("a {kind} has neither a key nor a slug"),
            },
        };
        let key = format!("{kind}:{key}");
        if loader.earlier(&key, kind).await?.is_some() {
            return Ok(());
        }
        let parent = match R::PARENT {
            Some(field) => {
                let value = entry.remove(field.field).unwrap_or_default();
                Some(loader.id(field.kind, &value)?)
            }
            None => None,
        };
        each_reference(&mut entry, R::REFERENCES, |_, kind, value| {
            *value = Value::String(loader.id(kind, value)?.to_string());
            Ok::<_, anyhow::Error>(())
        })?;
        let parse = || -> anyhow::Result<R::New> {
            serde_json::from_value(Value::Object(entry.clone()))
                .with_context(|| format!("{key} is not valid"))
        };
        let row = R::prepare(parent, parse()?).map_err(|e| api(e, &key))?;
        if let Some(id) = loader.existing::<R>(&row).await? {
            return loader.remember(key, kind, id).await;
        }
        let conn = &mut *loader.conn;
        let record: R = records::record::create_under(&mut *conn, parent, parse()?)
            .await
            .map_err(|e| api(e, &key))?;
        let body = records::body(&record).map_err(|e| api(e, "a record"))?;
        records::record_write(conn, &record, Operation::Create, SEED_AUTHOR, &body)
            .await
            .map_err(|e| api(e, "the change log"))?;
        loader.loaded.add(kind, 1);
        loader.remember(key, kind, record.id()).await
    }
}
