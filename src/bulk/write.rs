//! Writing a checked batch: each kind's rows in one go, as a create stores them, then the
//! change feed.

use std::collections::HashSet;
use std::time::Instant;

use uuid::Uuid;

use crate::domain::Resource;
use crate::error::ApiError;
use crate::records::kinds::{ForKind, for_kind};
use crate::records::{Record, actors};
use crate::store;

use super::{Batch, Importer, record_json};

/// One kind's rows of a batch, to store; gives their ids.
struct Storing<'i, 'c> {
    importer: &'i mut Importer<'c>,
    batch: &'i mut Batch,
}

impl ForKind for Storing<'_, '_> {
    type Output = Result<Vec<Uuid>, ApiError>;

    async fn apply<R: Record>(self) -> Self::Output {
        let rows: Vec<(Uuid, R::Row)> = std::mem::take(self.batch.rows::<R>()?)
            .into_iter()
            .map(|(_, id, row)| (id, row))
            .collect();
        if !rows.is_empty() {
            R::store(&mut *self.importer.conn, &rows, false).await?;
            self.importer.summary.add(R::RESOURCE, rows.len());
        }
        Ok(rows.into_iter().map(|(id, _)| id).collect())
    }
}

/// New records of one kind, read back as `GET` shows them for the change log.
struct ReadingBack<'i, 'c> {
    importer: &'i mut Importer<'c>,
    ids: &'i [Uuid],
    created: &'i mut Vec<(Resource, Uuid, Vec<u8>)>,
    /// The actors whose representation embeds a new record (a role's holder).
    holders: &'i mut Vec<Uuid>,
}

impl ForKind for ReadingBack<'_, '_> {
    type Output = Result<(), ApiError>;

    async fn apply<R: Record>(self) -> Self::Output {
        for record in R::load_many(&mut *self.importer.conn, self.ids).await? {
            self.holders.extend(record.holder());
            let json = record_json(&record)?;
            self.created.push((R::RESOURCE, record.id(), json));
        }
        Ok(())
    }
}

impl Importer<'_> {
    pub(super) async fn write(&mut self, mut batch: Batch) -> Result<(), ApiError> {
        let started = Instant::now();
        let mut stored = Vec::new();
        for kind in Resource::ALL {
            let storing = Storing {
                importer: self,
                batch: &mut batch,
            };
            stored.push((kind, for_kind(kind, storing).await?));
        }
        let inserted = Instant::now();
        self.timings.insert += inserted - started;
        // Read back once every kind is stored: a new actor's record shows its new roles.
        let mut created = Vec::new();
        let mut holders = Vec::new();
        for (kind, ids) in &stored {
            let reading = ReadingBack {
                importer: self,
                ids,
                created: &mut created,
                holders: &mut holders,
            };
            for_kind(*kind, reading).await?;
        }
        self.timings.read_back += inserted.elapsed();
        // The change log: each new record as GET shows it, and the holders of new roles
        // that were there before (their representation now embeds the role).
        let started = Instant::now();
        let conn = &mut *self.conn;
        store::changes::record_creations(&mut *conn, &self.by, &created).await?;
        let new: HashSet<Uuid> = created.iter().map(|(_, id, _)| *id).collect();
        holders.retain(|h| !new.contains(h));
        holders.sort_unstable();
        holders.dedup();
        // All of a batch's at once: one file of people each with a role would otherwise
        // reload its people one by one.
        let rows = store::actors::by_ids(&mut *conn, &holders).await?;
        let mut updated = Vec::with_capacity(rows.len());
        for actor in actors::with_roles(&mut *conn, rows).await? {
            updated.push((actor.id, record_json(&actor)?));
        }
        store::changes::record_updates(&mut *conn, &self.by, Resource::Actor, &updated).await?;
        self.timings.change_log += started.elapsed();
        Ok(())
    }
}
