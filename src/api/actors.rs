//! `/v1/actors`: states, people, organizations.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::{ActorKind, Alias, CountryCode, Description, Name, Slug, WikidataId};
use crate::error::{ApiError, Result};
use crate::store::actors::{self as store, ActorFields, ActorFilter, ActorKey, ActorRow};
use crate::store::roles as role_store;

use super::AppState;
use super::auth::{Read, Write};
use super::changes::{record_change, record_deletion};
use super::conditional::{Representation, check_if_match};
use super::extract::{JsonBody, Query};
use super::idempotency::{Begun, IdempotencyKey, created};
use super::pagination;
use super::problems::*;
use super::roles::Role;
use super::serde_helpers::{bounded, bounded_nullable, non_null, nullable};
use crate::store::changes::{Operation, Resource};

/// A state, person, organization or other actor, with the roles it holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0d",
    "slug": "kassym-jomart-tokayev",
    "kind": "person",
    "name": "Kassym-Jomart Tokayev",
    "aliases": ["Tokayev", "Qasym-Jomart Toqayev"],
    "country_code": "KZ",
    "wikidata_id": "Q379407",
    "roles": [],
    "created_at": "2026-11-27T12:00:00Z",
    "updated_at": "2026-11-27T12:00:00Z"
}))]
pub struct Actor {
    pub id: Uuid,
    /// Unique, human-friendly handle; usable wherever an actor id is.
    pub slug: String,
    pub kind: ActorKind,
    pub name: String,
    /// Other names: transliterations, former names, metonyms ("Akorda").
    pub aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = CountryCode)]
    pub country_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = WikidataId)]
    pub wikidata_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub description: Option<String>,
    /// The roles this actor holds (offices, memberships), latest start first.
    pub roles: Vec<Role>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Just enough of an actor to show it where another record refers to it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActorSummary {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: ActorKind,
}

/// A new actor.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "person",
    "name": "Kassym-Jomart Tokayev",
    "aliases": ["Tokayev"],
    "country_code": "KZ",
    "wikidata_id": "Q379407"
}))]
pub struct NewActor {
    /// Derived from `name` when absent (`Recep Tayyip Erdoğan` → `recep-tayyip-erdogan`).
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub slug: Option<Slug>,
    pub kind: ActorKind,
    pub name: Name,
    #[serde(
        default,
        deserialize_with = "bounded::<_, _, 0, 50>",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schema(max_items = 50)]
    pub aliases: Vec<Alias>,
    /// Where one applies: the state itself, or a person's or organization's home state.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub country_code: Option<CountryCode>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub wikidata_id: Option<WikidataId>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub description: Option<Description>,
}

/// A JSON Merge Patch (RFC 7396) of an actor: absent fields stay as they are; `null` removes
/// an optional field; `aliases` is replaced as a whole.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"aliases": ["Tokayev", "Toqayev"], "description": null}))]
pub struct ActorPatch {
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub slug: Option<Slug>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub kind: Option<ActorKind>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub name: Option<Name>,
    /// Replaces every alias; `null` or `[]` removes them all.
    #[serde(
        default,
        deserialize_with = "bounded_nullable::<_, _, 0, 50>",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Vec<Alias>>, max_items = 50)]
    pub aliases: Option<Option<Vec<Alias>>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<CountryCode>)]
    pub country_code: Option<Option<CountryCode>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<WikidataId>)]
    pub wikidata_id: Option<Option<WikidataId>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Description>)]
    pub description: Option<Option<Description>>,
}

/// One page of actors.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorPage {
    pub items: Vec<Actor>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// Filters and paging for the list of actors.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActorListQuery {
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, example = 50)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page, with the same filters.
    #[param(max_length = 1000, pattern = "^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
    /// Only actors of this kind.
    pub kind: Option<ActorKind>,
    /// Only actors with this country code.
    #[param(value_type = Option<CountryCode>)]
    pub country: Option<CountryCode>,
    /// Text to find in names and aliases (case- and accent-insensitive).
    #[param(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000]*$",
        example = "tokayev"
    )]
    pub q: Option<String>,
}

