//! Bulk import and export in NDJSON: one record per line.
//!
//! A line is `{"type": "actor" | "citation" | "role" | "visit" | "statement", …}` with the
//! fields of a create (`NewActor`, `NewCitation`, … ; a role also has `actor_id`, its holder),
//! plus an optional `id` (kept, so an export imports back unchanged) and an optional `key`.
//! Any reference (`host_id`, `citation_id`, …) may name a record by id, or by the `key` of a
//! line earlier in the same file.
//!
//! Import is all or nothing, in one transaction: every line is checked as a single write
//! would be, every failing line is reported, and nothing is kept unless all pass. Lines are
//! read as they arrive and written in batches, one statement per table per batch, so memory
//! does not grow with the file.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use sqlx::{PgConnection, PgPool};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{
    Author, CitationTitle, CountryCode, Excerpt, LanguageTag, Occasion, PartialDate, Place,
    RoleRank, Source, Stance, StatementKind, StatementText, Summary, Title, Topic, VisitKind,
    WebUrl,
};
pub use crate::error::LineError;
use crate::error::{ApiError, FieldError};
use crate::records::actors::{self, NewActor};
use crate::records::citations::{Citation, NewCitation};
use crate::records::links::{check_period, link_fields};
use crate::records::roles::{self, NewRole};
use crate::records::statements::{self, NewStatement};
use crate::records::visits::{self, NewVisit};
use crate::store::actors::ActorFields;
use crate::store::bulk;
use crate::store::citations::CitationFields;
use crate::store::links::{Claim, LinkFields};
use crate::store::roles::RoleFields;
use crate::store::statements::StatementFields;
use crate::store::visits::VisitFields;
use crate::store::{self};

/// Lines written per batch at most...
const BATCH: usize = 2000;
/// ...and bytes of them: a batch of long lines is cut short, so an import's memory is
/// bounded by this (and one line), not by 2,000 of the longest lines.
pub const BATCH_BYTES: usize = 8 * 1024 * 1024;
/// Errors reported at most; the import stops checking after that many.
pub const MAX_ERRORS: usize = 1000;
/// The longest line accepted.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// The kinds of record a file can hold, in the order an export writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Citation,
    Actor,
    Role,
    Visit,
    Statement,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Citation,
        Kind::Actor,
        Kind::Role,
        Kind::Visit,
        Kind::Statement,
    ];

    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "citation" => Self::Citation,
            "actor" => Self::Actor,
            "role" => Self::Role,
            "visit" => Self::Visit,
            "statement" => Self::Statement,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Citation => "citation",
            Self::Actor => "actor",
            Self::Role => "role",
            Self::Visit => "visit",
            Self::Statement => "statement",
        }
    }

    fn table(self) -> &'static str {
        match self {
            Self::Citation => "citations",
            Self::Actor => "actors",
            Self::Role => "roles",
            Self::Visit => "visits",
            Self::Statement => "statements",
        }
    }
}

/// What an import created.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportSummary {
    /// Lines read, blank ones included.
    pub lines: usize,
    pub citations: usize,
    pub actors: usize,
    pub roles: usize,
    pub visits: usize,
    pub statements: usize,
}

impl ImportSummary {
    pub fn records(&self) -> usize {
        self.citations + self.actors + self.roles + self.visits + self.statements
    }
}

#[derive(Default)]
struct Batch {
    citations: Vec<(usize, Uuid, CitationFields)>,
    actors: Vec<(usize, Uuid, ActorFields)>,
    roles: Vec<(usize, Uuid, Uuid, RoleFields, Vec<LinkFields>)>,
    visits: Vec<(usize, Uuid, VisitFields, Vec<LinkFields>)>,
    statements: Vec<(usize, Uuid, StatementFields, Vec<LinkFields>)>,
    /// References to records not in this file: `(line, pointer, kind, id)`.
    external: Vec<(usize, String, Kind, Uuid)>,
    /// The length of the lines staged.
    bytes: usize,
}

impl Batch {
    fn len(&self) -> usize {
        self.citations.len()
            + self.actors.len()
            + self.roles.len()
            + self.visits.len()
            + self.statements.len()
    }
}

