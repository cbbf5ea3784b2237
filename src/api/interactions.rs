//! `/v1/interactions`: what one side did toward another, in PLOVER's terms, with the sources
//! that say so.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::{CountryCode, InteractionType, PartialDate, QuadClass, Resource};
use crate::error::Result;
use crate::records::interactions::{Interaction, InteractionPatch, NewInteraction};
use crate::records::read::Assembled;
use crate::store::interactions::{InteractionFilter, Interactions};
use crate::store::rows;

use super::actors::IdOrSlug;
use super::auth::{Read, Write};
use super::changes::{RevisionPage, revisions};
use super::conditional::{IfMatch, IfNoneMatch, NotModified};
use super::extract::{JsonBody, Query, actor_filter, parse_id};
use super::formats::{CsvRecord, list, opt, snake, sources};
use super::idempotency::IdempotencyKey;
use super::pagination::{self, Paging, date_range};
use super::problems::*;
use super::record;
use super::state::AppState;

/// One page of interactions.
#[derive(Debug, Serialize, ToSchema)]
pub struct InteractionPage {
    pub items: Vec<Interaction>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// Filters for the list of interactions. Actor filters take an id or a slug.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InteractionListQuery {
    /// Interactions the actor takes part in, on either side.
    #[param(value_type = Option<IdOrSlug>, inline, example = "kazakhstan")]
    pub actor: Option<String>,
    /// Interactions in which the actor acted.
    #[param(value_type = Option<IdOrSlug>, inline, example = "russia")]
    pub source: Option<String>,
    /// Interactions done to the actor.
    #[param(value_type = Option<IdOrSlug>, inline, example = "kazakhstan")]
    pub target: Option<String>,
    pub event_type: Option<InteractionType>,
    pub quad_class: Option<QuadClass>,
    /// Where the interaction took place.
    #[param(value_type = Option<CountryCode>)]
    pub country: Option<CountryCode>,
    /// Interactions citing this citation.
    pub citation: Option<Uuid>,
    /// Interactions that may have taken place during or after this date (by overlap).
    #[param(value_type = Option<PartialDate>, example = "2022")]
    pub from: Option<PartialDate>,
    /// Interactions that may have taken place during or before this date (by overlap).
    #[param(value_type = Option<PartialDate>, example = "2022-12")]
    pub to: Option<PartialDate>,
    /// Full-text search in place and summary (web-search syntax).
    #[param(min_length = 1, max_length = 200, pattern = r"^[^\u0000]*$", example = "pipeline")]
    pub q: Option<String>,
}

/// The `{interaction_id}` path parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct InteractionPath {
    /// The interaction's id.
    pub interaction_id: Uuid,
}

// What each handler extracts, authorization first (aliases: see actors.rs).
type ListInteractionsRequest = Read<(Query<Paging>, Query<InteractionListQuery>)>;
type CreateInteractionRequest = Write<(IdempotencyKey, JsonBody<NewInteraction>)>;
type GetInteractionRequest = Read<web::Path<String>>;
type UpdateInteractionRequest = Write<(web::Path<String>, JsonBody<InteractionPatch>)>;
type DeleteInteractionRequest = Write<web::Path<String>>;

/// List interactions.
///
/// Latest first. Filter by actor (as source, target, or either), event type, quad class (the
/// types in it), country, citation, dates (by overlap: an interaction dated `2022-10` matches
/// `from=2022-10-15`) and text. An event type outside the quad class asked for matches nothing.
#[utoipa::path(
    tag = "interactions",
    operation_id = "list_interactions",
    params(Paging, InteractionListQuery),
    responses(
        (status = 200, description = "A page of interactions", content((InteractionPage = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 422, response = Unprocessable),
        ReadProblems,
    ),
)]
#[get("")]
pub async fn list_interactions(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: ListInteractionsRequest,
) -> Result<HttpResponse> {
    let Read((Query(paging), Query(query))) = read;
    let limit = pagination::limit(paging.limit)?;
    let q = match &query.q {
        Some(q) => Some(super::extract::text_query(q, "#/query/q")?),
        None => None,
    };
    let (from, until) = date_range(query.from, query.to)?;
    let filters = pagination::filter_digest(&[
        ("actor", query.actor.clone()),
        ("source", query.source.clone()),
        ("target", query.target.clone()),
        (
            "event_type",
            query.event_type.map(|t| t.as_str().to_owned()),
        ),
        (
            "quad_class",
            query.quad_class.map(|c| c.as_str().to_owned()),
        ),
        ("country", query.country.map(|c| c.to_string())),
        ("citation", query.citation.map(|c| c.to_string())),
        ("from", query.from.map(|d| d.to_string())),
        ("to", query.to.map(|d| d.to_string())),
        ("q", q.clone()),
    ]);
    let after: Option<(NaiveDate, Uuid)> = pagination::decode(paging.cursor.as_deref(), &filters)?;
    // A type outside the quad class asked for matches nothing: the list is empty.
    let event_types = match (query.event_type, query.quad_class) {
        (None, None) => None,
        (Some(t), None) => Some(vec![t]),
        (None, Some(class)) => Some(class.types().collect()),
        (Some(t), Some(class)) => Some(
            vec![t]
                .into_iter()
                .filter(|t| t.quad_class() == class)
                .collect(),
        ),
    };
    let mut conn = state.reader(&req).await?;
    let filter = InteractionFilter {
        actor: actor_filter(&mut conn, query.actor.as_deref(), "actor").await?,
        source: actor_filter(&mut conn, query.source.as_deref(), "source").await?,
        target: actor_filter(&mut conn, query.target.as_deref(), "target").await?,
        event_types,
        country: query.country.map(|c| c.to_string()),
        citation: query.citation,
        from,
        until,
        q,
    };
    let (items, next_cursor) = pagination::fill(
        &mut conn,
        limit,
        &filters,
        after,
        async |conn, after, n| rows::list::<Interactions>(conn, &filter, after, n).await,
        async |conn, rows| Interaction::assemble(conn, rows).await,
        |r| (r.start_date, r.id),
    )
    .await?;
    conn.release();
    let page = InteractionPage { items, next_cursor };
    pagination::respond(&req, &page, &page.items, page.next_cursor.as_deref())
}

