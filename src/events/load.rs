//! Loading event data in the caller's transaction, a batch of rows at a time: rows already
//! read are passed over, the actors and stories they name are found or made, the rows of one
//! event become one record (or join the one an earlier row made), and every row is noted
//! against its record.
//!
//! All or nothing, as the NDJSON import: every faulty line is reported (up to
//! `bulk::MAX_ERRORS`), and once one is found nothing more is written, so that the caller's
//! rollback leaves nothing behind. Memory grows with the batch, not the file: what lasts is
//! the actors by name and the citations by story (the dataset's vocabulary, not its rows).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use super::group::{Group, join, new_interaction, new_visit};
use super::resolve::{Known, story_key};
use super::{Becomes, Dataset, EventRow, Fault, Parsed, Read, Reader};
use crate::bulk::{ImportSummary, MAX_ERRORS, SkippedRows, renew_statistics};
use crate::domain::Resource;
use crate::domain::cameo::Placed;
use crate::error::{ApiError, LineError, Result};
use crate::records::interactions::Interaction;
use crate::records::visits::Visit;
use crate::records::{Record, json::parse_value, write_many};
use crate::store::events::{self as store, EventKey, EventRowRecord};

/// Rows read per batch.
const BATCH: usize = 2000;
/// Lines named per reason rows were skipped.
const LINES_NAMED: usize = 20;
/// How an import of event data reads its file.
#[derive(Debug, Clone)]
pub struct Options {
    /// The dataset file's citation: its title, such as the file's name.
    pub file: String,
    /// Rows of one event become one record (the default), or each row its own.
    pub merge: bool,
}

/// An import of event data in progress, in the caller's transaction.
pub struct EventLoader<'c> {
    conn: &'c mut PgConnection,
    by: String,
    dataset: Dataset,
    options: Options,
    reader: Reader,
    /// The records the last line completed.
    read: Vec<Parsed>,
    pending: Vec<(usize, EventRow)>,
    known: Known,
    summary: ImportSummary,
    skipped: BTreeMap<String, SkippedRows>,
    errors: Vec<LineError>,
    /// Whether this import holds the turn at importing event data ([`store::take_turn`]).
    turn: bool,
    /// Batches written so far.
    batches: u64,
}

impl<'c> EventLoader<'c> {
    pub fn new(
        conn: &'c mut PgConnection,
        by: impl Into<String>,
        dataset: Dataset,
        options: Options,
    ) -> Self {
        Self {
            conn,
            by: by.into(),
            dataset,
            reader: Reader::new(dataset),
            read: Vec::new(),
            options,
            pending: Vec::new(),
            known: Known::new(dataset),
            summary: ImportSummary::default(),
            skipped: BTreeMap::new(),
            errors: Vec::new(),
            turn: false,
            batches: 0,
        }
    }

    /// Whether enough errors were found to stop reading (or the header could not be read).
    pub fn gave_up(&self) -> bool {
        self.errors.len() >= MAX_ERRORS || self.reader.stuck()
    }

