//! The demo dataset: the seed article (`demo/kazakhstan-2022.json`) as records.
//!
//! The file refers to actors by slug and to citations, visits and roles by a key of its own.
//! Every record goes through the same checks as the API. Each one created is remembered in
//! `seed_records` under its key, so loading again changes nothing; an actor or citation that
//! already exists (same slug, same URL) is used as it is.

use std::collections::HashMap;

use anyhow::{Context, anyhow, bail};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::ApiError;
use crate::records::actors::{Actor, NewActor};
use crate::records::citations::{Citation, NewCitation};
use crate::records::roles::{NewRole, Role};
use crate::records::statements::{NewStatement, Statement};
use crate::records::visits::{NewVisit, Visit};
use crate::records::{self, Record};
use crate::store::actors::ActorKey;
use crate::store::changes::Operation;

/// Who the change feed says made the demo data.
const SEED_AUTHOR: &str = "seed";

pub const DEMO: &str = include_str!("../demo/kazakhstan-2022.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Dataset {
    #[allow(dead_code)]
    about: String,
    citations: Vec<Map<String, Value>>,
    actors: Vec<Map<String, Value>>,
    roles: Vec<Map<String, Value>>,
    visits: Vec<Map<String, Value>>,
    statements: Vec<Map<String, Value>>,
}

/// How many records a load created, by kind.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub citations: usize,
    pub actors: usize,
    pub roles: usize,
    pub visits: usize,
    pub statements: usize,
}

impl Loaded {
    pub fn total(&self) -> usize {
        self.citations + self.actors + self.roles + self.visits + self.statements
    }
}

impl std::fmt::Display for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} citations, {} actors, {} roles, {} visits, {} statements",
            self.citations, self.actors, self.roles, self.visits, self.statements
        )
    }
}

/// Loads the demo dataset in one transaction; returns what it created.
pub async fn load_demo(pool: &PgPool) -> anyhow::Result<Loaded> {
    load(pool, DEMO).await
}