/// Create an interaction.
#[utoipa::path(
    tag = "interactions",
    operation_id = "create_interaction",
    request_body(content = NewInteraction, content_type = "application/json"),
    params(IdempotencyKey),
    responses(
        (status = 201, description = "The interaction was created", body = Interaction,
            headers(("Location" = String, description = "The interaction's URL"), ("ETag" = String)),
            links(
                ("GetInteraction" = (operation_id = "get_interaction", parameters(("interaction_id" = "$response.body#/id")))),
                ("UpdateInteraction" = (operation_id = "update_interaction", parameters(("interaction_id" = "$response.body#/id")))),
                ("DeleteInteraction" = (operation_id = "delete_interaction", parameters(("interaction_id" = "$response.body#/id")))),
            )),
        (status = 409, response = Conflict),
        WriteProblems, BodyProblems,
    ),
)]
#[post("")]
pub async fn create_interaction(
    state: web::Data<AppState>,
    write: CreateInteractionRequest,
) -> Result<HttpResponse> {
    let Write(caller, (key, JsonBody(input))) = write;
    record::create::<Interaction>(&state, &caller, key, (), input).await
}

/// Get an interaction.
#[utoipa::path(
    tag = "interactions",
    operation_id = "get_interaction",
    params(InteractionPath, IfNoneMatch),
    responses(
        (status = 200, description = "The interaction", body = Interaction, headers(("ETag" = String))),
        NotModified,
        (status = 404, response = NotFound),
        ReadProblems,
    ),
)]
#[get("/{interaction_id}")]
pub async fn get_interaction(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: GetInteractionRequest,
) -> Result<HttpResponse> {
    let Read(path) = read;
    let id = parse_id(&path, "interaction_id")?;
    record::get::<Interaction>(&state, &req, id).await
}

/// Update an interaction.
///
/// A JSON Merge Patch; honours `If-Match`.
#[utoipa::path(
    tag = "interactions",
    operation_id = "update_interaction",
    params(InteractionPath, IfMatch),
    request_body(content(
        (InteractionPatch = "application/merge-patch+json"),
        (InteractionPatch = "application/json"),
    )),
    responses(
        (status = 200, description = "The updated interaction", body = Interaction, headers(("ETag" = String))),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        WriteProblems, BodyProblems,
    ),
)]
#[patch("/{interaction_id}")]
pub async fn update_interaction(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: UpdateInteractionRequest,
) -> Result<HttpResponse> {
    let Write(caller, (path, JsonBody(patch))) = write;
    let id = parse_id(&path, "interaction_id")?;
    record::update::<Interaction>(&state, &req, &caller, id, patch).await
}

/// Delete an interaction.
///
/// Nothing refers to an interaction: it goes with its links to actors and citations.
#[utoipa::path(
    tag = "interactions",
    operation_id = "delete_interaction",
    params(InteractionPath, IfMatch),
    responses(
        (status = 204, description = "The interaction was deleted"),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        WriteProblems,
    ),
)]
#[delete("/{interaction_id}")]
pub async fn delete_interaction(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: DeleteInteractionRequest,
) -> Result<HttpResponse> {
    let Write(caller, path) = write;
    let id = parse_id(&path, "interaction_id")?;
    record::delete::<Interaction>(&state, &req, &caller, id).await
}

type RecordRevisionsRequest = Read<(web::Path<String>, Query<Paging>)>;

/// List an interaction's revisions.
#[utoipa::path(
    tag = "interactions",
    operation_id = "list_interaction_revisions",
    params(InteractionPath, Paging),
    responses(
        (status = 200, description = "A page of revisions", content((RevisionPage = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = NotFound),
        ReadProblems,
    ),
)]
#[get("/{interaction_id}/revisions")]
pub async fn list_interaction_revisions(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: RecordRevisionsRequest,
) -> Result<HttpResponse> {
    let Read((path, Query(query))) = read;
    let id = parse_id(&path, "interaction_id")?;
    revisions(&state, &req, Resource::Interaction, id, query).await
}

impl CsvRecord for Interaction {
    const HEADER: &'static [&'static str] = &[
        "id",
        "start",
        "end",
        "event_type",
        "quad_class",
        "mode",
        "contexts",
        "source_slugs",
        "target_slugs",
        "source_code",
        "place",
        "country_code",
        "summary",
        "sources",
        "created_at",
        "updated_at",
    ];
    fn fields(&self) -> Vec<String> {
        let slugs = |actors: &[crate::records::summary::ActorSummary]| {
            let slugs: Vec<&str> = actors.iter().map(|a| a.slug.as_str()).collect();
            list(&slugs)
        };
        let contexts: Vec<&str> = self.contexts.iter().map(|c| c.as_str()).collect();
        vec![
            self.id.to_string(),
            self.start.to_string(),
            opt(&self.end),
            snake(&self.event_type),
            snake(&self.quad_class),
            self.mode.map(|m| snake(&m)).unwrap_or_default(),
            list(&contexts),
            slugs(&self.sources),
            slugs(&self.targets),
            opt(&self.source_code),
            opt(&self.place),
            opt(&self.country_code),
            opt(&self.summary),
            sources(&self.citations),
            self.created_at.to_rfc3339(),
            self.updated_at.to_rfc3339(),
        ]
    }
}
