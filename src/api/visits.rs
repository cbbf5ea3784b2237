//! `/v1/visits`: who went where to meet whom, with the sources that say so.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::{CountryCode, Occasion, PartialDate, Place, Summary, VisitKind};
use crate::error::{ApiError, Result};
use crate::store::actors::{self as actor_store, ActorKey};
use crate::store::links::{self, Claim};
use crate::store::visits::{self as store, VisitFields, VisitFilter, VisitRow};

use super::AppState;
use super::actors::ActorSummary;
use super::auth::{Read, Write};
use super::changes::{record_change, record_deletion};
use super::citations::parse_id;
use super::conditional::{Representation, check_if_match};
use super::extract::{JsonBody, Query};
use super::idempotency::{Begun, IdempotencyKey, created};
use super::pagination;
use super::problems::*;
use super::serde_helpers::{bounded, bounded_non_null, non_null, nullable};
use super::sources::{
    CitationLink, CitationRef, check_actors, check_links, check_period, date_range, links_of,
};
use crate::store::changes::{Operation, Resource};

/// A visit: the principal(s) travelling, the state or organization hosting them, where and
/// when, and the sources that report it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c10",
    "visitors": [{"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c11", "slug": "xi-jinping", "name": "Xi Jinping", "kind": "person"}],
    "host": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a", "slug": "kazakhstan", "name": "Kazakhstan", "kind": "state"},
    "place": "Astana",
    "country_code": "KZ",
    "start": "2022-09",
    "kind": "official",
    "citations": [{"citation": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0f", "source": "Fmprc.gov.cn", "published_on": "2022-09-15"}}],
    "created_at": "2026-11-27T12:00:00Z",
    "updated_at": "2026-11-27T12:00:00Z"
}))]
pub struct Visit {
    pub id: Uuid,
    /// Who travelled, in the order given.
    pub visitors: Vec<ActorSummary>,
    /// Who received them.
    pub host: ActorSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub place: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = CountryCode)]
    pub country_code: Option<String>,
    pub start: PartialDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub end: Option<PartialDate>,
    pub kind: VisitKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub occasion: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub summary: Option<String>,
    pub citations: Vec<CitationRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new visit.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "visitor_ids": ["0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c11"],
    "host_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a",
    "place": "Astana",
    "start": "2022-09",
    "kind": "official",
    "citations": [{"citation_id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0f"}]
}))]
pub struct NewVisit {
    /// The principal(s) travelling: 1 to 20 actors, none of them the host.
    #[schema(min_items = 1, max_items = 20)]
    #[serde(deserialize_with = "bounded::<_, _, 1, 20>")]
    pub visitor_ids: Vec<Uuid>,
    /// The state or organization receiving them.
    pub host_id: Uuid,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub place: Option<Place>,
    /// Where the visit took place; the host's country when absent.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub country_code: Option<CountryCode>,
    pub start: PartialDate,
    /// Not before `start`.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub end: Option<PartialDate>,
    pub kind: VisitKind,
    /// What brought the visitors, e.g. a summit.
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub occasion: Option<Occasion>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub summary: Option<Summary>,
    /// The sources: at least one.
    #[schema(min_items = 1, max_items = 50)]
    #[serde(deserialize_with = "bounded::<_, _, 1, 50>")]
    pub citations: Vec<CitationLink>,
}

/// A JSON Merge Patch (RFC 7396) of a visit; lists are replaced whole; `null` removes an
/// optional field.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"end": "2022-09-15", "summary": "Talks on transit and trade."}))]
pub struct VisitPatch {
    #[serde(
        default,
        deserialize_with = "bounded_non_null::<_, _, 1, 20>",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false, min_items = 1, max_items = 20)]
    pub visitor_ids: Option<Vec<Uuid>>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub host_id: Option<Uuid>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Place>)]
    pub place: Option<Option<Place>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<CountryCode>)]
    pub country_code: Option<Option<CountryCode>>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub start: Option<PartialDate>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<PartialDate>)]
    pub end: Option<Option<PartialDate>>,
    #[serde(
        default,
        deserialize_with = "non_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable = false)]
    pub kind: Option<VisitKind>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Occasion>)]
    pub occasion: Option<Option<Occasion>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
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

