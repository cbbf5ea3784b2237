//! `/v1/visits`: who went where to meet whom, with the sources that say so.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::{CountryCode, PartialDate, Resource, VisitKind};
use crate::error::Result;
use crate::records::read::Assembled;
use crate::records::visits::{NewVisit, Visit, VisitPatch};
use crate::store::rows;
use crate::store::visits::{VisitFilter, Visits};

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

/// One page of visits.
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitPage {
    pub items: Vec<Visit>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// Filters for the list of visits. Actor filters take an id or a slug.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitListQuery {
    /// Visits the actor takes part in, as visitor or host.
    #[param(value_type = Option<IdOrSlug>, inline, example = "kazakhstan")]
    pub actor: Option<String>,
    /// Visits the actor made.
    #[param(value_type = Option<IdOrSlug>, inline, example = "xi-jinping")]
    pub visitor: Option<String>,
    /// Visits the actor hosted.
    #[param(value_type = Option<IdOrSlug>, inline, example = "kazakhstan")]
    pub host: Option<String>,
    pub kind: Option<VisitKind>,
    /// Where the visit took place.
    #[param(value_type = Option<CountryCode>)]
    pub country: Option<CountryCode>,
    /// Visits citing this citation.
    pub citation: Option<Uuid>,
    /// Visits that may have taken place during or after this date (by overlap).
    #[param(value_type = Option<PartialDate>, example = "2022")]
    pub from: Option<PartialDate>,
    /// Visits that may have taken place during or before this date (by overlap).
    #[param(value_type = Option<PartialDate>, example = "2022-12")]
    pub to: Option<PartialDate>,
    /// Full-text search in occasion, place and summary (web-search syntax).
    #[param(min_length = 1, max_length = 200, pattern = r"^[^\u0000]*$", example = "summit")]
    pub q: Option<String>,
}

/// The `{visit_id}` path parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct VisitPath {
    /// The visit's id.
    pub visit_id: Uuid,
}

// What each handler extracts, authorization first (aliases: see actors.rs).
type ListVisitsRequest = Read<(Query<Paging>, Query<VisitListQuery>)>;
type CreateVisitRequest = Write<(IdempotencyKey, JsonBody<NewVisit>)>;
type GetVisitRequest = Read<web::Path<String>>;
type UpdateVisitRequest = Write<(web::Path<String>, JsonBody<VisitPatch>)>;
type DeleteVisitRequest = Write<web::Path<String>>;

/// List visits.
///
/// Latest first. Filter by actor (as visitor, host, or either), kind, country, citation,
/// dates (by overlap: a visit dated `2022-10` matches `from=2022-10-15`) and text.
#[utoipa::path(
    tag = "visits",
    operation_id = "list_visits",
    params(Paging, VisitListQuery),
    responses(
        (status = 200, description = "A page of visits", content((VisitPage = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 422, response = Unprocessable),
        ReadProblems,
    ),
)]
#[get("")]
pub async fn list_visits(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: ListVisitsRequest,
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
        ("visitor", query.visitor.clone()),
        ("host", query.host.clone()),
        ("kind", query.kind.map(|k| k.as_str().to_owned())),
        ("country", query.country.map(|c| c.to_string())),
        ("citation", query.citation.map(|c| c.to_string())),
        ("from", query.from.map(|d| d.to_string())),
        ("to", query.to.map(|d| d.to_string())),
        ("q", q.clone()),
    ]);
    let after: Option<(NaiveDate, Uuid)> = pagination::decode(paging.cursor.as_deref(), &filters)?;
    let mut conn = state.reader(&req).await?;
    let filter = VisitFilter {
        actor: actor_filter(&mut conn, query.actor.as_deref(), "actor").await?,
        visitor: actor_filter(&mut conn, query.visitor.as_deref(), "visitor").await?,
        host: actor_filter(&mut conn, query.host.as_deref(), "host").await?,
        kind: query.kind,
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
        async |conn, after, n| rows::list::<Visits>(conn, &filter, after, n).await,
        async |conn, rows| Visit::assemble(conn, rows).await,
        |r| (r.start_date, r.id),
    )
    .await?;
    conn.release();
    let page = VisitPage { items, next_cursor };
    pagination::respond(&req, &page, &page.items, page.next_cursor.as_deref())
}

