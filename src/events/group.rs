//! What the rows of one event become: a group gathered from them (its actors on each side,
//! its citations with every row's locator), then a new visit or interaction, or what it
//! adds to the stored record of the same event.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::resolve::Side;
use crate::domain::Quote;
use crate::domain::cameo::Placed;
use crate::error::{ApiError, Result};
use crate::records::{Record, json::parse_value, write_many};
use crate::store::events::EventKey;

/// What one record takes at most, as a create does: actors per side, citations.
const MAX_ACTORS: usize = 20;
const MAX_CITATIONS: usize = 50;

/// The record a group of rows becomes, as it is being gathered.
pub(super) struct Group {
    pub(super) key: EventKey,
    pub(super) first: usize,
    /// For an interaction: the first row's type, mode and contexts, and its code if any.
    pub(super) placed: Option<(Placed, Option<String>)>,
    pub(super) place: Option<String>,
    pub(super) from: Vec<Uuid>,
    pub(super) to: Vec<Uuid>,
    /// `(citation, locator, quote)`, each citation once.
    pub(super) citations: Vec<Cited>,
    pub(super) rows: Vec<(String, NaiveDate)>,
}

impl Group {
    pub(super) fn add(&mut self, side: Side, other: Side, citations: [Cited; 2]) {
        let (from, to) = match self.key.event_type {
            // A visit's host is the principal; only visitors are listed.
            None => (side.participant, None),
            Some(_) => (side.participant, Some(other.participant)),
        };
        if !self.from.contains(&from) && !self.to.contains(&from) && self.from.len() < MAX_ACTORS {
            self.from.push(from);
        }
        if let Some(to) = to
            && !self.to.contains(&to)
            && !self.from.contains(&to)
            && self.to.len() < MAX_ACTORS
        {
            self.to.push(to);
        }
        for (citation, locator, quote) in citations {
            let full = self.citations.len() >= MAX_CITATIONS;
            match self.citations.iter_mut().find(|(c, ..)| *c == citation) {
                Some((_, known, _)) => extend_locator(known, &locator),
                None if !full => self.citations.push((citation, locator, quote)),
                None => {}
            }
        }
    }
}

/// A citation of a row: the citation, the locator, and the words quoted if any.
pub(super) type Cited = (Uuid, String, Option<Quote>);

/// Adds a row's locator to a link's (`sentence 2` and `sentence 5` → `sentence 2; sentence 5`),
/// within a locator's 200 characters.
fn extend_locator(known: &mut String, more: &str) {
    if known.split("; ").any(|part| part == more) {
        return;
    }
    if known.chars().count() + more.chars().count() + 2 <= 190 {
        known.push_str("; ");
        known.push_str(more);
    } else if !known.ends_with('…') {
        known.push_str("; …");
    }
}

fn citation_links(group: &Group) -> serde_json::Value {
    group.citations.iter().map(link).collect()
}

fn link((id, locator, quote): &Cited) -> serde_json::Value {
    let mut link = json!({"citation_id": id, "locator": locator});
    if let Some(quote) = quote {
        link["quote"] = json!(quote);
    }
    link
}

pub(super) fn new_visit(group: &Group) -> serde_json::Value {
    let mut visit = json!({
        "visitor_ids": group.from,
        "host_id": group.key.to,
        "visitor_principal_id": group.key.from,
        "start": group.key.date.format("%Y-%m-%d").to_string(),
        "kind": "other",
        "citations": citation_links(group),
    });
    if let Some(place) = &group.place {
        visit["place"] = json!(place);
    }
    visit
}

pub(super) fn new_interaction(group: &Group) -> serde_json::Value {
    let (placed, code) = match &group.placed {
        Some((placed, code)) => (Some(placed), Some(code)),
        None => (None, None),
    };
    let mut interaction = json!({
        "source_ids": group.from,
        "target_ids": group.to,
        "source_principal_id": group.key.from,
        "target_principal_id": group.key.to,
        "event_type": placed.map(|p| p.event_type),
        "contexts": placed.map(|p| p.contexts.clone()).unwrap_or_default(),
        "start": group.key.date.format("%Y-%m-%d").to_string(),
        "citations": citation_links(group),
    });
    if let Some(code) = code.and_then(Option::as_ref) {
        interaction["source_code"] = json!(code);
    }
    if let Some(mode) = placed.and_then(|p| p.mode) {
        interaction["mode"] = json!(mode);
    }
    if let Some(place) = &group.place {
        interaction["place"] = json!(place);
    }
    interaction
}

/// Adds the groups' actors and citations to the stored records they join, as a patch would
/// (a new version, in the change feed); what a record already has is kept as it is.
pub(super) async fn join<R: Record>(
    conn: &mut PgConnection,
    by: &str,
    groups: HashMap<Uuid, Group>,
) -> Result<()> {
    if groups.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = groups.keys().copied().collect();
    let mut rows = Vec::with_capacity(ids.len());
    for record in R::load_many(&mut *conn, &ids).await? {
        let Some(group) = groups.get(&record.id()) else {
            continue;
        };
        let mut body =
            serde_json::to_value(record.to_input()).map_err(|e| ApiError::Internal(e.into()))?;
        let (from, to) = match group.key.event_type {
            None => ("visitor_ids", None),
            Some(_) => ("source_ids", Some("target_ids")),
        };
        let listed = |body: &serde_json::Value, field: &str| -> HashSet<String> {
            body[field]
                .as_array()
                .map(|ids| {
                    ids.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut on_a_side = listed(&body, from);
        if let Some(to) = to {
            on_a_side.extend(listed(&body, to));
        }
        for (field, actors) in [(Some(from), &group.from), (to, &group.to)] {
            let Some(field) = field else { continue };
            for actor in actors {
                let actor = actor.to_string();
                let list = body[field].as_array_mut();
                if let Some(list) = list
                    && list.len() < MAX_ACTORS
                    && on_a_side.insert(actor.clone())
                {
                    list.push(json!(actor));
                }
            }
        }
        let cited: HashSet<String> = body["citations"]
            .as_array()
            .map(|links| {
                links
                    .iter()
                    .filter_map(|l| l["citation_id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(links) = body["citations"].as_array_mut() {
            for each in &group.citations {
                if links.len() < MAX_CITATIONS && !cited.contains(&each.0.to_string()) {
                    links.push(link(each));
                }
            }
        }
        rows.push((record.id(), R::prepare(None, parse_value(body)?)?));
    }
    write_many::<R>(conn, by, &rows, true).await
}
