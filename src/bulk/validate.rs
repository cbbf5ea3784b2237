//! Checking an import line as a single write would be checked: each record's rules, repeats
//! within the file, then, a batch at a time, what the database already holds.

use std::collections::HashMap;

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::domain::Resource;
use crate::error::ApiError;
use crate::records::Record;
use crate::records::kinds::ForKind;
use crate::records::named::{each_reference, missing, no_such};
use crate::store::bulk;

use super::{Batch, Importer, LineResult, from_api, one, parse};

/// A line of a known kind, to check and stage.
pub(super) struct Staging<'i, 'c> {
    pub importer: &'i mut Importer<'c>,
    pub line: usize,
    pub id: Uuid,
    pub map: Map<String, Value>,
    /// References to records outside the file: `(pointer, kind, id)`.
    pub external: &'i mut Vec<(String, Resource, Uuid)>,
}

impl ForKind for Staging<'_, '_> {
    type Output = LineResult<()>;

    /// Resolves the line's references, reads and checks it as a create would, and stages it;
    /// a value that must be unique may not repeat an earlier line's.
    async fn apply<R: Record>(self) -> LineResult<()> {
        let Staging {
            importer,
            line,
            id,
            mut map,
            external,
        } = self;
        let parent = match R::PARENT {
            None => None,
            Some(field) => {
                let pointer = format!("#/{}", field.field);
                let mut value = map
                    .remove(field.field)
                    .ok_or_else(|| one(&pointer, "is required: the record's parent"))?;
                importer.resolve(&mut value, pointer.clone(), field.kind, external)?;
                let id = value.as_str().and_then(|v| Uuid::try_parse(v).ok());
                Some(id.ok_or_else(|| one(pointer, "is not an id"))?)
            }
        };
        each_reference(&mut map, R::REFERENCES, |pointer, kind, value| {
            importer.resolve(value, pointer, kind, external)
        })?;
        let input: R::New = parse(map)?;
        let row = R::prepare(parent, input).map_err(from_api)?;
        let unique = R::unique(&row);
        for value in &unique {
            let seen = (value.table, value.column, value.value.clone());
            if !importer.unique.insert(seen) {
                return Err(one(value.pointer, value.repeated.clone()));
            }
        }
        let batch = &mut importer.batch;
        batch.rows::<R>().map_err(from_api)?.push((line, id, row));
        batch.ids.push((line, R::RESOURCE, id));
        batch.unique.extend(unique.into_iter().map(|u| (line, u)));
        Ok(())
    }
}

impl Importer<'_> {
    /// Refuses the lines of a batch that name records the database does not have, reuse the
    /// id of a record it has (or had), or take a value a stored record holds.
    pub(super) async fn check_against_database(&mut self, batch: &Batch) -> Result<(), ApiError> {
        let conn = &mut *self.conn;
        let mut refused: Vec<(usize, String, String)> = Vec::new();
        let named = batch.external.iter().map(|(_, _, kind, id)| (*kind, *id));
        let missing = missing(&mut *conn, named).await?;
        // A reference to a record merged away says where it went (a body names records, it
        // does not follow redirects).
        let gone: Vec<Uuid> = missing.iter().map(|(_, id)| *id).collect();
        let merged = bulk::ended(&mut *conn, &gone).await?;
        for (line, pointer, kind, id) in &batch.external {
            if missing.contains(&(*kind, *id)) {
                let detail = match merged.get(id) {
                    Some(Some(into)) => format!(
                        "{}: it was merged into {into}; name that one",
                        no_such(*kind)
                    ),
                    _ => no_such(*kind),
                };
                refused.push((*line, pointer.clone(), detail));
            }
        }
        for kind in Resource::ALL {
            let lines: Vec<(usize, Uuid)> = batch
                .ids
                .iter()
                .filter(|(_, k, _)| *k == kind)
                .map(|(line, _, id)| (*line, *id))
                .collect();
            if lines.is_empty() {
                continue;
            }
            let ids: Vec<Uuid> = lines.iter().map(|(_, id)| *id).collect();
            let taken = bulk::existing(&mut *conn, kind.plural(), &ids).await?;
            // The id of a record deleted or merged away stays reserved: its revisions must
            // not run on into another record's, nor a merged id serve an impostor.
            let ended = bulk::ended(&mut *conn, &ids).await?;
            for (line, id) in lines {
                let detail = if taken.contains(&id) {
                    format!("a {kind} with this id already exists")
                } else {
                    match ended.get(&id) {
                        None => continue,
                        Some(None) => {
                            "was the id of a deleted record; deleted ids are never reused".into()
                        }
                        Some(Some(into)) => format!(
                            "was the id of the {kind} merged into {into}; merged ids are never \
                             reused (name {into} instead)"
                        ),
                    }
                };
                refused.push((line, "#/id".into(), detail));
            }
        }
        let mut by_column: HashMap<(&str, &str), Vec<String>> = HashMap::new();
        for (_, unique) in &batch.unique {
            by_column
                .entry((unique.table, unique.column))
                .or_default()
                .push(unique.value.clone());
        }
        for ((table, column), values) in by_column {
            let taken = bulk::taken(&mut *conn, table, column, &values).await?;
            for (line, unique) in &batch.unique {
                if (unique.table, unique.column) == (table, column) && taken.contains(&unique.value)
                {
                    refused.push((*line, unique.pointer.into(), unique.taken.clone()));
                }
            }
        }
        refused.sort_by_key(|(line, _, _)| *line);
        for (line, pointer, detail) in refused {
            self.refuse(line, vec![(pointer, detail)]);
        }
        Ok(())
    }
}