/// An import in progress, in the caller's transaction.
pub struct Importer<'c> {
    conn: &'c mut PgConnection,
    by: String,
    keys: HashMap<String, (Kind, Uuid)>,
    /// Ids, slugs, Wikidata ids and URLs of the batch not yet written, to find repeats within
    /// it; repeats of earlier batches are found in the database, where those are written. So
    /// memory grows with the batch, not the file (only `keys` grows, with the lines that
    /// define one).
    defined: HashSet<(Kind, Uuid)>,
    slugs: HashSet<String>,
    wikidata: HashSet<String>,
    urls: HashSet<String>,
    batch: Batch,
    /// Whether every earlier batch was written, so the database knows what it defined.
    written_so_far: bool,
    errors: Vec<LineError>,
    summary: ImportSummary,
}

type LineResult<T> = std::result::Result<T, Vec<(String, String)>>;

fn one(pointer: impl Into<String>, detail: impl Into<String>) -> Vec<(String, String)> {
    vec![(pointer.into(), detail.into())]
}

fn from_api(error: ApiError) -> Vec<(String, String)> {
    match error {
        ApiError::BadRequest { errors, detail } | ApiError::Unprocessable { errors, detail }
            if !errors.is_empty() =>
        {
            let _ = detail;
            errors
                .into_iter()
                .map(|FieldError { pointer, detail }| (pointer, detail))
                .collect()
        }
        other => one("#", other.problem().detail.unwrap_or_default()),
    }
}

fn parse<T: DeserializeOwned>(map: Map<String, Value>) -> LineResult<T> {
    crate::records::json::parse_value(Value::Object(map)).map_err(from_api)
}

/// A record's JSON for the change log (no ETag needed here).
fn record_json<T: Serialize>(value: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.into()))
}

impl<'c> Importer<'c> {
    pub fn new(conn: &'c mut PgConnection, by: impl Into<String>) -> Self {
        Self {
            conn,
            by: by.into(),
            keys: HashMap::new(),
            defined: HashSet::new(),
            slugs: HashSet::new(),
            wikidata: HashSet::new(),
            urls: HashSet::new(),
            batch: Batch::default(),
            written_so_far: true,
            errors: Vec::new(),
            summary: ImportSummary::default(),
        }
    }

    /// Whether enough errors were found to stop reading.
    pub fn gave_up(&self) -> bool {
        self.errors.len() >= MAX_ERRORS
    }

    pub fn lines(&self) -> usize {
        self.summary.lines
    }

    /// Records written to the database so far (the rest wait in the batch).
    pub fn written(&self) -> usize {
        self.summary.records()
    }

    /// Takes one line (without its newline).
    pub async fn push(&mut self, text: &str) -> Result<(), ApiError> {
        self.summary.lines += 1;
        let line = self.summary.lines;
        if text.trim().is_empty() {
            return Ok(());
        }
        if let Err(errors) = self.stage(line, text) {
            self.refuse(line, errors);
        }
        self.batch.bytes += text.len();
        if self.batch.len() >= BATCH || self.batch.bytes >= BATCH_BYTES {
            self.flush().await?;
        }
        Ok(())
    }

    /// Ends the import: the summary, or every line refused (the caller then rolls back).
    pub async fn finish(
        mut self,
    ) -> Result<std::result::Result<ImportSummary, Vec<LineError>>, ApiError> {
        self.flush().await?;
        if self.errors.is_empty() {
            Ok(Ok(self.summary))
        } else {
            self.errors.sort_by_key(|e| e.line);
            Ok(Err(self.errors))
        }
    }

    fn refuse(&mut self, line: usize, errors: Vec<(String, String)>) {
        for (pointer, detail) in errors {
            if self.errors.len() < MAX_ERRORS {
                self.errors.push(LineError {
                    line,
                    pointer,
                    detail,
                });
            }
        }
    }

    /// Replaces a reference (an id or an earlier line's key) by an id, noting references to
    /// records outside the file for a check against the database.
    fn resolve(
        &self,
        value: &mut Value,
        pointer: String,
        kind: Kind,
        external: &mut Vec<(String, Kind, Uuid)>,
    ) -> LineResult<()> {
        let Some(text) = value.as_str() else {
            return Ok(()); // Not a string: parsing reports it.
        };
        if let Some((key_kind, id)) = self.keys.get(text) {
            if *key_kind != kind {
                return Err(one(
                    pointer,
                    format!(
                        "names the {} `{text}`, not a {}",
                        key_kind.as_str(),
                        kind.as_str()
                    ),
                ));
            }
            *value = Value::String(id.to_string());
            return Ok(());
        }
        match Uuid::try_parse(text) {
            Ok(id) => {
                if !self.defined.contains(&(kind, id)) {
                    external.push((pointer, kind, id));
                }
                Ok(())
            }
            Err(_) => Err(one(
                pointer,
                format!("`{text}` is neither an id nor the key of an earlier line"),
            )),
        }
    }

