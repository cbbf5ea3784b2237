//! `/v1/actors`: states, people, organizations.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{IntoParams, PartialSchema, ToSchema};
use uuid::Uuid;

use crate::domain::{ActorKey, ActorKind, CountryCode, Resource};
use crate::error::Result;
use crate::records::actors::{Actor, ActorPatch, NewActor, id_of, with_roles};
use crate::store::actors::{self as store, ActorFilter};

use super::auth::{Read, Write};
use super::changes::{RevisionPage, revisions};
use super::conditional::{IfMatch, IfNoneMatch, NotModified};
use super::extract::{JsonBody, Query, actor_from_path};
use super::formats::{CsvRecord, list, opt};
use super::idempotency::IdempotencyKey;
use super::pagination::{self, Paging};
use super::problems::*;
use super::record;
use super::state::AppState;

/// One page of actors.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorPage {
    pub items: Vec<Actor>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// Filters for the list of actors.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActorListQuery {
    /// Only actors of this kind.
    pub kind: Option<ActorKind>,
    /// Only actors with this country code.
    #[param(value_type = Option<CountryCode>)]
    pub country: Option<CountryCode>,
    /// Text to find in names and aliases (case- and accent-insensitive).
    #[param(min_length = 1, max_length = 200, pattern = r"^[^\u0000]*$", example = "tokayev")]
    pub q: Option<String>,
}

/// The `{actor}` path parameter: an actor's id or slug.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ActorPath {
    /// The actor's id (UUID) or slug.
    #[param(value_type = IdOrSlug, inline, example = "kazakhstan")]
    pub actor: String,
}

/// An actor's id (UUID) or slug, as paths and filters name an actor: the schema of each such
/// parameter, `#[param(value_type = IdOrSlug, inline)]`. [`ActorKey::parse`] reads it.
pub struct IdOrSlug;

impl PartialSchema for IdOrSlug {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(ActorKey::MAX_CHARS))
            .pattern(Some(ActorKey::pattern()))
            .into()
    }
}

// What each handler extracts, authorization first. (Aliases, because the OpenAPI macro
// cannot read nested extractor types; the documentation is written out on each handler.)
type ListActorsRequest = Read<(Query<Paging>, Query<ActorListQuery>)>;
type CreateActorRequest = Write<(IdempotencyKey, JsonBody<NewActor>)>;
type GetActorRequest = Read<web::Path<String>>;
type UpdateActorRequest = Write<(web::Path<String>, JsonBody<ActorPatch>)>;
type DeleteActorRequest = Write<web::Path<String>>;

/// List actors.
///
/// In name order. Filter by kind, country, or text in names and aliases.
#[utoipa::path(
    tag = "actors",
    operation_id = "list_actors",
    params(Paging, ActorListQuery),
    responses(
        (status = 200, description = "A page of actors", content((ActorPage = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        ReadProblems,
    ),
)]
#[get("")]
pub async fn list_actors(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: ListActorsRequest,
) -> Result<HttpResponse> {
    let Read((Query(paging), Query(query))) = read;
    let limit = pagination::limit(paging.limit)?;
    let q = match query.q {
        Some(q) => Some(super::extract::search_query(&q, "#/query/q")?),
        None => None,
    };
    let filters = pagination::filter_digest(&[
        ("kind", query.kind.map(|k| k.as_str().to_owned())),
        ("country", query.country.map(|c| c.to_string())),
        ("q", q.clone()),
    ]);
    let after: Option<(String, Uuid)> = pagination::decode(paging.cursor.as_deref(), &filters)?;
    let filter = ActorFilter {
        kind: query.kind,
        country: query.country,
        q,
    };
    let mut conn = state.reader(&req).await?;
    let (items, next_cursor) = pagination::fill(
        &mut conn,
        limit,
        &filters,
        after,
        async |conn, after, n| store::list(conn, &filter, after, n).await,
        async |conn, rows| with_roles(conn, rows).await,
        |r| (r.name.clone(), r.id),
    )
    .await?;
    conn.release();
    let page = ActorPage { items, next_cursor };
    pagination::respond(&req, &page, &page.items, page.next_cursor.as_deref())
}

/// Create an actor.
#[utoipa::path(
    tag = "actors",
    operation_id = "create_actor",
    request_body(content = NewActor, content_type = "application/json"),
    params(IdempotencyKey),
    responses(
        (status = 201, description = "The actor was created", body = Actor,
            headers(("Location" = String, description = "The actor's URL"), ("ETag" = String)),
            links(
                ("GetActor" = (operation_id = "get_actor", parameters(("actor" = "$response.body#/id")))),
                ("UpdateActor" = (operation_id = "update_actor", parameters(("actor" = "$response.body#/id")))),
                ("DeleteActor" = (operation_id = "delete_actor", parameters(("actor" = "$response.body#/id")))),
                ("ListRoles" = (operation_id = "list_roles", parameters(("actor" = "$response.body#/id")))),
                ("CreateRole" = (operation_id = "create_role", parameters(("actor" = "$response.body#/id")))),
            )),
        (status = 409, response = Conflict),
        WriteProblems, BodyProblems,
    ),
)]
#[post("")]
pub async fn create_actor(
    state: web::Data<AppState>,
    write: CreateActorRequest,
) -> Result<HttpResponse> {
    let Write(caller, (key, JsonBody(input))) = write;
    record::create::<Actor>(&state, &caller, key, (), input).await
}