/// The `{actor}` path parameter: an actor's id or slug.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ActorPath {
    /// The actor's id (UUID) or slug.
    #[param(
        max_length = 64,
        pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[a-z0-9]+(-[a-z0-9]+)*)$",
        example = "kazakhstan"
    )]
    pub actor: String,
}

impl ActorKey {
    /// Reads an id or slug from the path; a value that is neither is a 400.
    pub fn from_path(value: &str) -> Result<Self> {
        if let Ok(id) = Uuid::try_parse(value) {
            return Ok(Self::Id(id));
        }
        Slug::parse(value).map(Self::Slug).map_err(|e| {
            ApiError::invalid_field("#/path/actor", format!("is neither an id nor a slug: {e}"))
        })
    }

    pub fn not_found(&self) -> ApiError {
        match self {
            Self::Id(id) => ApiError::NotFound(format!("no actor with id `{id}`")),
            Self::Slug(slug) => ApiError::NotFound(format!("no actor with slug `{slug}`")),
        }
    }
}

impl ActorSummary {
    pub fn from_row(row: &ActorRow) -> Self {
        Self {
            id: row.id,
            slug: row.slug.clone(),
            name: row.name.clone(),
            kind: row.kind,
        }
    }
}

impl Actor {
    fn from_parts(row: ActorRow, roles: Vec<Role>) -> Self {
        Self {
            id: row.id,
            slug: row.slug,
            kind: row.kind,
            name: row.name,
            aliases: row.aliases,
            country_code: row.country_code,
            wikidata_id: row.wikidata_id,
            description: row.description,
            roles,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Loads full actors (with their roles and the roles' citations) for rows, in three queries
/// whatever their number.
pub(crate) async fn with_roles(
    conn: &mut sqlx::PgConnection,
    rows: Vec<ActorRow>,
) -> Result<Vec<Actor>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let role_rows = role_store::held_by(&mut *conn, &ids).await?;
    let mut roles = super::roles::assemble(conn, role_rows).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let own: Vec<Role> = roles
                .extract_if(.., |role| role.actor_id == row.id)
                .collect();
            Actor::from_parts(row, own)
        })
        .collect())
}

/// Loads one full actor, optionally locking it for the rest of the transaction.
pub(crate) async fn load(
    conn: &mut sqlx::PgConnection,
    key: &ActorKey,
    lock: bool,
) -> Result<Actor> {
    let row = store::find(&mut *conn, key, lock)
        .await?
        .ok_or_else(|| key.not_found())?;
    let mut actors = with_roles(conn, vec![row]).await?;
    actors.pop().ok_or_else(|| key.not_found())
}

/// Aliases without repeats, in the order given.
fn unique(aliases: Vec<Alias>) -> Vec<Alias> {
    let mut unique: Vec<Alias> = Vec::with_capacity(aliases.len());
    for alias in aliases {
        if !unique.contains(&alias) {
            unique.push(alias);
        }
    }
    unique
}

/// Records an update of an actor whose representation changed without a write of its own
/// (a role it holds changed).
pub(crate) async fn record_update(conn: &mut sqlx::PgConnection, id: Uuid, by: &str) -> Result<()> {
    let actor = load(&mut *conn, &ActorKey::Id(id), false).await?;
    record_change(
        conn,
        Resource::Actor,
        id,
        Operation::Update,
        by,
        &Representation::of(&actor)?,
    )
    .await
}

/// Checks and stores a new actor (also used by the demo data loader).
pub(crate) async fn insert(conn: &mut sqlx::PgConnection, input: NewActor) -> Result<Uuid> {
    let fields = input.into_fields()?;
    store::insert(conn, &fields).await
}

impl NewActor {
    pub(crate) fn into_fields(self) -> Result<ActorFields> {
        let slug = match self.slug {
            Some(slug) => slug,
            None => Slug::from_name(self.name.as_str()).ok_or_else(|| {
                ApiError::unprocessable_field(
                    "#/slug",
                    "cannot be derived from this name; give one",
                )
            })?,
        };
        Ok(ActorFields {
            slug,
            kind: self.kind,
            name: self.name,
            aliases: unique(self.aliases),
            country_code: self.country_code,
            wikidata_id: self.wikidata_id,
            description: self.description,
        })
    }
}