    fn resolve_field(
        &self,
        map: &mut Map<String, Value>,
        field: &str,
        kind: Kind,
        external: &mut Vec<(String, Kind, Uuid)>,
    ) -> LineResult<()> {
        if let Some(value) = map.get_mut(field) {
            self.resolve(value, format!("#/{field}"), kind, external)?;
        }
        Ok(())
    }

    fn resolve_list(
        &self,
        map: &mut Map<String, Value>,
        field: &str,
        inner: Option<&str>,
        kind: Kind,
        external: &mut Vec<(String, Kind, Uuid)>,
    ) -> LineResult<()> {
        if let Some(Value::Array(items)) = map.get_mut(field) {
            for (i, item) in items.iter_mut().enumerate() {
                match inner {
                    Some(name) => {
                        if let Some(value) = item.get_mut(name) {
                            self.resolve(value, format!("#/{field}/{i}/{name}"), kind, external)?;
                        }
                    }
                    None => self.resolve(item, format!("#/{field}/{i}"), kind, external)?,
                }
            }
        }
        Ok(())
    }

    /// Checks a line as far as it can be without the database, and adds it to the batch.
    fn stage(&mut self, line: usize, text: &str) -> LineResult<()> {
        let mut map: Map<String, Value> = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(one("#", "is not a JSON object")),
            Err(e) => return Err(one("#", format!("is not valid JSON: {e}"))),
        };
        let kind = match map.remove("type") {
            Some(Value::String(t)) => Kind::parse(&t).ok_or_else(|| {
                one(
                    "#/type",
                    "must be citation, actor, role, visit or statement",
                )
            })?,
            _ => {
                return Err(one(
                    "#/type",
                    "is required: citation, actor, role, visit or statement",
                ));
            }
        };
        let key = match map.remove("key") {
            None => None,
            Some(Value::String(k)) if !k.is_empty() && k.len() <= 200 && !k.contains('\0') => {
                Some(k)
            }
            Some(_) => return Err(one("#/key", "must be a string of 1 to 200 characters")),
        };
        if let Some(key) = &key
            && self.keys.contains_key(key)
        {
            return Err(one("#/key", "is already the key of an earlier line"));
        }
        let id = match map.remove("id") {
            None => Uuid::now_v7(),
            Some(Value::String(s)) => {
                Uuid::try_parse(&s).map_err(|_| one("#/id", "is not a UUID"))?
            }
            Some(_) => return Err(one("#/id", "is not a UUID")),
        };
        if self.defined.contains(&(kind, id)) {
            return Err(one(
                "#/id",
                format!("is the id of a {} on an earlier line", kind.as_str()),
            ));
        }