/// Create a visit.
#[utoipa::path(
    tag = "visits",
    operation_id = "create_visit",
    request_body(content = NewVisit, content_type = "application/json"),
    params(IdempotencyKey),
    responses(
        (status = 201, description = "The visit was created", body = Visit,
            headers(("Location" = String, description = "The visit's URL"), ("ETag" = String)),
            links(
                ("GetVisit" = (operation_id = "get_visit", parameters(("visit_id" = "$response.body#/id")))),
                ("UpdateVisit" = (operation_id = "update_visit", parameters(("visit_id" = "$response.body#/id")))),
                ("DeleteVisit" = (operation_id = "delete_visit", parameters(("visit_id" = "$response.body#/id")))),
            )),
        (status = 409, response = Conflict),
        WriteProblems, BodyProblems,
    ),
)]
#[post("")]
pub async fn create_visit(
    state: web::Data<AppState>,
    write: CreateVisitRequest,
) -> Result<HttpResponse> {
    let Write(caller, (key, JsonBody(input))) = write;
    record::create::<Visit>(&state, &caller, key, (), input).await
}

/// Get a visit.
#[utoipa::path(
    tag = "visits",
    operation_id = "get_visit",
    params(VisitPath, IfNoneMatch),
    responses(
        (status = 200, description = "The visit", body = Visit, headers(("ETag" = String))),
        NotModified,
        (status = 404, response = NotFound),
        ReadProblems,
    ),
)]
#[get("/{visit_id}")]
pub async fn get_visit(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: GetVisitRequest,
) -> Result<HttpResponse> {
    let Read(path) = read;
    record::get::<Visit>(&state, &req, parse_id(&path, "visit_id")?).await
}

/// Update a visit.
///
/// A JSON Merge Patch; honours `If-Match`.
#[utoipa::path(
    tag = "visits",
    operation_id = "update_visit",
    params(VisitPath, IfMatch),
    request_body(content(
        (VisitPatch = "application/merge-patch+json"),
        (VisitPatch = "application/json"),
    )),
    responses(
        (status = 200, description = "The updated visit", body = Visit, headers(("ETag" = String))),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        WriteProblems, BodyProblems,
    ),
)]
#[patch("/{visit_id}")]
pub async fn update_visit(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: UpdateVisitRequest,
) -> Result<HttpResponse> {
    let Write(caller, (path, JsonBody(patch))) = write;
    let id = parse_id(&path, "visit_id")?;
    record::update::<Visit>(&state, &req, &caller, id, patch).await
}

/// Delete a visit.
///
/// Refused with 409, listing them, while statements say they were made during it.
#[utoipa::path(
    tag = "visits",
    operation_id = "delete_visit",
    params(VisitPath, IfMatch),
    responses(
        (status = 204, description = "The visit was deleted"),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        WriteProblems,
    ),
)]
#[delete("/{visit_id}")]
pub async fn delete_visit(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: DeleteVisitRequest,
) -> Result<HttpResponse> {
    let Write(caller, path) = write;
    let id = parse_id(&path, "visit_id")?;
    record::delete::<Visit>(&state, &req, &caller, id).await
}

type RecordRevisionsRequest = Read<(web::Path<String>, Query<Paging>)>;

/// List a visit's revisions.
#[utoipa::path(
    tag = "visits",
    operation_id = "list_visit_revisions",
    params(VisitPath, Paging),
    responses(
        (status = 200, description = "A page of revisions", content((RevisionPage = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = NotFound),
        ReadProblems,
    ),
)]
#[get("/{visit_id}/revisions")]
pub async fn list_visit_revisions(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: RecordRevisionsRequest,
) -> Result<HttpResponse> {
    let Read((path, Query(query))) = read;
    let id = parse_id(&path, "visit_id")?;
    revisions(&state, &req, Resource::Visit, id, query).await
}

impl CsvRecord for Visit {
    const HEADER: &'static [&'static str] = &[
        "id",
        "start",
        "end",
        "kind",
        "visitor_slugs",
        "visitor_names",
        "host_id",
        "host_slug",
        "host_name",
        "place",
        "country_code",
        "occasion",
        "summary",
        "sources",
        "created_at",
        "updated_at",
    ];
    fn fields(&self) -> Vec<String> {
        let slugs: Vec<&str> = self.visitors.iter().map(|v| v.slug.as_str()).collect();
        let names: Vec<&str> = self.visitors.iter().map(|v| v.name.as_str()).collect();
        vec![
            self.id.to_string(),
            self.start.to_string(),
            opt(&self.end),
            snake(&self.kind),
            list(&slugs),
            list(&names),
            self.host.id.to_string(),
            self.host.slug.clone(),
            self.host.name.clone(),
            opt(&self.place),
            opt(&self.country_code),
            opt(&self.occasion),
            opt(&self.summary),
            sources(&self.citations),
            self.created_at.to_rfc3339(),
            self.updated_at.to_rfc3339(),
        ]
    }
}
