//! The actors and citations a batch of rows names, found or made: states by name or ISO
//! code, everyone else by name, each story and the dataset file by what earlier imports
//! noted. What was found stays known for the rest of the import.

use std::collections::HashMap;

use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{CodedActor, Dataset, EventRow};
use crate::domain::{CountryCode, Name, Slug, search_key};
use crate::error::{ApiError, Result};
use crate::records::actors::Actor;
use crate::records::citations::Citation;
use crate::records::{Record, json::parse_value, write_many};
use crate::store;

/// Who a coded actor is in the record on one row: the actor itself (`participant`), and the
/// state or organization the dataset counts it for (`principal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Side {
    pub participant: Uuid,
    pub principal: Uuid,
}

/// What an import has found or made so far, by the names the dataset writes.
pub struct Known {
    dataset: Dataset,
    /// States, by the folded name the dataset gives them.
    states: HashMap<String, Uuid>,
    /// Every other actor, by folded name.
    others: HashMap<String, Uuid>,
    /// Citations, by what they cite (`story:…`, `file:…`).
    pub citations: HashMap<String, Uuid>,
    /// Actors and citations made by this import.
    pub made_actors: usize,
    pub made_citations: usize,
}

/// Whether a coded actor is the state its row counts it for: "Kazakhstan" coded for
/// Kazakhstan, "Russia" coded for the "Russian Federation".
fn is_its_state(actor: &CodedActor) -> bool {
    let name = actor.name.as_str();
    match &actor.country {
        Some(country) => {
            search_key(name) == search_key(country.as_str())
                || CountryCode::from_name(name)
                    .is_some_and(|code| CountryCode::from_name(country.as_str()) == Some(code))
        }
        // An actor without a country is a state only if its name is one.
        None => CountryCode::from_name(name).is_some(),
    }
}

impl Known {
    pub fn new(dataset: Dataset) -> Self {
        Self {
            dataset,
            states: HashMap::new(),
            others: HashMap::new(),
            citations: HashMap::new(),
            made_actors: 0,
            made_citations: 0,
        }
    }

    /// Finds or makes every actor the rows name, then says who each side of each row is.
    pub async fn sides(
        &mut self,
        conn: &mut PgConnection,
        by: &str,
        rows: &[&EventRow],
    ) -> Result<Vec<(Side, Side)>> {
        // States: every country named, and every actor that is one.
        let mut states: Vec<&Name> = Vec::new();
        let mut others: Vec<&CodedActor> = Vec::new();
        for row in rows {
            for actor in [&row.source, &row.target] {
                states.extend(actor.country.as_ref());
                if is_its_state(actor) {
                    states.push(&actor.name);
                } else {
                    others.push(actor);
                }
            }
        }
        self.find_states(conn, by, &states).await?;
        self.find_others(conn, by, &others).await?;
        let side = |actor: &CodedActor| -> Result<Side> {
            let state = |name: &Name| self.states.get(&search_key(name.as_str())).copied();
            let participant = if is_its_state(actor) {
                state(&actor.name)
            } else {
                self.others.get(&search_key(actor.name.as_str())).copied()
            };
            let principal = match &actor.country {
                Some(country) => state(country),
                None => participant,
            };
            match (participant, principal) {
                (Some(participant), Some(principal)) => Ok(Side {
                    participant,
                    principal,
                }),
                _ => Err(ApiError::Internal(anyhow::anyhow!(
                    "an actor of the batch was neither found nor made"
                ))),
            }
        };
        rows.iter()
            .map(|row| Ok((side(&row.source)?, side(&row.target)?)))
            .collect()
    }