impl ActorPatch {
    fn apply(self, current: &Actor) -> Result<ActorFields> {
        let existing = |what: &str, value: &str| {
            ApiError::Internal(anyhow::anyhow!(
                "stored actor {} has an invalid {what}: {value}",
                current.id
            ))
        };
        Ok(ActorFields {
            slug: match self.slug {
                Some(slug) => slug,
                None => Slug::parse(current.slug.clone())
                    .map_err(|_| existing("slug", &current.slug))?,
            },
            kind: self.kind.unwrap_or(current.kind),
            name: match self.name {
                Some(name) => name,
                None => Name::parse(current.name.clone())
                    .map_err(|_| existing("name", &current.name))?,
            },
            aliases: match self.aliases {
                Some(new) => unique(new.unwrap_or_default()),
                None => current
                    .aliases
                    .iter()
                    .filter_map(|a| Alias::parse(a.clone()).ok())
                    .collect(),
            },
            country_code: match self.country_code {
                Some(new) => new,
                None => current
                    .country_code
                    .as_deref()
                    .and_then(|c| CountryCode::parse(c).ok()),
            },
            wikidata_id: match self.wikidata_id {
                Some(new) => new,
                None => current
                    .wikidata_id
                    .clone()
                    .and_then(|w| WikidataId::parse(w).ok()),
            },
            description: match self.description {
                Some(new) => new,
                None => current
                    .description
                    .clone()
                    .and_then(|d| Description::parse(d).ok()),
            },
        })
    }
}

// What each handler extracts, authorization first. (Aliases, because the OpenAPI macro
// cannot read nested extractor types; the documentation is written out on each handler.)
type ListActorsRequest = Read<Query<ActorListQuery>>;
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
    params(ActorListQuery),
    responses(
        (status = 200, description = "A page of actors", content((ActorPage = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 503, response = ServiceUnavailable),
    ),
    security((), ("bearer" = [])),
)]
#[get("")]
pub async fn list_actors(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: ListActorsRequest,
) -> Result<HttpResponse> {
    let Read(Query(query)) = read;
    let limit = pagination::limit(query.limit)?;
    let q = match query.q {
        Some(q) => Some(super::search_query(&q, "#/query/q")?),
        None => None,
    };
    let filters = pagination::filter_digest(&[
        ("kind", query.kind.map(|k| k.as_str().to_owned())),
        ("country", query.country.map(|c| c.to_string())),
        ("q", q.clone()),
    ]);
    let after: Option<(String, Uuid)> = pagination::decode(query.cursor.as_deref(), &filters)?;
    let filter = ActorFilter {
        kind: query.kind,
        country: query.country,
        q,
    };
    let mut conn = state.pool.acquire().await?;
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
    let page = ActorPage { items, next_cursor };
    pagination::respond(&req, &page, &page.items, page.next_cursor.as_deref())
}

/// Create an actor.
#[utoipa::path(
    tag = "actors",
    operation_id = "create_actor",
    request_body(content = NewActor, content_type = "application/json"),
    params(("Idempotency-Key" = Option<String>, Header, max_length = 255, pattern = "^[!-~]+$",
        description = "Makes the request safe to retry: a replay within 24 h returns the first response and creates nothing.")),
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
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = ["write"])),
)]
#[post("")]
pub async fn create_actor(
    state: web::Data<AppState>,
    write: CreateActorRequest,
) -> Result<HttpResponse> {
    let Write(caller, (key, JsonBody(input))) = write;
    let mut tx = state.pool.begin().await?;
    let pending = match key
        .begin(&mut tx, &caller, "POST /v1/actors", &input)
        .await?
    {
        Begun::Replay(response) => return Ok(response),
        Begun::Proceed(pending) => pending,
    };
    let id = insert(&mut tx, input).await?;
    let actor = load(&mut tx, &ActorKey::Id(id), false).await?;
    let representation = Representation::of(&actor)?;
    record_change(
        &mut tx,
        Resource::Actor,
        id,
        Operation::Create,
        &caller.name,
        &representation,
    )
    .await?;
    let response = created(format!("/v1/actors/{id}"), representation);
    let response = pending.finish(&mut tx, response).await?;
    tx.commit().await?;
    Ok(response)
}

