//! Checking an import line as a single write would be checked: each record's rules, repeats
//! within the file, then, a batch at a time, what the database already holds.

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::ApiError;
use crate::records::actors::NewActor;
use crate::records::citations::NewCitation;
use crate::records::roles::NewRole;
use crate::records::statements::NewStatement;
use crate::records::visits::NewVisit;
use crate::store::bulk;

use super::{Batch, Importer, LineResult, from_api, one, parse};
use crate::domain::Resource;

impl Importer<'_> {
    /// A citation: no URL twice in the file.
    pub(super) fn stage_citation(
        &mut self,
        line: usize,
        id: Uuid,
        map: Map<String, Value>,
    ) -> LineResult<()> {
        let input: NewCitation = parse(map)?;
        if let Some(url) = &input.url
            && !self.urls.insert(url.as_str().to_owned())
        {
            return Err(one("#/url", "is cited by an earlier line; cite that one"));
        }
        let fields = input.into_fields().map_err(from_api)?;
        self.batch.citations.push((line, id, fields));
        Ok(())
    }

    /// An actor: no slug or Wikidata id twice in the file.
    pub(super) fn stage_actor(
        &mut self,
        line: usize,
        id: Uuid,
        map: Map<String, Value>,
    ) -> LineResult<()> {
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
        Ok(())
    }

    /// A role: its holder and references resolved, its period in order, not held in its own actor.
    pub(super) fn stage_role(
        &mut self,
        line: usize,
        id: Uuid,
        mut map: Map<String, Value>,
        external: &mut Vec<(String, Resource, Uuid)>,
    ) -> LineResult<()> {
        let mut holder = map
            .remove("actor_id")
            .ok_or_else(|| one("#/actor_id", "is required: the role's holder"))?;
        self.resolve(&mut holder, "#/actor_id".into(), Resource::Actor, external)?;
        let holder = holder
            .as_str()
            .and_then(|h| Uuid::try_parse(h).ok())
            .ok_or_else(|| one("#/actor_id", "is not an id"))?;
        self.resolve_field(&mut map, "of_actor_id", Resource::Actor, external)?;
        self.resolve_list(
            &mut map,
            "citations",
            Some("citation_id"),
            Resource::Citation,
            external,
        )?;
        let input: NewRole = parse(map)?;
        let (fields, links) = input.into_parts().map_err(from_api)?;
        if fields.of_actor_id == holder {
            return Err(one(
                "#/of_actor_id",
                "an actor cannot hold a role in itself",
            ));
        }
        self.batch.roles.push((line, id, holder, fields, links));
        Ok(())
    }

    /// A visit: references resolved, its period in order, no visitor twice nor the host.
    pub(super) fn stage_visit(
        &mut self,
        line: usize,
        id: Uuid,
        mut map: Map<String, Value>,
        external: &mut Vec<(String, Resource, Uuid)>,
    ) -> LineResult<()> {
        self.resolve_list(&mut map, "visitor_ids", None, Resource::Actor, external)?;
        self.resolve_field(&mut map, "host_id", Resource::Actor, external)?;
        self.resolve_list(
            &mut map,
            "citations",
            Some("citation_id"),
            Resource::Citation,
            external,
        )?;
        let input: NewVisit = parse(map)?;
        let (fields, links) = input.into_parts().map_err(from_api)?;
        self.batch.visits.push((line, id, fields, links));
        Ok(())
    }

    /// A statement: references resolved, no subject twice.
    pub(super) fn stage_statement(
        &mut self,
        line: usize,
        id: Uuid,
        mut map: Map<String, Value>,
        external: &mut Vec<(String, Resource, Uuid)>,
    ) -> LineResult<()> {
        self.resolve_field(&mut map, "speaker_id", Resource::Actor, external)?;
        self.resolve_field(&mut map, "on_behalf_of_id", Resource::Actor, external)?;
        self.resolve_field(&mut map, "visit_id", Resource::Visit, external)?;
        self.resolve_list(
            &mut map,
            "subjects",
            Some("actor_id"),
            Resource::Actor,
            external,
        )?;
        self.resolve_list(
            &mut map,
            "citations",
            Some("citation_id"),
            Resource::Citation,
            external,
        )?;
        let input: NewStatement = parse(map)?;
        let (fields, links) = input.into_parts().map_err(from_api)?;
        self.batch.statements.push((line, id, fields, links));
        Ok(())
    }

    pub(super) async fn check_against_database(&mut self, batch: &Batch) -> Result<(), ApiError> {
        let conn = &mut *self.conn;
        let mut refused: Vec<(usize, String, String)> = Vec::new();
        for kind in [Resource::Actor, Resource::Citation, Resource::Visit] {
            let ids: Vec<Uuid> = batch
                .external
                .iter()
                .filter(|(_, _, k, _)| *k == kind)
                .map(|(_, _, _, id)| *id)
                .collect();
            let found = bulk::existing(&mut *conn, kind.plural(), &ids).await?;
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
        let ids_of = |kind: Resource| -> Vec<(usize, Uuid)> {
            match kind {
                Resource::Citation => batch.citations.iter().map(|(l, id, _)| (*l, *id)).collect(),
                Resource::Actor => batch.actors.iter().map(|(l, id, _)| (*l, *id)).collect(),
                Resource::Role => batch.roles.iter().map(|(l, id, ..)| (*l, *id)).collect(),
                Resource::Visit => batch.visits.iter().map(|(l, id, ..)| (*l, *id)).collect(),
                Resource::Statement => batch
                    .statements
                    .iter()
                    .map(|(l, id, ..)| (*l, *id))
                    .collect(),
            }
        };
        for kind in Resource::ALL {
            let lines = ids_of(kind);
            let ids: Vec<Uuid> = lines.iter().map(|(_, id)| *id).collect();
            let taken = bulk::existing(&mut *conn, kind.plural(), &ids).await?;
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
}