        let mut external = Vec::new();
        match kind {
            Kind::Citation => {
                let input: NewCitation = parse(map)?;
                if let Some(url) = &input.url
                    && !self.urls.insert(url.as_str().to_owned())
                {
                    return Err(one("#/url", "is cited by an earlier line; cite that one"));
                }
                let fields = input.into_fields().map_err(from_api)?;
                self.batch.citations.push((line, id, fields));
            }
            Kind::Actor => {
                let input: NewActor = parse(map)?;
                let fields = input.into_fields().map_err(from_api)?;
                if !self.slugs.insert(fields.slug.as_str().to_owned()) {
                    return Err(one(
                        "#/slug",
                        format!("`{}` is the slug of an earlier line", fields.slug),
                    ));
                }
                if let Some(wikidata) = &fields.wikidata_id
                    && !self.wikidata.insert(wikidata.as_str().to_owned())
                {
                    return Err(one(
                        "#/wikidata_id",
                        "is the Wikidata id of an earlier line",
                    ));
                }
                self.batch.actors.push((line, id, fields));
            }
            Kind::Role => {
                let mut holder = map
                    .remove("actor_id")
                    .ok_or_else(|| one("#/actor_id", "is required: the role's holder"))?;
                self.resolve(&mut holder, "#/actor_id".into(), Kind::Actor, &mut external)?;
                let holder = holder
                    .as_str()
                    .and_then(|h| Uuid::try_parse(h).ok())
                    .ok_or_else(|| one("#/actor_id", "is not an id"))?;
                self.resolve_field(&mut map, "of_actor_id", Kind::Actor, &mut external)?;
                self.resolve_list(
                    &mut map,
                    "citations",
                    Some("citation_id"),
                    Kind::Citation,
                    &mut external,
                )?;
                let input: NewRole = parse(map)?;
                check_period(input.start, input.end).map_err(from_api)?;
                if input.of_actor_id == holder {
                    return Err(one(
                        "#/of_actor_id",
                        "an actor cannot hold a role in itself",
                    ));
                }
                let links = link_fields(input.citations).map_err(from_api)?;
                let fields = RoleFields {
                    of_actor_id: input.of_actor_id,
                    title: input.title,
                    rank: input.rank,
                    start: input.start,
                    end: input.end,
                };
                self.batch.roles.push((line, id, holder, fields, links));
            }
            Kind::Visit => {
                self.resolve_list(&mut map, "visitor_ids", None, Kind::Actor, &mut external)?;
                self.resolve_field(&mut map, "host_id", Kind::Actor, &mut external)?;
                self.resolve_list(
                    &mut map,
                    "citations",
                    Some("citation_id"),
                    Kind::Citation,
                    &mut external,
                )?;
                let input: NewVisit = parse(map)?;
                check_period(Some(input.start), input.end).map_err(from_api)?;
                visits::check_participant_shape(&input.visitor_ids, input.host_id)
                    .map_err(from_api)?;
                let links = link_fields(input.citations).map_err(from_api)?;
                let fields = VisitFields {
                    visitor_ids: input.visitor_ids,
                    host_id: input.host_id,
                    place: input.place,
                    country_code: input.country_code,
                    start: input.start,
                    end: input.end,
                    kind: input.kind,
                    occasion: input.occasion,
                    summary: input.summary,
                };
                self.batch.visits.push((line, id, fields, links));
            }
            Kind::Statement => {
                self.resolve_field(&mut map, "speaker_id", Kind::Actor, &mut external)?;
                self.resolve_field(&mut map, "on_behalf_of_id", Kind::Actor, &mut external)?;
                self.resolve_field(&mut map, "visit_id", Kind::Visit, &mut external)?;
                self.resolve_list(
                    &mut map,
                    "subjects",
                    Some("actor_id"),
                    Kind::Actor,
                    &mut external,
                )?;
                self.resolve_list(
                    &mut map,
                    "citations",
                    Some("citation_id"),
                    Kind::Citation,
                    &mut external,
                )?;
                let input: NewStatement = parse(map)?;
                statements::check_subject_shape(&input.subjects).map_err(from_api)?;
                let links = link_fields(input.citations).map_err(from_api)?;
                let fields = StatementFields {
                    speaker_id: input.speaker_id,
                    on_behalf_of_id: input.on_behalf_of_id,
                    on_behalf_of_role_id: None,
                    stated_on: input.stated_on,
                    kind: input.kind,
                    text: input.text,
                    verbatim: input.verbatim,
                    language: input.language,
                    topics: statements::unique_topics(input.topics),
                    subjects: input
                        .subjects
                        .into_iter()
                        .map(|s| (s.actor_id, s.stance))
                        .collect(),
                    visit_id: input.visit_id,
                };
                self.batch.statements.push((line, id, fields, links));
            }
        }
        self.defined.insert((kind, id));
        if let Some(key) = key {
            self.keys.insert(key, (kind, id));
        }
        self.batch.external.extend(
            external
                .into_iter()
                .map(|(pointer, kind, id)| (line, pointer, kind, id)),
        );
        Ok(())
    }

    /// Checks the batch against the database and, while no line has been refused, writes it.
    async fn flush(&mut self) -> Result<(), ApiError> {
        let batch = std::mem::take(&mut self.batch);
        self.defined.clear();
        self.slugs.clear();
        self.wikidata.clear();
        self.urls.clear();
        if batch.len() == 0 && batch.external.is_empty() {
            return Ok(());
        }
        if !self.written_so_far {
            // Once a batch is refused nothing more is written, so the database no longer
            // knows what earlier lines defined: later lines are only checked on their own.
            return Ok(());
        }
        self.check_against_database(&batch).await?;
        if !self.errors.is_empty() {
            self.written_so_far = false; // Nothing is kept: check the rest, write nothing more.
            return Ok(());
        }
        self.write(batch).await
    }

    async fn check_against_database(&mut self, batch: &Batch) -> Result<(), ApiError> {
        let conn = &mut *self.conn;
        let mut refused: Vec<(usize, String, String)> = Vec::new();
        for kind in [Kind::Actor, Kind::Citation, Kind::Visit] {
            let ids: Vec<Uuid> = batch
                .external
                .iter()
                .filter(|(_, _, k, _)| *k == kind)
                .map(|(_, _, _, id)| *id)
                .collect();
            let found = bulk::existing(&mut *conn, kind.table(), &ids).await?;
            for (line, pointer, k, id) in &batch.external {
                if *k == kind && !found.contains(id) {
                    refused.push((
                        *line,
                        pointer.clone(),
                        format!("no {} has this id", kind.as_str()),
                    ));
                }
            }
        }
        let ids_of = |kind: Kind| -> Vec<(usize, Uuid)> {
            match kind {
                Kind::Citation => batch.citations.iter().map(|(l, id, _)| (*l, *id)).collect(),
                Kind::Actor => batch.actors.iter().map(|(l, id, _)| (*l, *id)).collect(),
                Kind::Role => batch.roles.iter().map(|(l, id, ..)| (*l, *id)).collect(),
                Kind::Visit => batch.visits.iter().map(|(l, id, ..)| (*l, *id)).collect(),
                Kind::Statement => batch
                    .statements
                    .iter()
                    .map(|(l, id, ..)| (*l, *id))
                    .collect(),
            }
        };
        for kind in Kind::ALL {
            let lines = ids_of(kind);
            let ids: Vec<Uuid> = lines.iter().map(|(_, id)| *id).collect();
            let taken = bulk::existing(&mut *conn, kind.table(), &ids).await?;
            // A deleted record's id stays reserved: its revisions must not run on into
            // another record's.
            let deleted = bulk::deleted(&mut *conn, &ids).await?;
            for (line, id) in lines {
                if taken.contains(&id) {
                    refused.push((
                        line,
                        "#/id".into(),
                        format!("a {} with this id already exists", kind.as_str()),
                    ));
                } else if deleted.contains(&id) {
                    refused.push((
                        line,
                        "#/id".into(),
                        "was the id of a deleted record; deleted ids are never reused".into(),
                    ));
                }
            }
        }
        let slugs: Vec<String> = batch
            .actors
            .iter()
            .map(|(_, _, f)| f.slug.as_str().to_owned())
            .collect();
        let taken = bulk::taken(&mut *conn, "actors", "slug", &slugs).await?;
        let wikidata: Vec<String> = batch
            .actors
            .iter()
            .filter_map(|(_, _, f)| f.wikidata_id.as_ref().map(|w| w.as_str().to_owned()))
            .collect();
        let taken_wikidata = bulk::taken(&mut *conn, "actors", "wikidata_id", &wikidata).await?;
        for (line, _, fields) in &batch.actors {
            if taken.contains(fields.slug.as_str()) {
                refused.push((
                    *line,
                    "#/slug".into(),
                    format!("an actor with slug `{}` already exists", fields.slug),
                ));
            }
            if fields
                .wikidata_id
                .as_ref()
                .is_some_and(|w| taken_wikidata.contains(w.as_str()))
            {
                refused.push((
                    *line,
                    "#/wikidata_id".into(),
                    "an actor with this Wikidata id already exists".into(),
                ));
            }
        }
        let urls: Vec<String> = batch
            .citations
            .iter()
            .filter_map(|(_, _, f)| f.url.as_ref().map(|u| u.as_str().to_owned()))
            .collect();
        let taken_urls = bulk::taken(&mut *conn, "citations", "url", &urls).await?;
        for (line, _, fields) in &batch.citations {
            if fields
                .url
                .as_ref()
                .is_some_and(|u| taken_urls.contains(u.as_str()))
            {
                refused.push((
                    *line,
                    "#/url".into(),
                    "a citation of this URL already exists; cite it".into(),
                ));
            }
        }
        for (line, pointer, detail) in refused {
            self.refuse(line, vec![(pointer, detail)]);
        }
        Ok(())
    }

    async fn write(&mut self, batch: Batch) -> Result<(), ApiError> {
        let conn = &mut *self.conn;
        let citations: Vec<(Uuid, CitationFields)> = batch
            .citations
            .into_iter()
            .map(|(_, id, f)| (id, f))
            .collect();
        bulk::insert_citations(&mut *conn, &citations).await?;
        let actors: Vec<(Uuid, ActorFields)> =
            batch.actors.into_iter().map(|(_, id, f)| (id, f)).collect();
        bulk::insert_actors(&mut *conn, &actors).await?;

        let role_links: Vec<(Uuid, Vec<LinkFields>)> = batch
            .roles
            .iter()
            .map(|(_, id, _, _, l)| (*id, l.clone()))
            .collect();
        let roles: Vec<(Uuid, Uuid, RoleFields)> = batch
            .roles
            .into_iter()
            .map(|(_, id, holder, f, _)| (id, holder, f))
            .collect();
        bulk::insert_roles(&mut *conn, &roles).await?;
        bulk::insert_links(&mut *conn, Claim::Role, &role_links).await?;

        let visit_links: Vec<(Uuid, Vec<LinkFields>)> = batch
            .visits
            .iter()
            .map(|(_, id, _, l)| (*id, l.clone()))
            .collect();
        let visits: Vec<(Uuid, VisitFields)> = batch
            .visits
            .into_iter()
            .map(|(_, id, f, _)| (id, f))
            .collect();
        bulk::insert_visits(&mut *conn, &visits).await?;
        bulk::insert_links(&mut *conn, Claim::Visit, &visit_links).await?;
        let visit_ids: Vec<Uuid> = visits.iter().map(|(id, _)| *id).collect();
        bulk::default_visit_countries(&mut *conn, &visit_ids).await?;

        let statement_links: Vec<(Uuid, Vec<LinkFields>)> = batch
            .statements
            .iter()
            .map(|(_, id, _, l)| (*id, l.clone()))
            .collect();
        let statements: Vec<(Uuid, StatementFields)> = batch
            .statements
            .into_iter()
            .map(|(_, id, f, _)| (id, f))
            .collect();
        bulk::insert_statements(&mut *conn, &statements).await?;
        bulk::insert_links(&mut *conn, Claim::Statement, &statement_links).await?;

        // The change log: each new record as GET shows it, and the holders of new roles
        // that were there before (their representation now embeds the role).
        let mut created: Vec<(&'static str, Uuid, Vec<u8>)> = Vec::new();
        let ids: Vec<Uuid> = citations.iter().map(|(id, _)| *id).collect();
        for row in store::citations::by_ids(&mut *conn, &ids).await? {
            created.push(("citation", row.id, record_json(&Citation::from_row(row))?));
        }
        let actor_ids: Vec<Uuid> = actors.iter().map(|(id, _)| *id).collect();
        let rows = store::actors::by_ids(&mut *conn, &actor_ids).await?;
        for actor in actors::with_roles(&mut *conn, rows).await? {
            created.push(("actor", actor.id, record_json(&actor)?));
        }
        let role_ids: Vec<Uuid> = roles.iter().map(|(id, _, _)| *id).collect();
        let rows = store::roles::by_ids(&mut *conn, &role_ids).await?;
        for role in roles::assemble(&mut *conn, rows).await? {
            created.push(("role", role.id, record_json(&role)?));
        }
        let rows = store::visits::by_ids(&mut *conn, &visit_ids).await?;
        for visit in visits::assemble(&mut *conn, rows).await? {
            created.push(("visit", visit.id, record_json(&visit)?));
        }
        let statement_ids: Vec<Uuid> = statements.iter().map(|(id, _)| *id).collect();
        let rows = store::statements::by_ids(&mut *conn, &statement_ids).await?;
        for statement in statements::assemble(&mut *conn, rows).await? {
            created.push(("statement", statement.id, record_json(&statement)?));
        }
        bulk::record_creations(&mut *conn, &self.by, &created).await?;
        let new_actors: HashSet<Uuid> = actor_ids.iter().copied().collect();
        let mut holders: Vec<Uuid> = roles
            .iter()
            .map(|(_, holder, _)| *holder)
            .filter(|h| !new_actors.contains(h))
            .collect();
        holders.sort_unstable();
        holders.dedup();
        for holder in holders {
            actors::record_update(&mut *conn, holder, &self.by).await?;
        }

        self.summary.citations += citations.len();
        self.summary.actors += actors.len();
        self.summary.roles += roles.len();
        self.summary.visits += visits.len();
        self.summary.statements += statements.len();
        Ok(())
    }
}

