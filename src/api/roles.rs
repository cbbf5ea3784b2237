//! `/v1/actors/{actor}/roles`: offices and memberships over time.
//!
//! A role is created under the actor who holds it, and can be read under either of its two
//! actors: `/v1/actors/kazakhstan/roles?on=2022-10-01` answers "who held which office in
//! Kazakhstan on that day" in one call.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::{PartialDate, RoleRank, Title};
use crate::error::{ApiError, Result};
use crate::store::actors::{self as actor_store, ActorKey};
use crate::store::links::{self, Claim};
use crate::store::roles::{self as store, RoleFields, RoleFilter, RoleRow, Side};

use super::AppState;
use super::actors::ActorSummary;
use super::auth::{Read, Write};
use super::changes::{record_change, record_deletion};
use super::conditional::{Representation, check_if_match};
use super::extract::{JsonBody, Query};
use super::idempotency::{Begun, IdempotencyKey, created};
use super::pagination;
use super::problems::*;
use super::serde_helpers::{bounded, bounded_non_null, non_null, nullable};
use super::sources::{CitationLink, CitationRef, check_links, check_period, links_of};
use crate::store::changes::{Operation, Resource};

/// An office or membership held over a period: Tokayev as President of Kazakhstan,
/// Kazakhstan as a member of the Eurasian Economic Union.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0e",
    "actor_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0d",
    "of_actor_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a",
    "actor": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0d", "slug": "kassym-jomart-tokayev", "name": "Kassym-Jomart Tokayev", "kind": "person"},
    "of_actor": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a", "slug": "kazakhstan", "name": "Kazakhstan", "kind": "state"},
    "title": "President",
    "rank": "head_of_state",
    "start": "2019-03-20",
    "created_at": "2026-11-27T12:00:00Z",
    "updated_at": "2026-11-27T12:00:00Z"
}))]
pub struct Role {
    pub id: Uuid,
    /// Who holds the role.
    pub actor_id: Uuid,
    /// The state or organization the role is in.
    pub of_actor_id: Uuid,
    pub actor: ActorSummary,
    pub of_actor: ActorSummary,
    pub title: String,
    /// How senior the role is, when known: analysis can weight what its holder does by it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub rank: Option<RoleRank>,
    /// When the role began, as precisely as known; absent if unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub start: Option<PartialDate>,
    /// When the role ended, as precisely as known; absent while it lasts or if unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub end: Option<PartialDate>,
    /// The sources for the role.
    pub citations: Vec<CitationRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Turns rows into roles with their citations: one more query whatever their number.
pub(crate) async fn assemble(
    conn: &mut sqlx::PgConnection,
    rows: Vec<RoleRow>,
) -> Result<Vec<Role>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut citations = links::load(conn, Claim::Role, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let own = links_of(&mut citations, row.id);
            Role::from_row(row, own)
        })
        .collect())
}

impl Role {
    fn from_row(row: RoleRow, citations: Vec<CitationRef>) -> Self {
        let (start, end) = (row.start(), row.end());
        Self {
            id: row.id,
            actor_id: row.actor_id,
            of_actor_id: row.of_actor_id,
            actor: ActorSummary {
                id: row.actor_id,
                slug: row.actor_slug,
                name: row.actor_name,
                kind: row.actor_kind,
            },
            of_actor: ActorSummary {
                id: row.of_actor_id,
                slug: row.of_actor_slug,
                name: row.of_actor_name,
                kind: row.of_actor_kind,
            },
            title: row.title,
            rank: row.rank,
            start,
            end,
            citations,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A new role for the actor in the path.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"of_actor_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a", "title": "President", "rank": "head_of_state", "start": "2019-03-20"}))]
pub struct NewRole {
    /// The state or organization the role is in.
    pub of_actor_id: Uuid,
    pub title: Title,
    /// How senior the role is; analysis can weight what its holder does by it.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub rank: Option<RoleRank>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub start: Option<PartialDate>,
    /// Not before `start`.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub end: Option<PartialDate>,
    /// The sources for the role.
    #[serde(
        default,
        deserialize_with = "bounded::<_, _, 0, 50>",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schema(max_items = 50)]
    pub citations: Vec<CitationLink>,
}

