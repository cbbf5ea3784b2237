//! `/v1/statements`: who said what, for whom, about whom, and where it is sourced.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::{CountryCode, PartialDate, Resource, StatementKind, Topic};
use crate::error::Result;
use crate::records::read::Assembled;
use crate::records::statements::{NewStatement, Statement, StatementPatch};
use crate::store::rows;
use crate::store::statements::{StatementFilter, Statements};

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

/// One page of statements.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementPage {
    pub items: Vec<Statement>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// Filters for the list of statements. Actor filters take an id or a slug.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatementListQuery {
    /// Statements the actor made, was spoken for in, or is a subject of.
    #[param(value_type = Option<IdOrSlug>, inline, example = "kazakhstan")]
    pub actor: Option<String>,
    /// Statements the actor made.
    #[param(value_type = Option<IdOrSlug>, inline, example = "xi-jinping")]
    pub speaker: Option<String>,
    /// Statements made for the actor.
    #[param(value_type = Option<IdOrSlug>, inline, example = "china")]
    pub on_behalf_of: Option<String>,
    /// Statements about the actor.
    #[param(value_type = Option<IdOrSlug>, inline, example = "kazakhstan")]
    pub subject: Option<String>,
    pub kind: Option<StatementKind>,
    #[param(value_type = Option<Topic>)]
    pub topic: Option<Topic>,
    /// Statements whose speaker, or whom they were made for, has this country code.
    #[param(value_type = Option<CountryCode>)]
    pub country: Option<CountryCode>,
    /// Statements citing this citation.
    pub citation: Option<Uuid>,
    /// Statements made during this visit.
    pub visit: Option<Uuid>,
    /// Statements that may have been made during or after this date (by overlap).
    #[param(value_type = Option<PartialDate>, example = "2022")]
    pub from: Option<PartialDate>,
    /// Statements that may have been made during or before this date (by overlap).
    #[param(value_type = Option<PartialDate>, example = "2022-12")]
    pub to: Option<PartialDate>,
    /// Full-text search in the text (web-search syntax: `"exact phrase"`, `-excluded`, `or`).
    #[param(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000]*$",
        example = "territorial integrity"
    )]
    pub q: Option<String>,
}

/// The `{statement_id}` path parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct StatementPath {
    /// The statement's id.
    pub statement_id: Uuid,
}

// What each handler extracts, authorization first (aliases: see actors.rs).
type ListStatementsRequest = Read<(Query<Paging>, Query<StatementListQuery>)>;
type CreateStatementRequest = Write<(IdempotencyKey, JsonBody<NewStatement>)>;
type GetStatementRequest = Read<web::Path<String>>;
type UpdateStatementRequest = Write<(web::Path<String>, JsonBody<StatementPatch>)>;
type DeleteStatementRequest = Write<web::Path<String>>;

/// List statements.
///
/// Latest first. Filter by actor (as speaker, spoken for, subject, or any), kind, topic,
/// country, citation, visit, dates (by overlap) and text.
#[utoipa::path(
    tag = "statements",
    operation_id = "list_statements",
    params(Paging, StatementListQuery),
    responses(
        (status = 200, description = "A page of statements", content((StatementPage = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 422, response = Unprocessable),
        ReadProblems,
    ),
)]
#[get("")]
pub async fn list_statements(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: ListStatementsRequest,
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
        ("speaker", query.speaker.clone()),
        ("on_behalf_of", query.on_behalf_of.clone()),
        ("subject", query.subject.clone()),
        ("kind", query.kind.map(|k| k.as_str().to_owned())),
        ("topic", query.topic.as_ref().map(|t| t.as_str().to_owned())),
        ("country", query.country.map(|c| c.to_string())),
        ("citation", query.citation.map(|c| c.to_string())),
        ("visit", query.visit.map(|c| c.to_string())),
        ("from", query.from.map(|d| d.to_string())),
        ("to", query.to.map(|d| d.to_string())),
        ("q", q.clone()),
    ]);
    let after: Option<(NaiveDate, Uuid)> = pagination::decode(paging.cursor.as_deref(), &filters)?;
    let mut conn = state.reader(&req).await?;
    let filter = StatementFilter {
        actor: actor_filter(&mut conn, query.actor.as_deref(), "actor").await?,
        speaker: actor_filter(&mut conn, query.speaker.as_deref(), "speaker").await?,
        on_behalf_of: actor_filter(&mut conn, query.on_behalf_of.as_deref(), "on_behalf_of")
            .await?,
        subject: actor_filter(&mut conn, query.subject.as_deref(), "subject").await?,
        kind: query.kind,
        topic: query.topic.map(|t| t.as_str().to_owned()),
        country: query.country.map(|c| c.to_string()),
        citation: query.citation,
        visit: query.visit,
        from,
        until,
        q,
    };
    let (items, next_cursor) = pagination::fill(
        &mut conn,
        limit,
        &filters,
        after,
        async |conn, after, n| rows::list::<Statements>(conn, &filter, after, n).await,
        async |conn, rows| Statement::assemble(conn, rows).await,
        |r| (r.stated_date, r.id),
    )
    .await?;
    conn.release();
    let page = StatementPage { items, next_cursor };
    pagination::respond(&req, &page, &page.items, page.next_cursor.as_deref())
}