/// Imports a whole NDJSON text in one transaction (the demo data, tests).
pub async fn import_text(
    pool: &PgPool,
    text: &str,
    by: &str,
) -> Result<std::result::Result<ImportSummary, Vec<LineError>>, ApiError> {
    let mut tx = pool.begin().await?;
    let mut importer = Importer::new(&mut tx, by);
    for line in text.lines() {
        importer.push(line).await?;
        if importer.gave_up() {
            break;
        }
    }
    let outcome = importer.finish().await?;
    if outcome.is_ok() {
        tx.commit().await?;
    }
    Ok(outcome)
}

// Export: the same line format, ids kept, references by id, in dependency order.

#[derive(Serialize)]
struct Line<T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: Uuid,
    #[serde(flatten)]
    body: T,
}

#[derive(Serialize)]
struct LinkOut<'a> {
    citation_id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    locator: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quote: &'a Option<String>,
}

fn links(citations: &[crate::records::links::CitationRef]) -> Vec<LinkOut<'_>> {
    citations
        .iter()
        .map(|c| LinkOut {
            citation_id: c.citation.id,
            locator: &c.locator,
            quote: &c.quote,
        })
        .collect()
}

fn none<T>(value: &&Option<T>) -> bool {
    value.is_none()
}

#[derive(Serialize)]
struct CitationOut<'a> {
    source: &'a Source,
    #[serde(skip_serializing_if = "none")]
    url: &'a Option<WebUrl>,
    #[serde(skip_serializing_if = "none")]
    title: &'a Option<CitationTitle>,
    #[serde(skip_serializing_if = "<[Author]>::is_empty")]
    authors: &'a [Author],
    #[serde(skip_serializing_if = "Option::is_none")]
    published_on: Option<PartialDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accessed_on: Option<chrono::NaiveDate>,
    #[serde(skip_serializing_if = "none")]
    language: &'a Option<LanguageTag>,
    #[serde(skip_serializing_if = "none")]
    excerpt: &'a Option<Excerpt>,
    #[serde(skip_serializing_if = "none")]
    archive_url: &'a Option<WebUrl>,
}

