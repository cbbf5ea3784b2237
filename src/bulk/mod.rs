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

pub mod export;
mod read;
mod validate;
mod write;

use std::any::Any;
use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use sqlx::{PgConnection, PgPool};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::Resource;
pub use crate::error::LineError;
use crate::error::{ApiError, FieldError};
use crate::records::{Record, Unique};

/// Lines written per batch at most...
const BATCH: usize = 2000;
/// ...and bytes of them: a batch of long lines is cut short, so an import's memory is
/// bounded by this (and one line), not by 2,000 of the longest lines.
pub const BATCH_BYTES: usize = 8 * 1024 * 1024;
/// Errors reported at most; the import stops checking after that many.
pub const MAX_ERRORS: usize = 1000;
/// The longest line accepted.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

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
    /// Absent when none were imported: files written before interactions existed read the
    /// same summary as before.
    #[serde(skip_serializing_if = "is_zero")]
    #[schema(required = false)]
    pub interactions: usize,
    /// Event data: rows that joined the record of another row of the same event (the same
    /// day, principals and type), from this file or an earlier one: one event, many stories.
    #[serde(skip_serializing_if = "is_zero")]
    #[schema(required = false)]
    pub rows_merged: usize,
    /// Event data: rows an earlier import (or an earlier line) read already, by the dataset's
    /// event id and date; nothing was made of them.
    #[serde(skip_serializing_if = "is_zero")]
    #[schema(required = false)]
    pub rows_repeated: usize,
    /// Event data: rows nothing was made of, by reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub skipped: Vec<SkippedRows>,
}

/// Rows of event data an import made nothing of, for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SkippedRows {
    pub reason: String,
    pub rows: usize,
    /// The lines of the first of them (at most 20).
    pub lines: Vec<usize>,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

impl ImportSummary {
    pub fn count(&self, kind: Resource) -> usize {
        match kind {
            Resource::Citation => self.citations,
            Resource::Actor => self.actors,
            Resource::Role => self.roles,
            Resource::Visit => self.visits,
            Resource::Statement => self.statements,
            Resource::Interaction => self.interactions,
        }
    }

    pub fn add(&mut self, kind: Resource, records: usize) {
        match kind {
            Resource::Citation => self.citations += records,
            Resource::Actor => self.actors += records,
            Resource::Role => self.roles += records,
            Resource::Visit => self.visits += records,
            Resource::Statement => self.statements += records,
            Resource::Interaction => self.interactions += records,
        }
    }

    /// Records created, of every kind.
    pub fn total(&self) -> usize {
        Resource::ALL.iter().map(|kind| self.count(*kind)).sum()
    }
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let each: Vec<String> = Resource::ALL
            .iter()
            .map(|kind| format!("{} {}", self.count(*kind), kind.plural()))
            .collect();
        f.write_str(&each.join(", "))
    }
}

/// Where an import's time went, step by step (logged when it finishes).
#[derive(Debug, Default, Clone, Copy)]
pub struct Timings {
    /// Reading and checking lines on their own (JSON, fields, rules).
    pub parse: std::time::Duration,
    /// Checking batches against the database (references, repeats).
    pub check: std::time::Duration,
    /// Inserting the records and their links.
    pub insert: std::time::Duration,
    /// Reading the new records back as `GET` shows them, for the change log.
    pub read_back: std::time::Duration,
    /// Writing the change log.
    pub change_log: std::time::Duration,
}

/// The lines staged since the last write.
#[derive(Default)]
struct Batch {
    /// Each kind's rows, as `Vec<Staged<R>>` for the kind's type (see [`Batch::rows`]).
    rows: HashMap<Resource, Box<dyn Any>>,
    /// Every line's kind and id: `(line, kind, id)`.
    ids: Vec<(usize, Resource, Uuid)>,
    /// Values no stored record may have: `(line, value)`.
    unique: Vec<(usize, Unique)>,
    /// References to records not in this file: `(line, pointer, kind, id)`.
    external: Vec<(usize, String, Resource, Uuid)>,
    /// The length of the lines staged.
    bytes: usize,
}