/// A JSON Merge Patch (RFC 7396) of a role; `null` removes `start` or `end`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"end": "2022-12"}))]
pub struct RolePatch {
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub of_actor_id: Option<Uuid>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub title: Option<Title>,
    /// `null` removes the rank.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<RoleRank>)]
    pub rank: Option<Option<RoleRank>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<PartialDate>)]
    pub start: Option<Option<PartialDate>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<PartialDate>)]
    pub end: Option<Option<PartialDate>>,
    /// Replaces every citation; `[]` removes them all.
    #[serde(
        default,
        deserialize_with = "bounded_non_null::<_, _, 0, 50>",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false, max_items = 50)]
    pub citations: Option<Vec<CitationLink>>,
}

/// One page of roles.
#[derive(Debug, Serialize, ToSchema)]
pub struct RolePage {
    pub items: Vec<Role>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// Which roles of the actor to list.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleSide {
    /// Roles the actor holds.
    Actor,
    /// Roles held in the actor (offices of a state, members of an organization).
    OfActor,
}

/// Filters and paging for the roles of an actor.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RoleListQuery {
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, example = 50)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page, with the same filters.
    #[param(max_length = 1000, pattern = "^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
    /// Only roles that may have been held at some time within this date (by overlap:
    /// `on=2022` finds a role that ended in March 2022).
    #[param(value_type = Option<PartialDate>, example = "2022-10-01")]
    pub on: Option<PartialDate>,
    /// Only roles the actor holds (`actor`) or only roles held in it (`of_actor`); both when
    /// absent.
    #[param(inline)]
    pub side: Option<RoleSide>,
}

/// The path of one role.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RolePath {
    /// An actor's id (UUID) or slug: either of the role's two actors.
    #[param(
        max_length = 64,
        pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[a-z0-9]+(-[a-z0-9]+)*)$",
        example = "kazakhstan"
    )]
    pub actor: String,
    /// The role's id.
    pub role_id: Uuid,
}

async fn participant(conn: &mut sqlx::PgConnection, actor: &str) -> Result<Uuid> {
    let key = ActorKey::from_path(actor)?;
    actor_store::resolve(conn, &key)
        .await?
        .ok_or_else(|| key.not_found())
}

/// Checks and stores a new role with its links (also used by the demo data loader).
pub(crate) async fn insert(
    conn: &mut sqlx::PgConnection,
    holder: Uuid,
    input: NewRole,
) -> Result<Uuid> {
    check_period(input.start, input.end)?;
    let links = check_links(conn, input.citations).await?;
    let fields = RoleFields {
        of_actor_id: input.of_actor_id,
        title: input.title,
        rank: input.rank,
        start: input.start,
        end: input.end,
    };
    let id = store::insert(conn, holder, &fields).await?;
    links::replace(conn, Claim::Role, id, &links).await?;
    Ok(id)
}

fn role_id(value: &str) -> Result<Uuid> {
    Uuid::try_parse(value).map_err(|_| ApiError::invalid_field("#/path/role_id", "is not a UUID"))
}

pub(crate) async fn load(
    conn: &mut sqlx::PgConnection,
    participant: Uuid,
    id: Uuid,
) -> Result<Role> {
    let not_found = || ApiError::NotFound(format!("no role `{id}` of this actor"));
    let row = store::find(&mut *conn, participant, id)
        .await?
        .ok_or_else(not_found)?;
    assemble(conn, vec![row]).await?.pop().ok_or_else(not_found)
}

// What each handler extracts, authorization first. (Aliases, because the OpenAPI macro
// cannot read nested extractor types; the documentation is written out on each handler.)
type ListRolesRequest = Read<(web::Path<String>, Query<RoleListQuery>)>;
type CreateRoleRequest = Write<(IdempotencyKey, web::Path<String>, JsonBody<NewRole>)>;
type GetRoleRequest = Read<web::Path<(String, String)>>;
type UpdateRoleRequest = Write<(web::Path<(String, String)>, JsonBody<RolePatch>)>;
type DeleteRoleRequest = Write<web::Path<(String, String)>>;