#[derive(Serialize)]
struct ActorOut<'a> {
    slug: &'a str,
    kind: crate::domain::ActorKind,
    name: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    aliases: &'a [String],
    #[serde(skip_serializing_if = "none")]
    country_code: &'a Option<String>,
    #[serde(skip_serializing_if = "none")]
    wikidata_id: &'a Option<String>,
    #[serde(skip_serializing_if = "none")]
    description: &'a Option<String>,
}

#[derive(Serialize)]
struct RoleOut<'a> {
    actor_id: Uuid,
    of_actor_id: Uuid,
    title: &'a Title,
    #[serde(skip_serializing_if = "Option::is_none")]
    rank: Option<RoleRank>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<PartialDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<PartialDate>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    citations: Vec<LinkOut<'a>>,
}

#[derive(Serialize)]
struct VisitOut<'a> {
    visitor_ids: Vec<Uuid>,
    host_id: Uuid,
    #[serde(skip_serializing_if = "none")]
    place: &'a Option<Place>,
    #[serde(skip_serializing_if = "none")]
    country_code: &'a Option<CountryCode>,
    start: PartialDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<PartialDate>,
    kind: VisitKind,
    #[serde(skip_serializing_if = "none")]
    occasion: &'a Option<Occasion>,
    #[serde(skip_serializing_if = "none")]
    summary: &'a Option<Summary>,
    citations: Vec<LinkOut<'a>>,
}