/// A line of one kind, checked as far as that needs no database: `(line, id, row)`.
type Staged<R> = (usize, Uuid, <R as Record>::Row);

impl Batch {
    fn len(&self) -> usize {
        self.ids.len()
    }

    /// The rows staged for `R`'s kind.
    fn rows<R: Record>(&mut self) -> Result<&mut Vec<Staged<R>>, ApiError> {
        self.rows
            .entry(R::RESOURCE)
            .or_insert_with(|| Box::new(Vec::<Staged<R>>::new()))
            .downcast_mut()
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("rows of another kind staged")))
    }
}

/// An import in progress, in the caller's transaction.
pub struct Importer<'c> {
    conn: &'c mut PgConnection,
    by: String,
    keys: HashMap<String, (Resource, Uuid)>,
    /// Ids and unique values (slugs, URLs…) of the batch not yet written, to find repeats
    /// within it; repeats of earlier batches are found in the database, where those are
    /// written. So memory grows with the batch, not the file (only `keys` grows, with the
    /// lines that define one).
    defined: HashSet<(Resource, Uuid)>,
    unique: HashSet<(&'static str, &'static str, String)>,
    batch: Batch,
    /// Whether every earlier batch was written, so the database knows what it defined.
    written_so_far: bool,
    errors: Vec<LineError>,
    summary: ImportSummary,
    timings: Timings,
    /// Batches written so far.
    batches: u64,
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
            unique: HashSet::new(),
            batch: Batch::default(),
            written_so_far: true,
            errors: Vec::new(),
            summary: ImportSummary::default(),
            timings: Timings::default(),
            batches: 0,
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
        self.summary.total()
    }

    /// Takes one line (without its newline).
    pub async fn push(&mut self, text: &str) -> Result<(), ApiError> {
        self.summary.lines += 1;
        let line = self.summary.lines;
        if text.trim().is_empty() {
            return Ok(());
        }
        let started = std::time::Instant::now();
        if let Err(errors) = self.stage(line, text).await {
            self.refuse(line, errors);
        }
        self.timings.parse += started.elapsed();
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
        let t = self.timings;
        tracing::info!(
            records = self.summary.total(),
            parse_ms = t.parse.as_millis() as u64,
            check_ms = t.check.as_millis() as u64,
            insert_ms = t.insert.as_millis() as u64,
            read_back_ms = t.read_back.as_millis() as u64,
            change_log_ms = t.change_log.as_millis() as u64,
            "import steps"
        );
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

    /// Checks the batch against the database and, while no line has been refused, writes it.
    async fn flush(&mut self) -> Result<(), ApiError> {
        let batch = std::mem::take(&mut self.batch);
        self.defined.clear();
        self.unique.clear();
        if batch.len() == 0 && batch.external.is_empty() {
            return Ok(());
        }
        if !self.written_so_far {
            // Once a batch is refused nothing more is written, so the database no longer
            // knows what earlier lines defined: later lines are only checked on their own.
            return Ok(());
        }
        let started = std::time::Instant::now();
        self.check_against_database(&batch).await?;
        self.timings.check += started.elapsed();
        if !self.errors.is_empty() {
            self.written_so_far = false; // Nothing is kept: check the rest, write nothing more.
            return Ok(());
        }
        self.write(batch).await?;
        self.batches += 1;
        let started = std::time::Instant::now();
        renew_statistics(&mut *self.conn, self.batches).await?;
        self.timings.insert += started.elapsed();
        Ok(())
    }
}

/// The planner knows the tables as they were before an import: a table that grows from
/// nothing inside the transaction is planned as empty, and lookups in it turn into scans that
/// slow every batch. Its statistics are renewed as it grows (after batches 4, 16, 64, …: a
/// few times per import, never for a small one), from the rows this transaction sees.
pub async fn renew_statistics(conn: &mut PgConnection, batches: u64) -> Result<(), ApiError> {
    if batches >= 4 && batches.is_power_of_two() && batches.trailing_zeros().is_multiple_of(2) {
        crate::store::bulk::analyze(conn).await?;
    }
    Ok(())
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