/// List an actor's roles.
///
/// The roles the actor holds and those held in it, latest start first (undated last).
#[utoipa::path(
    tag = "roles",
    operation_id = "list_roles",
    params(ActorPath, RoleListQuery),
    responses(
        (status = 200, description = "A page of roles", content((RolePage = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    ),
    security((), ("bearer" = [])),
)]
#[get("/{actor}/roles")]
pub async fn list_roles(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: ListRolesRequest,
) -> Result<HttpResponse> {
    let Read((path, Query(query))) = read;
    let limit = pagination::limit(query.limit)?;
    let side = query.side.map(|s| match s {
        RoleSide::Actor => Side::Actor,
        RoleSide::OfActor => Side::OfActor,
    });
    let filters = pagination::filter_digest(&[
        ("actor", Some(path.as_str().to_owned())),
        ("on", query.on.map(|d| d.to_string())),
        ("side", side.map(|s| format!("{s:?}"))),
    ]);
    let after: Option<(Option<NaiveDate>, Uuid)> =
        pagination::decode(query.cursor.as_deref(), &filters)?;
    let mut conn = state.pool.acquire().await?;
    let participant = participant(&mut conn, &path).await?;
    let filter = RoleFilter { side, on: query.on };
    let (items, next_cursor) = pagination::fill(
        &mut conn,
        limit,
        &filters,
        after,
        async |conn, after, n| store::list(conn, participant, &filter, after, n).await,
        async |conn, rows| assemble(conn, rows).await,
        |r| (r.start_date, r.id),
    )
    .await?;
    let page = RolePage { items, next_cursor };
    pagination::respond(&req, &page, &page.items, page.next_cursor.as_deref())
}

/// Create a role.
///
/// For the actor in the path, who holds it.
#[utoipa::path(
    tag = "roles",
    operation_id = "create_role",
    params(ActorPath, ("Idempotency-Key" = Option<String>, Header, max_length = 255, pattern = "^[!-~]+$",
        description = "Makes the request safe to retry: a replay within 24 h returns the first response and creates nothing.")),
    request_body(content = NewRole, content_type = "application/json"),
    responses(
        (status = 201, description = "The role was created", body = Role,
            headers(("Location" = String, description = "The role's URL"), ("ETag" = String)),
            links(
                ("GetRole" = (operation_id = "get_role", parameters(("actor" = "$response.body#/actor_id"), ("role_id" = "$response.body#/id")))),
                ("UpdateRole" = (operation_id = "update_role", parameters(("actor" = "$response.body#/actor_id"), ("role_id" = "$response.body#/id")))),
                ("DeleteRole" = (operation_id = "delete_role", parameters(("actor" = "$response.body#/actor_id"), ("role_id" = "$response.body#/id")))),
                ("GetRoleUnderOrganization" = (operation_id = "get_role", parameters(("actor" = "$response.body#/of_actor_id"), ("role_id" = "$response.body#/id")))),
            )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = ["write"])),
)]
#[post("/{actor}/roles")]
pub async fn create_role(
    state: web::Data<AppState>,
    write: CreateRoleRequest,
) -> Result<HttpResponse> {
    let Write(caller, (key, path, JsonBody(input))) = write;
    let mut tx = state.pool.begin().await?;
    let holder = participant(&mut tx, &path).await?;
    let operation = format!("POST /v1/actors/{holder}/roles");
    let pending = match key.begin(&mut tx, &caller, &operation, &input).await? {
        Begun::Replay(response) => return Ok(response),
        Begun::Proceed(pending) => pending,
    };
    let id = insert(&mut tx, holder, input).await?;
    let role = load(&mut tx, holder, id).await?;
    let representation = Representation::of(&role)?;
    record_change(
        &mut tx,
        Resource::Role,
        id,
        Operation::Create,
        &caller.name,
        &representation,
    )
    .await?;
    super::actors::record_update(&mut tx, holder, &caller.name).await?;
    let response = created(format!("/v1/actors/{holder}/roles/{id}"), representation);
    let response = pending.finish(&mut tx, response).await?;
    tx.commit().await?;
    Ok(response)
}

/// Get a role.
#[utoipa::path(
    tag = "roles",
    operation_id = "get_role",
    params(RolePath, ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier response; 304 if unchanged")),
    responses(
        (status = 200, description = "The role", body = Role, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the ETag given in If-None-Match", headers(("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    ),
    security((), ("bearer" = [])),
)]
#[get("/{actor}/roles/{role_id}")]
pub async fn get_role(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: GetRoleRequest,
) -> Result<HttpResponse> {
    let Read(path) = read;
    let (actor, role) = path.into_inner();
    let id = role_id(&role)?;
    let mut conn = state.pool.acquire().await?;
    let participant = participant(&mut conn, &actor).await?;
    let role = load(&mut conn, participant, id).await?;
    Ok(Representation::of(&role)?.respond(&req))
}

