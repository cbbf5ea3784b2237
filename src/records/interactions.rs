//! Interactions: what one side did toward another that is neither a visit nor a statement with
//! its words, in PLOVER's vocabulary, with the sources that report it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{
    Claim, CountryCode, InteractionContext, InteractionMode, InteractionSide, InteractionType,
    PartialDate, Place, QuadClass, Resource, SourceCode, Summary,
};
use crate::error::{ApiError, Result};
use crate::store::StoreError;
use crate::store::interactions::{self as store, InteractionFields, InteractionRow, Interactions};
use crate::store::links::{self, LinkFields};

use super::fields::{bounded, bounded_non_null, non_null, nullable, unique};
use super::links::{
    CITATIONS, CitationLink, CitationRef, check_period, link_fields, links_in, links_of, split,
};
use super::named::ReferenceField;
use super::read::{self, Assembled};
use super::record::Record;
use super::summary::ActorSummary;

/// An interaction: one or more actors (the sources) acting toward one or more others (the
/// targets), what they did in PLOVER's terms, when and where, and the sources that report it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c20",
    "sources": [{"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0b", "slug": "russia", "name": "Russia", "kind": "state"}],
    "targets": [{"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a", "slug": "kazakhstan", "name": "Kazakhstan", "kind": "state"}],
    "event_type": "sanction",
    "quad_class": "material_conflict",
    "mode": "discontinue",
    "contexts": ["economic", "natural_resource"],
    "start": "2022",
    "summary": "Russia intermittently closed the pipelines that carry Kazakhstan's oil exports.",
    "citations": [{"citation": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0f", "source": "Eurasianet", "published_on": "2022-07-07"}}],
    "created_at": "2026-12-07T12:00:00Z",
    "updated_at": "2026-12-07T12:00:00Z"
}))]
pub struct Interaction {
    pub id: Uuid,
    /// Who acted.
    pub sources: Vec<ActorSummary>,
    /// Whom it was done to.
    pub targets: Vec<ActorSummary>,
    /// Whom the sources count for, as the record's source coded it (an event dataset's
    /// country); when absent, each source's roles decide (see the analyses).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub source_principal: Option<ActorSummary>,
    /// Whom the targets count for, likewise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub target_principal: Option<ActorSummary>,
    pub event_type: InteractionType,
    /// Verbal or material, cooperation or conflict: what PLOVER assigns the type.
    pub quad_class: QuadClass,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub mode: Option<InteractionMode>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contexts: Vec<InteractionContext>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, nullable = false)]
    pub source_code: Option<SourceCode>,
    pub start: PartialDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub end: Option<PartialDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, nullable = false)]
    pub place: Option<Place>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, nullable = false)]
    pub country_code: Option<CountryCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, nullable = false)]
    pub summary: Option<Summary>,
    pub citations: Vec<CitationRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new interaction.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "source_ids": ["0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0b"],
    "target_ids": ["0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a"],
    "event_type": "sanction",
    "mode": "discontinue",
    "contexts": ["economic"],
    "start": "2022",
    "citations": [{"citation_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0f"}]
}))]
pub struct NewInteraction {
    /// Who acted: 1 to 20 actors.
    #[schema(min_items = 1, max_items = 20)]
    #[serde(deserialize_with = "bounded::<_, _, 1, 20>")]
    pub source_ids: Vec<Uuid>,
    /// Whom it was done to: 1 to 20 actors, none of them a source.
    #[schema(min_items = 1, max_items = 20)]
    #[serde(deserialize_with = "bounded::<_, _, 1, 20>")]
    pub target_ids: Vec<Uuid>,
    /// Whom the sources count for, as the source codes it (an event dataset's country),
    /// instead of what their roles say: every analysis counts the interaction for it.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub source_principal_id: Option<Uuid>,
    /// Whom the targets count for, likewise.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub target_principal_id: Option<Uuid>,
    pub event_type: InteractionType,
    /// One of the type's modes (PLOVER defines them for 11 of the 16 types).
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub mode: Option<InteractionMode>,
    #[serde(
        default,
        deserialize_with = "bounded::<_, _, 0, 10>",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schema(max_items = 10)]
    pub contexts: Vec<InteractionContext>,
    /// The source dataset's own event code, such as CAMEO's `057`.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub source_code: Option<SourceCode>,
    pub start: PartialDate,
    /// Not before `start`.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub end: Option<PartialDate>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub place: Option<Place>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub country_code: Option<CountryCode>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub summary: Option<Summary>,
    /// The sources: at least one.
    #[schema(min_items = 1, max_items = 50)]
    #[serde(deserialize_with = "bounded::<_, _, 1, 50>")]
    pub citations: Vec<CitationLink>,
}