#[derive(Serialize)]
struct SubjectOut {
    actor_id: Uuid,
    stance: Stance,
}

#[derive(Serialize)]
struct StatementOut<'a> {
    speaker_id: Uuid,
    /// Only when given: a derived one is derived again on import.
    #[serde(skip_serializing_if = "Option::is_none")]
    on_behalf_of_id: Option<Uuid>,
    stated_on: PartialDate,
    kind: StatementKind,
    text: &'a StatementText,
    verbatim: bool,
    #[serde(skip_serializing_if = "none")]
    language: &'a Option<LanguageTag>,
    #[serde(skip_serializing_if = "<[Topic]>::is_empty")]
    topics: &'a [Topic],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subjects: Vec<SubjectOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    visit_id: Option<Uuid>,
    citations: Vec<LinkOut<'a>>,
}

fn push_line<T: Serialize>(
    out: &mut Vec<u8>,
    kind: &'static str,
    id: Uuid,
    body: T,
) -> Result<(), ApiError> {
    serde_json::to_writer(&mut *out, &Line { kind, id, body })
        .map_err(|e| ApiError::Internal(e.into()))?;
    out.push(b'\n');
    Ok(())
}

/// One page of an export: the NDJSON of up to `limit` records of `kind` after `after` (by
/// id), and the last id written.
pub async fn export_page(
    conn: &mut PgConnection,
    kind: Kind,
    after: Uuid,
    limit: i64,
) -> Result<(Vec<u8>, Option<Uuid>), ApiError> {
    let mut ids: Vec<Uuid> = sqlx::query_scalar(&format!(
        "SELECT id FROM {} WHERE id > $1 ORDER BY id LIMIT $2",
        kind.table()
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    ids.sort_unstable();
    let last = ids.last().copied();
    let mut out = Vec::new();
    match kind {
        Kind::Citation => {
            let mut rows = store::citations::by_ids(conn, &ids).await?;
            rows.sort_by_key(|r| r.id);
            for row in rows {
                let c = Citation::from_row(row);
                push_line(
                    &mut out,
                    "citation",
                    c.id,
                    CitationOut {
                        source: &c.source,
                        url: &c.url,
                        title: &c.title,
                        authors: &c.authors,
                        published_on: c.published_on,
                        accessed_on: c.accessed_on,
                        language: &c.language,
                        excerpt: &c.excerpt,
                        archive_url: &c.archive_url,
                    },
                )?;
            }
        }
        Kind::Actor => {
            let mut rows = store::actors::by_ids(conn, &ids).await?;
            rows.sort_by_key(|r| r.id);
            for a in rows {
                push_line(
                    &mut out,
                    "actor",
                    a.id,
                    ActorOut {
                        slug: &a.slug,
                        kind: a.kind,
                        name: &a.name,
                        aliases: &a.aliases,
                        country_code: &a.country_code,
                        wikidata_id: &a.wikidata_id,
                        description: &a.description,
                    },
                )?;
            }
        }
        Kind::Role => {
            let rows = store::roles::by_ids(&mut *conn, &ids).await?;
            let mut all = roles::assemble(conn, rows).await?;
            all.sort_by_key(|r| r.id);
            for r in &all {
                push_line(
                    &mut out,
                    "role",
                    r.id,
                    RoleOut {
                        actor_id: r.actor_id,
                        of_actor_id: r.of_actor_id,
                        title: &r.title,
                        rank: r.rank,
                        start: r.start,
                        end: r.end,
                        citations: links(&r.citations),
                    },
                )?;
            }
        }
        Kind::Visit => {
            let rows = store::visits::by_ids(&mut *conn, &ids).await?;
            let mut all = visits::assemble(conn, rows).await?;
            all.sort_by_key(|v| v.id);
            for v in &all {
                push_line(
                    &mut out,
                    "visit",
                    v.id,
                    VisitOut {
                        visitor_ids: v.visitors.iter().map(|a| a.id).collect(),
                        host_id: v.host.id,
                        place: &v.place,
                        country_code: &v.country_code,
                        start: v.start,
                        end: v.end,
                        kind: v.kind,
                        occasion: &v.occasion,
                        summary: &v.summary,
                        citations: links(&v.citations),
                    },
                )?;
            }
        }
        Kind::Statement => {
            let rows = store::statements::by_ids(&mut *conn, &ids).await?;
            let mut all = statements::assemble(conn, rows).await?;
            all.sort_by_key(|s| s.id);
            for s in &all {
                push_line(
                    &mut out,
                    "statement",
                    s.id,
                    StatementOut {
                        speaker_id: s.speaker.id,
                        on_behalf_of_id: match s.on_behalf_of_role_id {
                            None => s.on_behalf_of.as_ref().map(|a| a.id),
                            Some(_) => None,
                        },
                        stated_on: s.stated_on,
                        kind: s.kind,
                        text: &s.text,
                        verbatim: s.verbatim,
                        language: &s.language,
                        topics: &s.topics,
                        subjects: s
                            .subjects
                            .iter()
                            .map(|x| SubjectOut {
                                actor_id: x.actor.id,
                                stance: x.stance,
                            })
                            .collect(),
                        visit_id: s.visit_id,
                        citations: links(&s.citations),
                    },
                )?;
            }
        }
    }
    Ok((out, last))
}