    /// States by ISO code (from their name), then by name or alias; made when absent.
    async fn find_states(
        &mut self,
        conn: &mut PgConnection,
        by: &str,
        names: &[&Name],
    ) -> Result<()> {
        let mut wanted: Vec<(String, &Name)> = Vec::new();
        for name in names {
            let key = search_key(name.as_str());
            if !self.states.contains_key(&key) && !wanted.iter().any(|(k, _)| *k == key) {
                wanted.push((key, name));
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let codes: Vec<String> = wanted
            .iter()
            .filter_map(|(_, name)| CountryCode::from_name(name.as_str()))
            .map(|code| code.to_string())
            .collect();
        let by_code = store::events::states_by_code(&mut *conn, &codes).await?;
        let keys: Vec<String> = wanted.iter().map(|(key, _)| key.clone()).collect();
        let by_name = store::events::by_name(&mut *conn, &keys, true).await?;
        let mut new: Vec<(Uuid, serde_json::Value)> = Vec::new();
        let mut made_codes: HashMap<String, Uuid> = HashMap::new();
        for (key, name) in wanted {
            let code = CountryCode::from_name(name.as_str()).map(|c| c.to_string());
            let found = code
                .as_ref()
                .and_then(|c| by_code.get(c).or(made_codes.get(c)))
                .or(by_name.get(&key))
                .copied();
            let id = match found {
                Some(id) => id,
                None => {
                    let id = Uuid::now_v7();
                    if let Some(code) = &code {
                        made_codes.insert(code.clone(), id);
                    }
                    let mut actor = json!({"kind": "state", "name": name.as_str()});
                    if let Some(code) = code {
                        actor["country_code"] = json!(code);
                    }
                    new.push((id, actor));
                    id
                }
            };
            self.states.insert(key, id);
        }
        self.make_actors(conn, by, new).await
    }

    /// Everyone else by name or alias (of any kind but a state); made when absent, with the
    /// dataset's sectors, as an organization when no country is given, otherwise of kind
    /// `other` (the dataset does not say whether a name is a person's).
    async fn find_others(
        &mut self,
        conn: &mut PgConnection,
        by: &str,
        actors: &[&CodedActor],
    ) -> Result<()> {
        let mut wanted: Vec<(String, &CodedActor)> = Vec::new();
        for actor in actors {
            let key = search_key(actor.name.as_str());
            if !self.others.contains_key(&key) && !wanted.iter().any(|(k, _)| *k == key) {
                wanted.push((key, actor));
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let keys: Vec<String> = wanted.iter().map(|(key, _)| key.clone()).collect();
        let found = store::events::by_name(&mut *conn, &keys, false).await?;
        let mut new = Vec::new();
        for (key, actor) in wanted {
            let id = match found.get(&key) {
                Some(id) => *id,
                None => {
                    let id = Uuid::now_v7();
                    let kind = if actor.country.is_some() {
                        "other"
                    } else {
                        "organization"
                    };
                    let mut made = json!({"kind": kind, "name": actor.name.as_str()});
                    if let Some(code) = actor
                        .country
                        .as_ref()
                        .and_then(|c| CountryCode::from_name(c.as_str()))
                    {
                        made["country_code"] = json!(code.to_string());
                    }
                    if !actor.sectors.is_empty() {
                        made["description"] = json!(format!(
                            "Sectors ({}): {}",
                            self.dataset.label(),
                            actor.sectors.join(", ")
                        ));
                    }
                    new.push((id, made));
                    id
                }
            };
            self.others.insert(key, id);
        }
        self.make_actors(conn, by, new).await
    }

    /// Makes actors, each with a slug no other actor has (`-2`, `-3`… added when taken).
    async fn make_actors(
        &mut self,
        conn: &mut PgConnection,
        by: &str,
        new: Vec<(Uuid, serde_json::Value)>,
    ) -> Result<()> {
        if new.is_empty() {
            return Ok(());
        }
        let bases: Vec<String> = new
            .iter()
            .map(|(id, actor)| {
                let name = actor["name"].as_str().unwrap_or_default();
                Slug::from_name(name).map_or_else(
                    || format!("actor-{}", &id.simple().to_string()[20..]),
                    |slug| slug.as_str().to_owned(),
                )
            })
            .collect();
        let mut candidates: Vec<String> = Vec::new();
        for base in &bases {
            candidates.push(base.clone());
            candidates.extend((2..=9).map(|n| format!("{base}-{n}")));
        }
        let mut taken = store::bulk::taken(&mut *conn, "actors", "slug", &candidates).await?;
        let mut rows = Vec::with_capacity(new.len());
        for ((id, mut actor), base) in new.into_iter().zip(bases) {
            let slug = std::iter::once(base.clone())
                .chain((2..).map(|n| format!("{base}-{n}")))
                .find(|slug| !taken.contains(slug))
                .unwrap_or(base);
            taken.insert(slug.clone());
            actor["slug"] = json!(slug);
            rows.push((id, Actor::prepare(None, parse_value(actor)?)?));
        }
        self.made_actors += rows.len();
        // A slug taken since it was checked: by a write outside imports of event data.
        write_many::<Actor>(conn, by, &rows, false)
            .await
            .map_err(|e| match e {
                ApiError::Internal(error) if slug_taken(&error) => ApiError::conflict(
                    "an actor this import would make was written meanwhile; retry the import",
                ),
                other => other,
            })
    }

    /// The citations of the rows' stories and of the dataset file, found or made.
    pub async fn cite(
        &mut self,
        conn: &mut PgConnection,
        by: &str,
        file: &str,
        rows: &[&EventRow],
    ) -> Result<()> {
        let dataset = self.dataset;
        if rows.is_empty() {
            return Ok(()); // Nothing to cite, not even the file.
        }
        let mut wanted: HashMap<String, serde_json::Value> = HashMap::new();
        let file_key = format!("file:{file}");
        if !self.citations.contains_key(&file_key) {
            wanted.insert(file_key, json!({"source": dataset.source(), "title": file}));
        }
        for row in rows {
            let key = story_key(&row.story.id);
            if !self.citations.contains_key(&key) && !wanted.contains_key(&key) {
                wanted.insert(key, story_citation(row));
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let keys: Vec<String> = wanted.keys().cloned().collect();
        let found = store::events::citations(&mut *conn, dataset.name(), &keys).await?;
        let mut made = Vec::new();
        let mut rows = Vec::new();
        for (key, citation) in wanted {
            let id = match found.get(&key) {
                Some(id) => *id,
                None => {
                    let id = Uuid::now_v7();
                    rows.push((id, Citation::prepare(None, parse_value(citation)?)?));
                    made.push((key.clone(), id));
                    id
                }
            };
            self.citations.insert(key, id);
        }
        self.made_citations += rows.len();
        write_many::<Citation>(&mut *conn, by, &rows, false).await?;
        store::events::remember_citations(conn, dataset.name(), &made).await?;
        Ok(())
    }
}

/// Whether a write failed on a slug another writer took.
fn slug_taken(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        matches!(cause.downcast_ref::<sqlx::Error>(), Some(sqlx::Error::Database(db))
            if db.constraint() == Some("actors_slug_key"))
    })
}

pub fn story_key(story: &str) -> String {
    format!("story:{story}")
}

/// A story as a citation: its publisher, its title, and where it is.
fn story_citation(row: &EventRow) -> serde_json::Value {
    let story = &row.story;
    let mut citation = json!({
        "source": story.publisher.as_ref().map_or("Unknown publisher", |p| p.as_str()),
        "title": story.title,
    });
    if let Some(day) = story.published_on {
        citation["published_on"] = json!(day.format("%Y-%m-%d").to_string());
    }
    if let Some(url) = &story.url {
        citation["url"] = json!(url);
    }
    citation
}