/// A JSON Merge Patch (RFC 7396) of an interaction; lists are replaced whole; `null` removes
/// an optional field.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"end": "2022-12", "contexts": ["economic", "natural_resource"]}))]
pub struct InteractionPatch {
    #[serde(
        default,
        deserialize_with = "bounded_non_null::<_, _, 1, 20>",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false, min_items = 1, max_items = 20)]
    pub source_ids: Option<Vec<Uuid>>,
    #[serde(
        default,
        deserialize_with = "bounded_non_null::<_, _, 1, 20>",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false, min_items = 1, max_items = 20)]
    pub target_ids: Option<Vec<Uuid>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Uuid>)]
    pub source_principal_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Uuid>)]
    pub target_principal_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub event_type: Option<InteractionType>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<InteractionMode>)]
    pub mode: Option<Option<InteractionMode>>,
    #[serde(
        default,
        deserialize_with = "bounded_non_null::<_, _, 0, 10>",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false, max_items = 10)]
    pub contexts: Option<Vec<InteractionContext>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<SourceCode>)]
    pub source_code: Option<Option<SourceCode>>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub start: Option<PartialDate>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<PartialDate>)]
    pub end: Option<Option<PartialDate>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Place>)]
    pub place: Option<Option<Place>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<CountryCode>)]
    pub country_code: Option<Option<CountryCode>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Summary>)]
    pub summary: Option<Option<Summary>>,
    #[serde(
        default,
        deserialize_with = "bounded_non_null::<_, _, 1, 50>",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false, min_items = 1, max_items = 50)]
    pub citations: Option<Vec<CitationLink>>,
}

/// Turns rows into interactions with their actors and citations: two more queries per page.
pub(crate) async fn assemble(
    conn: &mut PgConnection,
    rows: Vec<InteractionRow>,
) -> Result<Vec<Interaction>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut sides = store::sides(&mut *conn, &ids).await?;
    let mut citations = links::load(conn, Claim::Interaction, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (mut sources, mut targets) = (Vec::new(), Vec::new());
            for actor in sides.extract_if(.., |a| a.interaction_id == row.id) {
                let side = actor.side;
                let summary = ActorSummary {
                    id: actor.id,
                    slug: actor.slug,
                    name: actor.name,
                    kind: actor.kind,
                };
                match side {
                    InteractionSide::Source => sources.push(summary),
                    InteractionSide::Target => targets.push(summary),
                }
            }
            let (start, end) = (row.start(), row.end());
            Interaction {
                id: row.id,
                sources,
                targets,
                source_principal: ActorSummary::optional(
                    row.source_principal_id,
                    row.source_principal_slug,
                    row.source_principal_name,
                    row.source_principal_kind,
                ),
                target_principal: ActorSummary::optional(
                    row.target_principal_id,
                    row.target_principal_slug,
                    row.target_principal_name,
                    row.target_principal_kind,
                ),
                event_type: row.event_type,
                quad_class: row.event_type.quad_class(),
                mode: row.mode,
                contexts: row.contexts,
                source_code: row.source_code.map(SourceCode::stored),
                start,
                end,
                place: row.place.map(Place::stored),
                country_code: row.country_code.as_deref().and_then(CountryCode::stored),
                summary: row.summary.map(Summary::stored),
                citations: links_of(&mut citations, row.id),
                created_at: row.created_at,
                updated_at: row.updated_at,
            }
        })
        .collect())
}

impl NewInteraction {
    /// The interaction's fields and links, with the checks that need no database: its period
    /// in order, no actor twice nor on both sides, a mode of its type, no citation twice.
    pub(crate) fn into_parts(self) -> Result<(InteractionFields, Vec<LinkFields>)> {
        check_period(Some(self.start), self.end, "#/end")?;
        check_sides(&self.source_ids, &self.target_ids)?;
        if let Some(mode) = self.mode
            && !self.event_type.admits(mode)
        {
            let modes: Vec<&str> = self.event_type.modes().iter().map(|m| m.as_str()).collect();
            return Err(ApiError::unprocessable_field(
                "#/mode",
                match modes.as_slice() {
                    [] => format!("`{}` has no modes", self.event_type.as_str()),
                    _ => format!(
                        "is not a mode of `{}`; its modes are {}",
                        self.event_type.as_str(),
                        modes.join(", ")
                    ),
                },
            ));
        }
        let links = link_fields(self.citations)?;
        let fields = InteractionFields {
            source_ids: self.source_ids,
            target_ids: self.target_ids,
            source_principal_id: self.source_principal_id,
            target_principal_id: self.target_principal_id,
            event_type: self.event_type,
            mode: self.mode,
            contexts: unique(self.contexts),
            source_code: self.source_code,
            start: self.start,
            end: self.end,
            place: self.place,
            country_code: self.country_code,
            summary: self.summary,
        };
        Ok((fields, links))
    }
}

/// No actor twice on a side, and none on both: an actor does not act toward itself.
fn check_sides(sources: &[Uuid], targets: &[Uuid]) -> Result<()> {
    for (field, side) in [("source_ids", sources), ("target_ids", targets)] {
        for (i, actor) in side.iter().enumerate() {
            if side[..i].contains(actor) {
                return Err(ApiError::unprocessable_field(
                    format!("#/{field}/{i}"),
                    "names the same actor twice",
                ));
            }
        }
    }
    for (i, target) in targets.iter().enumerate() {
        if sources.contains(target) {
            return Err(ApiError::unprocessable_field(
                format!("#/target_ids/{i}"),
                "is also a source: an actor does not act toward itself",
            ));
        }
    }
    Ok(())
}

