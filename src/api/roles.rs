//! `/v1/actors/{actor}/roles`: offices and memberships over time.
//!
//! A role is created under the actor who holds it, and can be read under either of its two
//! actors: `/v1/actors/kazakhstan/roles?on=2022-10-01` answers "who held which office in
//! Kazakhstan on that day" in one call.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::{PartialDate, Resource};
use crate::error::Result;
use crate::records::actors::id_of;
use crate::records::roles::{NewRole, Role, RoleKey, RolePatch, assemble};
use crate::store::roles::{self as store, RoleFilter, Side};

use super::actors::{ActorPath, IdOrSlug};
use super::auth::{Read, Write};
use super::changes::{RevisionPage, revisions};
use super::conditional::{IfMatch, IfNoneMatch, NotModified};
use super::extract::{JsonBody, Query, actor_from_path, parse_id};
use super::formats::{CsvRecord, opt, sources};
use super::idempotency::IdempotencyKey;
use super::pagination::{self, Paging};
use super::problems::*;
use super::record;
use super::state::AppState;

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

/// Filters for the roles of an actor.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoleListQuery {
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
    #[param(value_type = IdOrSlug, inline, example = "kazakhstan")]
    pub actor: String,
    /// The role's id.
    pub role_id: Uuid,
}

/// A role as the path names it; the role id is checked first.
fn role_key((actor, role): (String, String)) -> Result<RoleKey> {
    let id = parse_id(&role, "role_id")?;
    Ok(RoleKey {
        id,
        actor: actor_from_path(&actor)?,
    })
}

// What each handler extracts, authorization first. (Aliases, because the OpenAPI macro
// cannot read nested extractor types; the documentation is written out on each handler.)
type ListRolesRequest = Read<(web::Path<String>, Query<Paging>, Query<RoleListQuery>)>;
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
    params(ActorPath, Paging, RoleListQuery),
    responses(
        (status = 200, description = "A page of roles", content((RolePage = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = NotFound),
        ReadProblems,
    ),
)]
#[get("/{actor}/roles")]
pub async fn list_roles(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: ListRolesRequest,
) -> Result<HttpResponse> {
    let Read((path, Query(paging), Query(query))) = read;
    let limit = pagination::limit(paging.limit)?;
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
        pagination::decode(paging.cursor.as_deref(), &filters)?;
    let mut conn = state.reader(&req).await?;
    let participant = id_of(&mut conn, &actor_from_path(&path)?).await?;
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
    conn.release();
    let page = RolePage { items, next_cursor };
    pagination::respond(&req, &page, &page.items, page.next_cursor.as_deref())
}

/// Create a role.
///
/// For the actor in the path, who holds it.
#[utoipa::path(
    tag = "roles",
    operation_id = "create_role",
    params(ActorPath, IdempotencyKey),
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
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        WriteProblems, BodyProblems,
    ),
)]
#[post("/{actor}/roles")]
pub async fn create_role(
    state: web::Data<AppState>,
    write: CreateRoleRequest,
) -> Result<HttpResponse> {
    let Write(caller, (key, path, JsonBody(input))) = write;
    let holder = actor_from_path(&path)?;
    record::create::<Role>(&state, &caller, key, holder, input).await
}

/// Get a role.
#[utoipa::path(
    tag = "roles",
    operation_id = "get_role",
    params(RolePath, IfNoneMatch),
    responses(
        (status = 200, description = "The role", body = Role, headers(("ETag" = String))),
        NotModified,
        (status = 404, response = NotFound),
        ReadProblems,
    ),
)]
#[get("/{actor}/roles/{role_id}")]
pub async fn get_role(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: GetRoleRequest,
) -> Result<HttpResponse> {
    let Read(path) = read;
    record::get::<Role>(&state, &req, role_key(path.into_inner())?).await
}

/// Update a role.
///
/// A JSON Merge Patch; honours `If-Match`.
#[utoipa::path(
    tag = "roles",
    operation_id = "update_role",
    params(RolePath, IfMatch),
    request_body(content(
        (RolePatch = "application/merge-patch+json"),
        (RolePatch = "application/json"),
    )),
    responses(
        (status = 200, description = "The updated role", body = Role, headers(("ETag" = String))),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        WriteProblems, BodyProblems,
    ),
)]
#[patch("/{actor}/roles/{role_id}")]
pub async fn update_role(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: UpdateRoleRequest,
) -> Result<HttpResponse> {
    let Write(caller, (path, JsonBody(patch))) = write;
    let key = role_key(path.into_inner())?;
    record::update::<Role>(&state, &req, &caller, key, patch).await
}

/// Delete a role.
#[utoipa::path(
    tag = "roles",
    operation_id = "delete_role",
    params(RolePath, IfMatch),
    responses(
        (status = 204, description = "The role was deleted"),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        WriteProblems,
    ),
)]
#[delete("/{actor}/roles/{role_id}")]
pub async fn delete_role(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: DeleteRoleRequest,
) -> Result<HttpResponse> {
    let Write(caller, path) = write;
    let key = role_key(path.into_inner())?;
    record::delete::<Role>(&state, &req, &caller, key).await
}

type RoleRevisionsRequest = Read<(web::Path<(String, String)>, Query<Paging>)>;

/// List a role's revisions.
#[utoipa::path(
    tag = "roles",
    operation_id = "list_role_revisions",
    params(RolePath, Paging),
    responses(
        (status = 200, description = "A page of revisions", content((RevisionPage = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = NotFound),
        ReadProblems,
    ),
)]
#[get("/{actor}/roles/{role_id}/revisions")]
pub async fn list_role_revisions(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: RoleRevisionsRequest,
) -> Result<HttpResponse> {
    let Read((path, Query(query))) = read;
    let (actor, role) = path.into_inner();
    actor_from_path(&actor)?;
    let id = parse_id(&role, "role_id")?;
    revisions(&state, &req, Resource::Role, id, query).await
}

impl CsvRecord for Role {
    const HEADER: &'static [&'static str] = &[
        "id",
        "actor_id",
        "actor_slug",
        "actor_name",
        "of_actor_id",
        "of_actor_slug",
        "of_actor_name",
        "title",
        "rank",
        "start",
        "end",
        "sources",
        "created_at",
        "updated_at",
    ];
    fn fields(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.actor.id.to_string(),
            self.actor.slug.clone(),
            self.actor.name.clone(),
            self.of_actor.id.to_string(),
            self.of_actor.slug.clone(),
            self.of_actor.name.clone(),
            self.title.to_string(),
            self.rank.map(|r| r.as_str().to_owned()).unwrap_or_default(),
            opt(&self.start),
            opt(&self.end),
            sources(&self.citations),
            self.created_at.to_rfc3339(),
            self.updated_at.to_rfc3339(),
        ]
    }
}