pub async fn load(pool: &PgPool, json: &str) -> anyhow::Result<Loaded> {
    let dataset: Dataset = serde_json::from_str(json).context("reading the dataset")?;
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
    for entry in dataset.citations {
        loader.citation(entry).await?;
    }
    for entry in dataset.actors {
        loader.actor(entry).await?;
    }
    for entry in dataset.roles {
        loader.role(entry).await?;
    }
    for entry in dataset.visits {
        loader.visit(entry).await?;
    }
    for entry in dataset.statements {
        loader.statement(entry).await?;
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

fn take_string(entry: &mut Map<String, Value>, field: &str) -> anyhow::Result<String> {
    match entry.remove(field) {
        Some(Value::String(s)) => Ok(s),
        _ => bail!("`{field}` is missing or not a string"),
    }
}

fn parse<T: DeserializeOwned>(entry: Map<String, Value>, what: &str) -> anyhow::Result<T> {
    serde_json::from_value(Value::Object(entry)).with_context(|| format!("{what} is not valid"))
}

fn api(error: ApiError, what: &str) -> anyhow::Error {
    anyhow!(
        "{what} was refused: {}",
        error.problem().detail.unwrap_or_default()
    )
}

impl Loader<'_> {
    fn id(&self, kind: &str, key: &str) -> anyhow::Result<Uuid> {
        self.ids
            .get(&format!("{kind}:{key}"))
            .copied()
            .ok_or_else(|| anyhow!("no {kind} `{key}` earlier in the dataset"))
    }

    /// Replaces `field: "key"` by `new_field: "<id>"`.
    fn resolve(
        &self,
        entry: &mut Map<String, Value>,
        field: &str,
        new_field: &str,
        kind: &str,
    ) -> anyhow::Result<()> {
        if let Some(value) = entry.remove(field) {
            let key = value
                .as_str()
                .ok_or_else(|| anyhow!("`{field}` is not a string"))?;
            entry.insert(
                new_field.into(),
                Value::String(self.id(kind, key)?.to_string()),
            );
        }
        Ok(())
    }

    /// Replaces each key in the list `field` by an id, under `new_field`.
    fn resolve_list(
        &self,
        entry: &mut Map<String, Value>,
        field: &str,
        new_field: &str,
        kind: &str,
    ) -> anyhow::Result<()> {
        if let Some(Value::Array(keys)) = entry.remove(field) {
            let ids = keys
                .iter()
                .map(|k| {
                    let key = k
                        .as_str()
                        .ok_or_else(|| anyhow!("`{field}` holds a non-string"))?;
                    Ok(Value::String(self.id(kind, key)?.to_string()))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            entry.insert(new_field.into(), Value::Array(ids));
        }
        Ok(())
    }

    /// Resolves `{"citation": key, …}` links to `{"citation_id": id, …}`.
    fn resolve_citations(&self, entry: &mut Map<String, Value>) -> anyhow::Result<()> {
        if let Some(Value::Array(links)) = entry.get_mut("citations") {
            for link in links {
                if let Value::Object(link) = link {
                    let key = take_string(link, "citation")?;
                    link.insert(
                        "citation_id".into(),
                        Value::String(self.id("citation", &key)?.to_string()),
                    );
                }
            }
        }
        Ok(())
    }

    async fn remembered(&mut self, key: &str) -> anyhow::Result<Option<Uuid>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM seed_records WHERE key = $1")
                .bind(key)
                .fetch_optional(&mut *self.conn)
                .await?,
        )
    }

    /// Checks and stores a new record, and records its creation in the change feed as `seed`.
    async fn create<R: Record>(
        &mut self,
        parent: &R::Parent,
        input: R::New,
        key: &str,
    ) -> anyhow::Result<Uuid> {
        let conn = &mut *self.conn;
        let record = R::create(&mut *conn, parent, input)
            .await
            .map_err(|e| api(e, key))?;
        let body = records::body(&record).map_err(|e| api(e, "a record"))?;
        records::record_write(conn, &record, Operation::Create, SEED_AUTHOR, &body)
            .await
            .map_err(|e| api(e, "the change log"))?;
        Ok(record.id())
    }

    async fn remember(&mut self, key: String, resource: &str, id: Uuid) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO seed_records (key, resource, id) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING")
            .bind(&key)
            .bind(resource)
            .bind(id)
            .execute(&mut *self.conn)
            .await?;
        self.ids.insert(key, id);
        Ok(())
    }

    /// The id a record has from an earlier load, if it still exists.
    async fn earlier(&mut self, key: &str, table: &str) -> anyhow::Result<Option<Uuid>> {
        let Some(id) = self.remembered(key).await? else {
            return Ok(None);
        };
        let exists: bool = sqlx::query_scalar(&format!(
            "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = $1)"
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

    async fn citation(&mut self, mut entry: Map<String, Value>) -> anyhow::Result<()> {
        let key = format!("citation:{}", take_string(&mut entry, "key")?);
        if self.earlier(&key, "citations").await?.is_some() {
            return Ok(());
        }
        let input: NewCitation = parse(entry, &key)?;
        if let Some(url) = &input.url {
            let existing: Option<Uuid> =
                sqlx::query_scalar("SELECT id FROM citations WHERE url = $1")
                    .bind(url.as_str())
                    .fetch_optional(&mut *self.conn)
                    .await?;
            if let Some(id) = existing {
                return self.remember(key, "citation", id).await;
            }
        }
        let id = self.create::<Citation>(&(), input, &key).await?;
        self.loaded.citations += 1;
        self.remember(key, "citation", id).await
    }

    async fn actor(&mut self, entry: Map<String, Value>) -> anyhow::Result<()> {
        let slug = entry
            .get("slug")
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("an actor has no slug"))?;
        let key = format!("actor:{slug}");
        if self.earlier(&key, "actors").await?.is_some() {
            return Ok(());
        }
        let existing: Option<Uuid> = sqlx::query_scalar("SELECT id FROM actors WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut *self.conn)
            .await?;
        if let Some(id) = existing {
            return self.remember(key, "actor", id).await;
        }
        let input: NewActor = parse(entry, &key)?;
        let id = self.create::<Actor>(&(), input, &key).await?;
        self.loaded.actors += 1;
        self.remember(key, "actor", id).await
    }

    async fn role(&mut self, mut entry: Map<String, Value>) -> anyhow::Result<()> {
        let key = format!("role:{}", take_string(&mut entry, "key")?);
        if self.earlier(&key, "roles").await?.is_some() {
            return Ok(());
        }
        let holder = self.id("actor", &take_string(&mut entry, "actor")?)?;
        self.resolve(&mut entry, "of_actor", "of_actor_id", "actor")?;
        self.resolve_citations(&mut entry)?;
        let input: NewRole = parse(entry, &key)?;
        let id = self
            .create::<Role>(&ActorKey::Id(holder), input, &key)
            .await?;
        self.loaded.roles += 1;
        self.remember(key, "role", id).await
    }

    async fn visit(&mut self, mut entry: Map<String, Value>) -> anyhow::Result<()> {
        let key = format!("visit:{}", take_string(&mut entry, "key")?);
        if self.earlier(&key, "visits").await?.is_some() {
            return Ok(());
        }
        self.resolve_list(&mut entry, "visitors", "visitor_ids", "actor")?;
        self.resolve(&mut entry, "host", "host_id", "actor")?;
        self.resolve_citations(&mut entry)?;
        let input: NewVisit = parse(entry, &key)?;
        let id = self.create::<Visit>(&(), input, &key).await?;
        self.loaded.visits += 1;
        self.remember(key, "visit", id).await
    }

    async fn statement(&mut self, mut entry: Map<String, Value>) -> anyhow::Result<()> {
        let key = format!("statement:{}", take_string(&mut entry, "key")?);
        if self.earlier(&key, "statements").await?.is_some() {
            return Ok(());
        }
        self.resolve(&mut entry, "speaker", "speaker_id", "actor")?;
        self.resolve(&mut entry, "on_behalf_of", "on_behalf_of_id", "actor")?;
        self.resolve(&mut entry, "visit", "visit_id", "visit")?;
        if let Some(Value::Array(subjects)) = entry.get_mut("subjects") {
            for subject in subjects.iter_mut() {
                if let Value::Object(subject) = subject {
                    let slug = take_string(subject, "actor")?;
                    let id = self.id("actor", &slug)?;
                    subject.insert("actor_id".into(), Value::String(id.to_string()));
                }
            }
        }
        self.resolve_citations(&mut entry)?;
        let input: NewStatement = parse(entry, &key)?;
        let id = self.create::<Statement>(&(), input, &key).await?;
        self.loaded.statements += 1;
        self.remember(key, "statement", id).await
    }
}