/// Create a statement.
#[utoipa::path(
    tag = "statements",
    operation_id = "create_statement",
    request_body(content = NewStatement, content_type = "application/json"),
    params(IdempotencyKey),
    responses(
        (status = 201, description = "The statement was created", body = Statement,
            headers(("Location" = String, description = "The statement's URL"), ("ETag" = String)),
            links(
                ("GetStatement" = (operation_id = "get_statement", parameters(("statement_id" = "$response.body#/id")))),
                ("UpdateStatement" = (operation_id = "update_statement", parameters(("statement_id" = "$response.body#/id")))),
                ("DeleteStatement" = (operation_id = "delete_statement", parameters(("statement_id" = "$response.body#/id")))),
            )),
        (status = 409, response = Conflict),
        WriteProblems, BodyProblems,
    ),
)]
#[post("")]
pub async fn create_statement(
    state: web::Data<AppState>,
    write: CreateStatementRequest,
) -> Result<HttpResponse> {
    let Write(caller, (key, JsonBody(input))) = write;
    record::create::<Statement>(&state, &caller, key, (), input).await
}

/// Get a statement.
#[utoipa::path(
    tag = "statements",
    operation_id = "get_statement",
    params(StatementPath, IfNoneMatch),
    responses(
        (status = 200, description = "The statement", body = Statement, headers(("ETag" = String))),
        NotModified,
        (status = 404, response = NotFound),
        ReadProblems,
    ),
)]
#[get("/{statement_id}")]
pub async fn get_statement(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: GetStatementRequest,
) -> Result<HttpResponse> {
    let Read(path) = read;
    record::get::<Statement>(&state, &req, parse_id(&path, "statement_id")?).await
}

/// Update a statement.
///
/// A JSON Merge Patch; honours `If-Match`. A derived `on_behalf_of` is derived again when the
/// speaker or the date changes.
#[utoipa::path(
    tag = "statements",
    operation_id = "update_statement",
    params(StatementPath, IfMatch),
    request_body(content(
        (StatementPatch = "application/merge-patch+json"),
        (StatementPatch = "application/json"),
    )),
    responses(
        (status = 200, description = "The updated statement", body = Statement, headers(("ETag" = String))),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        WriteProblems, BodyProblems,
    ),
)]
#[patch("/{statement_id}")]
pub async fn update_statement(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: UpdateStatementRequest,
) -> Result<HttpResponse> {
    let Write(caller, (path, JsonBody(patch))) = write;
    let id = parse_id(&path, "statement_id")?;
    record::update::<Statement>(&state, &req, &caller, id, patch).await
}

/// Delete a statement.
#[utoipa::path(
    tag = "statements",
    operation_id = "delete_statement",
    params(StatementPath, IfMatch),
    responses(
        (status = 204, description = "The statement was deleted"),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        WriteProblems,
    ),
)]
#[delete("/{statement_id}")]
pub async fn delete_statement(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: DeleteStatementRequest,
) -> Result<HttpResponse> {
    let Write(caller, path) = write;
    let id = parse_id(&path, "statement_id")?;
    record::delete::<Statement>(&state, &req, &caller, id).await
}

type RecordRevisionsRequest = Read<(web::Path<String>, Query<Paging>)>;

/// List a statement's revisions.
#[utoipa::path(
    tag = "statements",
    operation_id = "list_statement_revisions",
    params(StatementPath, Paging),
    responses(
        (status = 200, description = "A page of revisions", content((RevisionPage = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = NotFound),
        ReadProblems,
    ),
)]
#[get("/{statement_id}/revisions")]
pub async fn list_statement_revisions(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: RecordRevisionsRequest,
) -> Result<HttpResponse> {
    let Read((path, Query(query))) = read;
    let id = parse_id(&path, "statement_id")?;
    revisions(&state, &req, Resource::Statement, id, query).await
}

impl CsvRecord for Statement {
    const HEADER: &'static [&'static str] = &[
        "id",
        "stated_on",
        "kind",
        "speaker_id",
        "speaker_slug",
        "speaker_name",
        "on_behalf_of_id",
        "on_behalf_of_slug",
        "on_behalf_of_name",
        "text",
        "verbatim",
        "language",
        "topics",
        "subjects",
        "visit_id",
        "sources",
        "created_at",
        "updated_at",
    ];
    fn fields(&self) -> Vec<String> {
        let subjects: Vec<String> = self
            .subjects
            .iter()
            .map(|s| format!("{} ({})", s.actor.slug, s.stance.as_str()))
            .collect();
        vec![
            self.id.to_string(),
            self.stated_on.to_string(),
            snake(&self.kind),
            self.speaker.id.to_string(),
            self.speaker.slug.clone(),
            self.speaker.name.clone(),
            opt(&self.on_behalf_of.as_ref().map(|a| a.id)),
            opt(&self.on_behalf_of.as_ref().map(|a| a.slug.clone())),
            opt(&self.on_behalf_of.as_ref().map(|a| a.name.clone())),
            self.text.to_string(),
            self.verbatim.to_string(),
            opt(&self.language),
            list(&self.topics),
            list(&subjects),
            opt(&self.visit_id),
            sources(&self.citations),
            self.created_at.to_rfc3339(),
            self.updated_at.to_rfc3339(),
        ]
    }
}