/// What a broken constraint means for an interaction's fields: an actor it names was deleted
/// after it was checked.
fn refused(error: StoreError) -> ApiError {
    match error.constraint() {
        Some("interactions_source_principal_id_fkey") => {
            ApiError::unprocessable_field("#/source_principal_id", "no actor has this id")
        }
        Some("interactions_target_principal_id_fkey") => {
            ApiError::unprocessable_field("#/target_principal_id", "no actor has this id")
        }
        Some("interaction_actors_actor_id_fkey") => {
            ApiError::unprocessable_field("#/source_ids", "names an actor that does not exist")
        }
        _ => error.into(),
    }
}

impl Assembled for Interaction {
    type Table = Interactions;

    async fn assemble(conn: &mut PgConnection, rows: Vec<InteractionRow>) -> Result<Vec<Self>> {
        assemble(conn, rows).await
    }
}

impl Record for Interaction {
    const RESOURCE: Resource = Resource::Interaction;
    const REFERENCES: &'static [ReferenceField] = &[
        ReferenceField::ids("source_ids", Resource::Actor),
        ReferenceField::ids("target_ids", Resource::Actor),
        ReferenceField::ids("source_principal_id", Resource::Actor),
        ReferenceField::ids("target_principal_id", Resource::Actor),
        CITATIONS,
    ];
    type Key = Uuid;
    type Parent = ();
    type New = NewInteraction;
    type Patch = InteractionPatch;
    type Row = (InteractionFields, Vec<LinkFields>);

    fn id(&self) -> Uuid {
        self.id
    }

    async fn load(conn: &mut PgConnection, id: &Uuid, lock: bool) -> Result<Self> {
        read::load(conn, *id, lock).await
    }

    async fn load_many(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<Self>> {
        read::load_many(conn, ids).await
    }

    fn to_input(&self) -> NewInteraction {
        NewInteraction {
            source_ids: self.sources.iter().map(|a| a.id).collect(),
            target_ids: self.targets.iter().map(|a| a.id).collect(),
            source_principal_id: self.source_principal.as_ref().map(|p| p.id),
            target_principal_id: self.target_principal.as_ref().map(|p| p.id),
            event_type: self.event_type,
            mode: self.mode,
            contexts: self.contexts.clone(),
            source_code: self.source_code.clone(),
            start: self.start,
            end: self.end,
            place: self.place.clone(),
            country_code: self.country_code,
            summary: self.summary.clone(),
            citations: links_in(&self.citations),
        }
    }

    fn prepare(_: Option<Uuid>, input: NewInteraction) -> Result<Self::Row> {
        input.into_parts()
    }

    async fn store(
        conn: &mut PgConnection,
        rows: &[(Uuid, Self::Row)],
        replace: bool,
    ) -> Result<()> {
        let (fields, links) = split(rows);
        store::write(&mut *conn, &fields, replace)
            .await
            .map_err(refused)?;
        Ok(links::write(conn, Claim::Interaction, &links, replace).await?)
    }

    /// Nothing refers to an interaction: it is deleted with its links.
    async fn delete(self, conn: &mut PgConnection) -> Result<()> {
        Ok(store::delete(conn, self.id).await?)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The pointer of the first field a 422 names.
    fn refused(body: serde_json::Value) -> String {
        let input: NewInteraction = serde_json::from_value(body).unwrap_or_else(|e| panic!("{e}"));
        match input.into_parts() {
            Err(ApiError::Unprocessable { errors, .. }) => errors[0].pointer.clone(),
            Err(other) => panic!("not a 422: {other:?}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn the_checks_that_need_no_database_come_before_any_query() {
        let (ru, kz, cn) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let c = Uuid::now_v7();
        let interaction = |changes: serde_json::Value| {
            let mut body = json!({
                "source_ids": [ru], "target_ids": [kz], "event_type": "sanction",
                "start": "2022", "citations": [{"citation_id": c}]
            });
            if let (Some(body), Some(changes)) = (body.as_object_mut(), changes.as_object()) {
                body.extend(changes.clone());
            }
            body
        };
        assert_eq!(refused(interaction(json!({"end": "2021"}))), "#/end");
        assert_eq!(
            refused(interaction(json!({"source_ids": [ru, ru]}))),
            "#/source_ids/1"
        );
        assert_eq!(
            refused(interaction(json!({"target_ids": [cn, ru]}))),
            "#/target_ids/1"
        );
        assert_eq!(refused(interaction(json!({"mode": "visit"}))), "#/mode");
        assert_eq!(
            refused(interaction(
                json!({"event_type": "agree", "mode": "discontinue"})
            )),
            "#/mode"
        );
        let input: NewInteraction = serde_json::from_value(interaction(
            json!({"mode": "discontinue", "contexts": ["economic", "economic"]}),
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let (fields, links) = input.into_parts().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(fields.contexts, [InteractionContext::Economic]);
        assert_eq!(links.len(), 1);
    }
}