/// Update a role.
///
/// A JSON Merge Patch; honours `If-Match`.
#[utoipa::path(
    tag = "roles",
    operation_id = "update_role",
    params(RolePath, ("If-Match" = Option<String>, Header, description = "The ETag the change is based on; 412 if the role has changed since")),
    request_body(content(
        (RolePatch = "application/merge-patch+json"),
        (RolePatch = "application/json"),
    )),
    responses(
        (status = 200, description = "The updated role", body = Role, headers(("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 503, response = ServiceUnavailable),
    ),
    security(("bearer" = ["write"])),
)]
#[patch("/{actor}/roles/{role_id}")]
pub async fn update_role(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: UpdateRoleRequest,
) -> Result<HttpResponse> {
    let Write(caller, (path, JsonBody(patch))) = write;
    let (actor, role) = path.into_inner();
    let id = role_id(&role)?;
    let mut tx = state.pool.begin().await?;
    let participant = participant(&mut tx, &actor).await?;
    if !store::lock(&mut tx, participant, id).await? {
        return Err(ApiError::NotFound(format!("no role `{id}` of this actor")));
    }
    let current = load(&mut tx, participant, id).await?;
    check_if_match(&req, Some(&Representation::of(&current)?.etag))?;
    let title = match patch.title {
        Some(title) => title,
        None => Title::parse(current.title.clone()).map_err(|_| {
            ApiError::Internal(anyhow::anyhow!("stored role {id} has an invalid title"))
        })?,
    };
    let fields = RoleFields {
        of_actor_id: patch.of_actor_id.unwrap_or(current.of_actor_id),
        title,
        rank: patch.rank.unwrap_or(current.rank),
        start: patch.start.unwrap_or(current.start),
        end: patch.end.unwrap_or(current.end),
    };
    check_period(fields.start, fields.end)?;
    if let Some(citations) = patch.citations {
        let links = check_links(&mut tx, citations).await?;
        links::replace(&mut tx, Claim::Role, id, &links).await?;
    }
    store::update(&mut tx, id, &fields).await?;
    // The role may have moved away from the actor in the path; read it under its holder.
    let updated = load(&mut tx, current.actor_id, id).await?;
    let representation = Representation::of(&updated)?;
    record_change(
        &mut tx,
        Resource::Role,
        id,
        Operation::Update,
        &caller.name,
        &representation,
    )
    .await?;
    super::actors::record_update(&mut tx, current.actor_id, &caller.name).await?;
    tx.commit().await?;
    Ok(representation.with_status(StatusCode::OK))
}

/// Delete a role.
#[utoipa::path(
    tag = "roles",
    operation_id = "delete_role",
    params(RolePath, ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on; 412 if the role has changed since")),
    responses(
        (status = 204, description = "The role was deleted"),
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
#[delete("/{actor}/roles/{role_id}")]
pub async fn delete_role(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: DeleteRoleRequest,
) -> Result<HttpResponse> {
    let Write(caller, path) = write;
    let (actor, role) = path.into_inner();
    let id = role_id(&role)?;
    let mut tx = state.pool.begin().await?;
    let participant = participant(&mut tx, &actor).await?;
    if !store::lock(&mut tx, participant, id).await? {
        return Err(ApiError::NotFound(format!("no role `{id}` of this actor")));
    }
    let current = load(&mut tx, participant, id).await?;
    check_if_match(&req, Some(&Representation::of(&current)?.etag))?;
    let references = store::references(&mut tx, id, 100).await?;
    if !references.is_empty() {
        return Err(ApiError::Conflict {
            detail: format!(
                "{} statement(s) are attributed through this role; give them an explicit on_behalf_of_id or delete them first",
                references.len()
            ),
            references,
        });
    }
    store::delete(&mut tx, id).await?;
    record_deletion(&mut tx, Resource::Role, id, &caller.name).await?;
    super::actors::record_update(&mut tx, current.actor_id, &caller.name).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

use super::actors::ActorPath;