    /// Takes one line (without its newline).
    pub async fn push(&mut self, bytes: &[u8]) -> Result<()> {
        self.summary.lines += 1;
        let line = self.summary.lines;
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let mut read = std::mem::take(&mut self.read);
        self.reader.line(line, bytes, &mut read);
        self.take(&mut read);
        self.read = read;
        if self.pending.len() >= BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    /// Keeps the rows read, notes the records skipped, and refuses the faulty.
    fn take(&mut self, read: &mut Vec<Parsed>) {
        for (line, parsed) in read.drain(..) {
            match parsed {
                Ok(Read::Row(row)) => self.pending.push((line, *row)),
                Ok(Read::Skipped(reason)) => self.skip(line, reason),
                Err(faults) => self.refuse(line, faults),
            }
        }
    }

    /// Ends the import: what it made, or every line refused (the caller then rolls back).
    pub async fn finish(mut self) -> Result<std::result::Result<ImportSummary, Vec<LineError>>> {
        let mut read = std::mem::take(&mut self.read);
        self.reader.end(self.summary.lines, &mut read);
        self.take(&mut read);
        self.flush().await?;
        if !self.errors.is_empty() {
            self.errors.sort_by_key(|e| e.line);
            return Ok(Err(self.errors));
        }
        self.summary.actors = self.known.made_actors;
        self.summary.citations = self.known.made_citations;
        self.summary.skipped = self.skipped.into_values().collect();
        Ok(Ok(self.summary))
    }

    fn refuse(&mut self, line: usize, faults: Vec<Fault>) {
        for (pointer, detail) in faults {
            if self.errors.len() < MAX_ERRORS {
                self.errors.push(LineError {
                    line,
                    pointer,
                    detail,
                });
            }
        }
    }

    fn skip(&mut self, line: usize, reason: String) {
        let entry = self
            .skipped
            .entry(reason.clone())
            .or_insert_with(|| SkippedRows {
                reason,
                rows: 0,
                lines: Vec::new(),
            });
        entry.rows += 1;
        if entry.lines.len() < LINES_NAMED {
            entry.lines.push(line);
        }
    }

    /// Writes the rows read since the last batch, unless a line was refused.
    async fn flush(&mut self) -> Result<()> {
        let pending = std::mem::take(&mut self.pending);
        if pending.is_empty() || !self.errors.is_empty() {
            return Ok(());
        }
        if !self.turn && !store::take_turn(&mut *self.conn).await? {
            return Err(ApiError::TooManyRequests {
                detail: "another import of event data is running; retry when it has finished"
                    .into(),
                retry_after: 10,
            });
        }
        self.turn = true;
        // Rows read before, by this import or an earlier one.
        let keys: Vec<(String, NaiveDate)> = pending
            .iter()
            .map(|(_, row)| (row.event_id.clone(), row.date))
            .collect();
        let dataset = self.dataset;
        let mut seen = store::imported(&mut *self.conn, dataset.name(), &keys).await?;
        let mut fresh: Vec<(usize, EventRow)> = Vec::with_capacity(pending.len());
        for (line, row) in pending {
            if seen.insert((row.event_id.clone(), row.date)) {
                fresh.push((line, row));
            } else {
                self.summary.rows_repeated += 1;
            }
        }
        // What each row becomes; only rows that become something name actors and stories.
        let mut placed_rows: Vec<(usize, &EventRow, bool, Option<Placed>)> = Vec::new();
        for (line, row) in &fresh {
            match &row.becomes {
                Becomes::Visit { source_travels } => {
                    placed_rows.push((*line, row, *source_travels, None));
                }
                Becomes::Interaction(placed) => {
                    placed_rows.push((*line, row, true, Some(placed.clone())));
                }
            }
        }
        let rows: Vec<&EventRow> = placed_rows.iter().map(|(_, row, _, _)| *row).collect();
        let sides = self.known.sides(&mut *self.conn, &self.by, &rows).await?;
        let mut kept = Vec::with_capacity(placed_rows.len());
        for ((line, row, source_first, placed), (source, target)) in
            placed_rows.into_iter().zip(sides)
        {
            let (from, to) = if source_first {
                (source, target)
            } else {
                (target, source)
            };
            let reason = if from.principal == to.principal {
                Some("both sides count for the same state or organization (an event within it)")
            } else if from.participant == to.participant {
                Some("the source and the target are the same actor")
            } else if placed.is_none() && from.participant == to.principal {
                Some("the visitor is the host")
            } else {
                None
            };
            match reason {
                Some(reason) => self.skip(line, reason.to_owned()),
                None => kept.push((line, row, from, to, placed)),
            }
        }
        let rows: Vec<&EventRow> = kept.iter().map(|(_, row, ..)| *row).collect();
        let file = self.options.file.clone();
        self.known
            .cite(&mut *self.conn, &self.by, &file, &rows)
            .await?;
        let file_citation = self.known.citations.get(&format!("file:{file}")).copied();
        let mut groups: Vec<Group> = Vec::new();
        let mut by_key: HashMap<EventKey, usize> = HashMap::new();
        for (line, row, from, to, placed) in kept {
            let key = EventKey {
                date: row.date,
                from: from.principal,
                to: to.principal,
                event_type: placed.as_ref().map(|p| p.event_type),
            };
            let story = self.known.citations.get(&story_key(&row.story.id)).copied();
            let (Some(story), Some(file_citation)) = (story, file_citation) else {
                return Err(ApiError::Internal(anyhow::anyhow!(
                    "a citation of the batch was neither found nor made"
                )));
            };
            let citations = [
                (story, row.story.locator.clone(), row.story.quote.clone()),
                (file_citation, format!("event {}", row.event_id), None),
            ];
            let at = match by_key.get(&key) {
                Some(at) if self.options.merge => *at,
                _ => {
                    by_key.insert(key, groups.len());
                    groups.push(Group {
                        key,
                        first: line,
                        placed: placed
                            .map(|p| (p, row.code.as_ref().map(|c| c.as_str().to_owned()))),
                        place: row.place.as_ref().map(|p| p.as_str().to_owned()),
                        from: Vec::new(),
                        to: Vec::new(),
                        citations: Vec::new(),
                        rows: Vec::new(),
                    });
                    groups.len() - 1
                }
            };
            let group = &mut groups[at];
            group.add(from, to, citations);
            group.rows.push((row.event_id.clone(), row.date));
        }
        self.write(groups).await?;
        self.batches += 1;
        renew_statistics(&mut *self.conn, self.batches).await
    }

    /// Each group joins the record of its event, or becomes one.
    async fn write(&mut self, groups: Vec<Group>) -> Result<()> {
        let existing = if self.options.merge {
            let keys: Vec<EventKey> = groups.iter().map(|g| g.key).collect();
            store::records_of(&mut *self.conn, &keys).await?
        } else {
            HashMap::new()
        };
        let mut noted: Vec<EventRowRecord> = Vec::new();
        let (mut new_visits, mut new_interactions) = (Vec::new(), Vec::new());
        let (mut joined_visits, mut joined_interactions) = (HashMap::new(), HashMap::new());
        for group in groups {
            let (id, merged) = match existing.get(&group.key) {
                Some(id) => (*id, group.rows.len()),
                None => (Uuid::now_v7(), group.rows.len() - 1),
            };
            self.summary.rows_merged += merged;
            let kind = match group.key.event_type {
                None => Resource::Visit,
                Some(_) => Resource::Interaction,
            };
            noted.extend(group.rows.iter().map(|(event_id, date)| EventRowRecord {
                event_id: event_id.clone(),
                date: *date,
                kind,
                record: id,
            }));
            match (existing.contains_key(&group.key), kind) {
                (false, Resource::Visit) => new_visits.push((id, group)),
                (false, _) => new_interactions.push((id, group)),
                (true, Resource::Visit) => {
                    joined_visits.insert(id, group);
                }
                (true, _) => {
                    joined_interactions.insert(id, group);
                }
            }
        }
        self.summary.visits += new_visits.len();
        self.summary.interactions += new_interactions.len();
        let visits = self.prepare::<Visit>(new_visits, new_visit);
        let interactions = self.prepare::<Interaction>(new_interactions, new_interaction);
        if !self.errors.is_empty() {
            return Ok(());
        }
        let conn = &mut *self.conn;
        write_many::<Visit>(&mut *conn, &self.by, &visits, false).await?;
        write_many::<Interaction>(&mut *conn, &self.by, &interactions, false).await?;
        join::<Visit>(&mut *conn, &self.by, joined_visits).await?;
        join::<Interaction>(&mut *conn, &self.by, joined_interactions).await?;
        store::remember_rows(conn, self.dataset.name(), &noted).await?;
        Ok(())
    }
}

impl EventLoader<'_> {
    /// Checks each new record as a create would; one that fails is refused on the line of its
    /// first row (a row whose values pass on their own but not together).
    fn prepare<R: Record>(
        &mut self,
        groups: Vec<(Uuid, Group)>,
        body: fn(&Group) -> serde_json::Value,
    ) -> Vec<(Uuid, R::Row)> {
        let mut rows = Vec::with_capacity(groups.len());
        for (id, group) in groups {
            match parse_value(body(&group)).and_then(|input| R::prepare(None, input)) {
                Ok(row) => rows.push((id, row)),
                Err(error) => self.refuse(group.first, faults(error)),
            }
        }
        rows
    }
}

/// An error as the faults of a line.
fn faults(error: ApiError) -> Vec<Fault> {
    match error {
        ApiError::BadRequest { errors, .. } | ApiError::Unprocessable { errors, .. }
            if !errors.is_empty() =>
        {
            errors.into_iter().map(|e| (e.pointer, e.detail)).collect()
        }
        other => vec![("#".to_owned(), other.problem().detail.unwrap_or_default())],
    }
}
