//! Writing a checked batch: one statement per table, then the change feed.

use std::collections::HashSet;
use std::time::Instant;

use uuid::Uuid;

use crate::domain::{Claim, Resource};
use crate::error::ApiError;
use crate::records::citations::Citation;
use crate::records::{actors, roles, statements, visits};
use crate::store::actors::ActorFields;
use crate::store::citations::CitationFields;
use crate::store::links::LinkFields;
use crate::store::roles::RoleFields;
use crate::store::statements::StatementFields;
use crate::store::visits::VisitFields;
use crate::store::{self, bulk};

use super::{Batch, Importer, record_json};

impl Importer<'_> {
    pub(super) async fn write(&mut self, batch: Batch) -> Result<(), ApiError> {
        let started = Instant::now();
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
        bulk::insert_links(&mut *conn, Claim::ROLE, &role_links).await?;

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
        bulk::insert_links(&mut *conn, Claim::VISIT, &visit_links).await?;
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
        bulk::insert_links(&mut *conn, Claim::STATEMENT, &statement_links).await?;

        let inserted = Instant::now();
        self.timings.insert += inserted - started;

        // The change log: each new record as GET shows it, and the holders of new roles
        // that were there before (their representation now embeds the role).
        let mut created: Vec<(Resource, Uuid, Vec<u8>)> = Vec::new();
        let ids: Vec<Uuid> = citations.iter().map(|(id, _)| *id).collect();
        for row in store::citations::by_ids(&mut *conn, &ids).await? {
            created.push((
                Resource::Citation,
                row.id,
                record_json(&Citation::from_row(row))?,
            ));
        }
        let actor_ids: Vec<Uuid> = actors.iter().map(|(id, _)| *id).collect();
        let rows = store::actors::by_ids(&mut *conn, &actor_ids).await?;
        for actor in actors::with_roles(&mut *conn, rows).await? {
            created.push((Resource::Actor, actor.id, record_json(&actor)?));
        }
        let role_ids: Vec<Uuid> = roles.iter().map(|(id, _, _)| *id).collect();
        let rows = store::roles::by_ids(&mut *conn, &role_ids).await?;
        for role in roles::assemble(&mut *conn, rows).await? {
            created.push((Resource::Role, role.id, record_json(&role)?));
        }
        let rows = store::visits::by_ids(&mut *conn, &visit_ids).await?;
        for visit in visits::assemble(&mut *conn, rows).await? {
            created.push((Resource::Visit, visit.id, record_json(&visit)?));
        }
        let statement_ids: Vec<Uuid> = statements.iter().map(|(id, _)| *id).collect();
        let rows = store::statements::by_ids(&mut *conn, &statement_ids).await?;
        for statement in statements::assemble(&mut *conn, rows).await? {
            created.push((Resource::Statement, statement.id, record_json(&statement)?));
        }
        let read = Instant::now();
        self.timings.read_back += read - inserted;
        store::changes::record_creations(&mut *conn, &self.by, &created).await?;
        let new_actors: HashSet<Uuid> = actor_ids.iter().copied().collect();
        let mut holders: Vec<Uuid> = roles
            .iter()
            .map(|(_, holder, _)| *holder)
            .filter(|h| !new_actors.contains(h))
            .collect();
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
        self.timings.change_log += read.elapsed();

        self.summary.citations += citations.len();
        self.summary.actors += actors.len();
        self.summary.roles += roles.len();
        self.summary.visits += visits.len();
        self.summary.statements += statements.len();
        Ok(())
    }
}