/// One page of visits.
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitPage {
    pub items: Vec<Visit>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// Filters and paging for the list of visits. Actor filters take an id or a slug.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VisitListQuery {
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, example = 50)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page, with the same filters.
    #[param(max_length = 1000, pattern = "^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
    /// Visits the actor takes part in, as visitor or host.
    #[param(
        max_length = 64,
        pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[a-z0-9]+(-[a-z0-9]+)*)$",
        example = "kazakhstan"
    )]
    pub actor: Option<String>,
    /// Visits the actor made.
    #[param(
        max_length = 64,
        pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[a-z0-9]+(-[a-z0-9]+)*)$",
        example = "xi-jinping"
    )]
    pub visitor: Option<String>,
    /// Visits the actor hosted.
    #[param(
        max_length = 64,
        pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[a-z0-9]+(-[a-z0-9]+)*)$",
        example = "kazakhstan"
    )]
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
    #[param(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000]*$",
        example = "summit"
    )]
    pub q: Option<String>,
}

/// The `{visit_id}` path parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct VisitPath {
    /// The visit's id.
    pub visit_id: Uuid,
}

/// Resolves an actor filter (id or slug) to an id; 422 if no such actor.
pub(crate) async fn actor_filter(
    conn: &mut PgConnection,
    value: Option<&str>,
    name: &str,
) -> Result<Option<Uuid>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let pointer = format!("#/query/{name}");
    let key = match Uuid::try_parse(value) {
        Ok(id) => ActorKey::Id(id),
        Err(_) => ActorKey::Slug(crate::domain::Slug::parse(value).map_err(|e| {
            ApiError::invalid_field(&pointer, format!("is neither an id nor a slug: {e}"))
        })?),
    };
    match actor_store::resolve(conn, &key).await? {
        Some(id) => Ok(Some(id)),
        None => Err(ApiError::unprocessable_field(
            pointer,
            "no actor has this id or slug",
        )),
    }
}

/// Turns rows into visits with their visitors and citations: two more queries per page.
pub(crate) async fn assemble(conn: &mut PgConnection, rows: Vec<VisitRow>) -> Result<Vec<Visit>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut visitors = store::visitors(&mut *conn, &ids).await?;
    let mut citations = links::load(conn, Claim::Visit, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let own_visitors = visitors
                .extract_if(.., |v| v.visit_id == row.id)
                .map(|v| ActorSummary {
                    id: v.id,
                    slug: v.slug,
                    name: v.name,
                    kind: v.kind,
                })
                .collect();
            let own_citations = links_of(&mut citations, row.id);
            let (start, end) = (row.start(), row.end());
            Visit {
                id: row.id,
                visitors: own_visitors,
                host: ActorSummary {
                    id: row.host_id,
                    slug: row.host_slug,
                    name: row.host_name,
                    kind: row.host_kind,
                },
                place: row.place,
                country_code: row.country_code,
                start,
                end,
                kind: row.kind,
                occasion: row.occasion,
                summary: row.summary,
                citations: own_citations,
                created_at: row.created_at,
                updated_at: row.updated_at,
            }
        })
        .collect())
}