/// Get an actor.
///
/// By id or slug, with the roles it holds.
#[utoipa::path(
    tag = "actors",
    operation_id = "get_actor",
    params(ActorPath, ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier response; 304 if unchanged")),
    responses(
        (status = 200, description = "The actor", body = Actor, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the ETag given in If-None-Match", headers(("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    ),
    security((), ("bearer" = [])),
)]
#[get("/{actor}")]
pub async fn get_actor(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: GetActorRequest,
) -> Result<HttpResponse> {
    let Read(path) = read;
    let key = ActorKey::from_path(&path)?;
    let mut conn = state.pool.acquire().await?;
    let actor = load(&mut conn, &key, false).await?;
    Ok(Representation::of(&actor)?.respond(&req))
}

/// Update an actor.
///
/// A JSON Merge Patch. Send `If-Match` with the ETag you read to make sure you do not
/// overwrite someone else's change (412 if the actor changed meanwhile).
#[utoipa::path(
    tag = "actors",
    operation_id = "update_actor",
    params(ActorPath, ("If-Match" = Option<String>, Header, description = "The ETag the change is based on; 412 if the actor has changed since")),
    request_body(content(
        (ActorPatch = "application/merge-patch+json"),
        (ActorPatch = "application/json"),
    )),
    responses(
        (status = 200, description = "The updated actor", body = Actor, headers(("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = ["write"])),
)]
#[patch("/{actor}")]
pub async fn update_actor(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: UpdateActorRequest,
) -> Result<HttpResponse> {
    let Write(caller, (path, JsonBody(patch))) = write;
    let key = ActorKey::from_path(&path)?;
    let mut tx = state.pool.begin().await?;
    // The row lock serialises concurrent patches: the second sees the first's result, so
    // two patches with the same If-Match give one 200 and one 412.
    let current = load(&mut tx, &key, true).await?;
    check_if_match(&req, Some(&Representation::of(&current)?.etag))?;
    let fields = patch.apply(&current)?;
    store::update(&mut tx, current.id, &fields).await?;
    let updated = load(&mut tx, &ActorKey::Id(current.id), false).await?;
    let representation = Representation::of(&updated)?;
    record_change(
        &mut tx,
        Resource::Actor,
        current.id,
        Operation::Update,
        &caller.name,
        &representation,
    )
    .await?;
    tx.commit().await?;
    Ok(representation.with_status(actix_web::http::StatusCode::OK))
}

/// Delete an actor.
///
/// Refused with 409, listing them, while other records refer to the actor.
#[utoipa::path(
    tag = "actors",
    operation_id = "delete_actor",
    params(ActorPath, ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on; 412 if the actor has changed since")),
    responses(
        (status = 204, description = "The actor was deleted"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = ["write"])),
)]
#[delete("/{actor}")]
pub async fn delete_actor(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: DeleteActorRequest,
) -> Result<HttpResponse> {
    let Write(caller, path) = write;
    let key = ActorKey::from_path(&path)?;
    let mut tx = state.pool.begin().await?;
    let current = load(&mut tx, &key, true).await?;
    check_if_match(&req, Some(&Representation::of(&current)?.etag))?;
    let (references, total) = store::references(&mut tx, current.id, 100).await?;
    if total > 0 {
        return Err(ApiError::Conflict {
            detail: format!(
                "`{}` is referred to by {total} record(s); delete or change them first",
                current.slug
            ),
            references,
        });
    }
    store::delete(&mut tx, current.id).await?;
    record_deletion(&mut tx, Resource::Actor, current.id, &caller.name).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