/// Get an actor.
///
/// By id or slug, with the roles it holds.
#[utoipa::path(
    tag = "actors",
    operation_id = "get_actor",
    params(ActorPath, IfNoneMatch),
    responses(
        (status = 200, description = "The actor", body = Actor, headers(("ETag" = String))),
        NotModified,
        (status = 404, response = NotFound),
        ReadProblems,
    ),
)]
#[get("/{actor}")]
pub async fn get_actor(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: GetActorRequest,
) -> Result<HttpResponse> {
    let Read(path) = read;
    record::get::<Actor>(&state, &req, actor_from_path(&path)?).await
}

/// Update an actor.
///
/// A JSON Merge Patch. Send `If-Match` with the ETag you read to make sure you do not
/// overwrite someone else's change (412 if the actor changed meanwhile).
#[utoipa::path(
    tag = "actors",
    operation_id = "update_actor",
    params(ActorPath, IfMatch),
    request_body(content(
        (ActorPatch = "application/merge-patch+json"),
        (ActorPatch = "application/json"),
    )),
    responses(
        (status = 200, description = "The updated actor", body = Actor, headers(("ETag" = String))),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        WriteProblems, BodyProblems,
    ),
)]
#[patch("/{actor}")]
pub async fn update_actor(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: UpdateActorRequest,
) -> Result<HttpResponse> {
    let Write(caller, (path, JsonBody(patch))) = write;
    let key = actor_from_path(&path)?;
    record::update::<Actor>(&state, &req, &caller, key, patch).await
}

/// Delete an actor.
///
/// Refused with 409, listing them, while other records refer to the actor.
#[utoipa::path(
    tag = "actors",
    operation_id = "delete_actor",
    params(ActorPath, IfMatch),
    responses(
        (status = 204, description = "The actor was deleted"),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        WriteProblems,
    ),
)]
#[delete("/{actor}")]
pub async fn delete_actor(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: DeleteActorRequest,
) -> Result<HttpResponse> {
    let Write(caller, path) = write;
    let key = actor_from_path(&path)?;
    record::delete::<Actor>(&state, &req, &caller, key).await
}

type ActorRevisionsRequest = Read<(web::Path<String>, Query<Paging>)>;

/// List an actor's revisions.
///
/// Every version of the actor, oldest first: what changed, when, and the name of the token
/// that changed it. A deleted actor's history stays readable by its id.
#[utoipa::path(
    tag = "actors",
    operation_id = "list_actor_revisions",
    params(ActorPath, Paging),
    responses(
        (status = 200, description = "A page of revisions", content((RevisionPage = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = NotFound),
        ReadProblems,
    ),
)]
#[get("/{actor}/revisions")]
pub async fn list_actor_revisions(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: ActorRevisionsRequest,
) -> Result<HttpResponse> {
    let Read((path, Query(query))) = read;
    let id = match actor_from_path(&path)? {
        ActorKey::Id(id) => id,
        key @ ActorKey::Slug(_) => id_of(&mut *state.pool.acquire().await?, &key).await?,
    };
    revisions(&state, &req, Resource::Actor, id, query).await
}

impl CsvRecord for Actor {
    const HEADER: &'static [&'static str] = &[
        "id",
        "slug",
        "kind",
        "name",
        "aliases",
        "country_code",
        "wikidata_id",
        "description",
        "roles",
        "created_at",
        "updated_at",
    ];
    fn fields(&self) -> Vec<String> {
        let roles: Vec<String> = self
            .roles
            .iter()
            .map(|r| format!("{} of {}", r.title, r.of_actor.slug))
            .collect();
        let aliases: Vec<&str> = self.aliases.iter().map(|a| a.name.as_str()).collect();
        vec![
            self.id.to_string(),
            self.slug.to_string(),
            self.kind.as_str().to_owned(),
            self.name.to_string(),
            list(&aliases),
            opt(&self.country_code),
            opt(&self.wikidata_id),
            opt(&self.description),
            list(&roles),
            self.created_at.to_rfc3339(),
            self.updated_at.to_rfc3339(),
        ]
    }
}