pub(crate) async fn load(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<Visit> {
    let row = store::find(&mut *conn, id, lock)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no visit with id `{id}`")))?;
    let mut visits = assemble(conn, vec![row]).await?;
    visits
        .pop()
        .ok_or_else(|| ApiError::NotFound(format!("no visit with id `{id}`")))
}

/// Checks what the schema cannot say about visitors and host, and that they exist.
async fn check_participants(conn: &mut PgConnection, visitors: &[Uuid], host: Uuid) -> Result<()> {
    check_participant_shape(visitors, host)?;
    let mut refs: Vec<(String, Uuid)> = visitors
        .iter()
        .enumerate()
        .map(|(i, id)| (format!("#/visitor_ids/{i}"), *id))
        .collect();
    refs.push(("#/host_id".into(), host));
    check_actors(conn, &refs).await
}

/// No visitor twice, and none of them the host (checks that need no database).
pub(crate) fn check_participant_shape(visitors: &[Uuid], host: Uuid) -> Result<()> {
    for (i, visitor) in visitors.iter().enumerate() {
        if visitors[..i].contains(visitor) {
            return Err(ApiError::unprocessable_field(
                format!("#/visitor_ids/{i}"),
                "names the same actor twice",
            ));
        }
        if *visitor == host {
            return Err(ApiError::unprocessable_field(
                format!("#/visitor_ids/{i}"),
                "is the host: a visitor travels to another actor",
            ));
        }
    }
    Ok(())
}

/// The host's country, for a visit given none.
async fn host_country(conn: &mut PgConnection, host: Uuid) -> Result<Option<CountryCode>> {
    let row = actor_store::find(conn, &ActorKey::Id(host), false).await?;
    Ok(row
        .and_then(|r| r.country_code)
        .and_then(|c| CountryCode::parse(&c).ok()))
}

// What each handler extracts, authorization first (aliases: see actors.rs).
type ListVisitsRequest = Read<Query<VisitListQuery>>;
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
    params(VisitListQuery),
    responses(
        (status = 200, description = "A page of visits", content((VisitPage = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
        (status = 503, response = ServiceUnavailable),
    ),
    security((), ("bearer" = [])),
)]
#[get("")]
pub async fn list_visits(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: ListVisitsRequest,
) -> Result<HttpResponse> {
    let Read(Query(query)) = read;
    let limit = pagination::limit(query.limit)?;
    let q = match &query.q {
        Some(q) => Some(super::text_query(q, "#/query/q")?),
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
    let after: Option<(NaiveDate, Uuid)> = pagination::decode(query.cursor.as_deref(), &filters)?;
    let mut conn = state.pool.acquire().await?;
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
        async |conn, after, n| store::list(conn, &filter, after, n).await,
        async |conn, rows| assemble(conn, rows).await,
        |r| (r.start_date, r.id),
    )
    .await?;
    let page = VisitPage { items, next_cursor };
    pagination::respond(&req, &page, &page.items, page.next_cursor.as_deref())
}

/// Create a visit.
#[utoipa::path(
    tag = "visits",
    operation_id = "create_visit",
    request_body(content = NewVisit, content_type = "application/json"),
    params(("Idempotency-Key" = Option<String>, Header, max_length = 255, pattern = "^[!-~]+$",
        description = "Makes the request safe to retry: a replay within 24 h returns the first response and creates nothing.")),
    responses(
        (status = 201, description = "The visit was created", body = Visit,
            headers(("Location" = String, description = "The visit's URL"), ("ETag" = String)),
            links(
                ("GetVisit" = (operation_id = "get_visit", parameters(("visit_id" = "$response.body#/id")))),
                ("UpdateVisit" = (operation_id = "update_visit", parameters(("visit_id" = "$response.body#/id")))),
                ("DeleteVisit" = (operation_id = "delete_visit", parameters(("visit_id" = "$response.body#/id")))),
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
pub async fn create_visit(
    state: web::Data<AppState>,
    write: CreateVisitRequest,
) -> Result<HttpResponse> {
    let Write(caller, (key, JsonBody(input))) = write;
    let mut tx = state.pool.begin().await?;
    let pending = match key
        .begin(&mut tx, &caller, "POST /v1/visits", &input)
        .await?
    {
        Begun::Replay(response) => return Ok(response),
        Begun::Proceed(pending) => pending,
    };
    let id = insert(&mut tx, input).await?;
    let visit = load(&mut tx, id, false).await?;
    let representation = Representation::of(&visit)?;
    record_change(
        &mut tx,
        Resource::Visit,
        id,
        Operation::Create,
        &caller.name,
        &representation,
    )
    .await?;
    let response = created(format!("/v1/visits/{id}"), representation);
    let response = pending.finish(&mut tx, response).await?;
    tx.commit().await?;
    Ok(response)
}

/// Checks and stores a new visit with its links (also used by the demo data loader).
pub(crate) async fn insert(conn: &mut PgConnection, input: NewVisit) -> Result<Uuid> {
    check_period(Some(input.start), input.end)?;
    check_participants(conn, &input.visitor_ids, input.host_id).await?;
    let links = check_links(conn, input.citations).await?;
    let country_code = match input.country_code {
        Some(code) => Some(code),
        None => host_country(conn, input.host_id).await?,
    };
    let fields = VisitFields {
        visitor_ids: input.visitor_ids,
        host_id: input.host_id,
        place: input.place,
        country_code,
        start: input.start,
        end: input.end,
        kind: input.kind,
        occasion: input.occasion,
        summary: input.summary,
    };
    let id = store::insert(conn, &fields).await?;
    links::replace(conn, Claim::Visit, id, &links).await?;
    Ok(id)
}

/// Get a visit.
#[utoipa::path(
    tag = "visits",
    operation_id = "get_visit",
    params(VisitPath, ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier response; 304 if unchanged")),
    responses(
        (status = 200, description = "The visit", body = Visit, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the ETag given in If-None-Match", headers(("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    ),
    security((), ("bearer" = [])),
)]
#[get("/{visit_id}")]
pub async fn get_visit(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: GetVisitRequest,
) -> Result<HttpResponse> {
    let Read(path) = read;
    let id = parse_id(&path, "visit_id")?;
    let mut conn = state.pool.acquire().await?;
    let visit = load(&mut conn, id, false).await?;
    Ok(Representation::of(&visit)?.respond(&req))
}

/// Update a visit.
///
/// A JSON Merge Patch; honours `If-Match`.
#[utoipa::path(
    tag = "visits",
    operation_id = "update_visit",
    params(VisitPath, ("If-Match" = Option<String>, Header, description = "The ETag the change is based on; 412 if the visit has changed since")),
    request_body(content(
        (VisitPatch = "application/merge-patch+json"),
        (VisitPatch = "application/json"),
    )),
    responses(
        (status = 200, description = "The updated visit", body = Visit, headers(("ETag" = String))),
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
#[patch("/{visit_id}")]
pub async fn update_visit(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: UpdateVisitRequest,
) -> Result<HttpResponse> {
    let Write(caller, (path, JsonBody(patch))) = write;
    let id = parse_id(&path, "visit_id")?;
    let mut tx = state.pool.begin().await?;
    let current = load(&mut tx, id, true).await?;
    check_if_match(&req, Some(&Representation::of(&current)?.etag))?;
    let stored =
        |what: &str| ApiError::Internal(anyhow::anyhow!("stored visit {id} has an invalid {what}"));
    let visitor_ids = patch
        .visitor_ids
        .unwrap_or_else(|| current.visitors.iter().map(|v| v.id).collect());
    let host_id = patch.host_id.unwrap_or(current.host.id);
    let fields = VisitFields {
        place: match patch.place {
            Some(place) => place,
            None => current
                .place
                .clone()
                .map(Place::parse)
                .transpose()
                .map_err(|_| stored("place"))?,
        },
        country_code: match patch.country_code {
            Some(code) => code,
            None => current
                .country_code
                .as_deref()
                .and_then(|c| CountryCode::parse(c).ok()),
        },
        start: patch.start.unwrap_or(current.start),
        end: patch.end.unwrap_or(current.end),
        kind: patch.kind.unwrap_or(current.kind),
        occasion: match patch.occasion {
            Some(occasion) => occasion,
            None => current
                .occasion
                .clone()
                .map(Occasion::parse)
                .transpose()
                .map_err(|_| stored("occasion"))?,
        },
        summary: match patch.summary {
            Some(summary) => summary,
            None => current
                .summary
                .clone()
                .map(Summary::parse)
                .transpose()
                .map_err(|_| stored("summary"))?,
        },
        visitor_ids,
        host_id,
    };
    check_period(Some(fields.start), fields.end)?;
    check_participants(&mut tx, &fields.visitor_ids, fields.host_id).await?;
    if let Some(citations) = patch.citations {
        let links = check_links(&mut tx, citations).await?;
        links::replace(&mut tx, Claim::Visit, id, &links).await?;
    }
    store::update(&mut tx, id, &fields).await?;
    let updated = load(&mut tx, id, false).await?;
    let representation = Representation::of(&updated)?;
    record_change(
        &mut tx,
        Resource::Visit,
        id,
        Operation::Update,
        &caller.name,
        &representation,
    )
    .await?;
    tx.commit().await?;
    Ok(representation.with_status(StatusCode::OK))
}

/// Delete a visit.
///
/// Refused with 409, listing them, while statements say they were made during it.
#[utoipa::path(
    tag = "visits",
    operation_id = "delete_visit",
    params(VisitPath, ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on; 412 if the visit has changed since")),
    responses(
        (status = 204, description = "The visit was deleted"),
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
#[delete("/{visit_id}")]
pub async fn delete_visit(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: DeleteVisitRequest,
) -> Result<HttpResponse> {
    let Write(caller, path) = write;
    let id = parse_id(&path, "visit_id")?;
    let mut tx = state.pool.begin().await?;
    let current = load(&mut tx, id, true).await?;
    check_if_match(&req, Some(&Representation::of(&current)?.etag))?;
    let references = store::references(&mut tx, id, 100).await?;
    if !references.is_empty() {
        return Err(ApiError::Conflict {
            detail: format!(
                "{} statement(s) were made during this visit; change or delete them first",
                references.len()
            ),
            references,
        });
    }
    store::delete(&mut tx, id).await?;
    record_deletion(&mut tx, Resource::Visit, id, &caller.name).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
