//! `/v1/citations`: the sources behind claims, reusable by any number of them.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::{LanguageTag, PartialDate, Resource};
use crate::error::Result;
use crate::records::citations::{Citation, CitationPatch, NewCitation, load};
use crate::records::record::reference;
use crate::store::citations::{self as store, CitationFilter};

use super::auth::{Read, Write};
use super::bibliography::{BIBTEX, CSL_JSON, CslItem};
use super::changes::{RevisionPage, revisions};
use super::conditional::{IfMatch, IfNoneMatch, NotModified, Representation};
use super::extract::{JsonBody, Query, parse_id};
use super::formats::{self, CsvRecord, JSON, list, opt};
use super::idempotency::IdempotencyKey;
use super::pagination::{self, Paging, date_range, with_link};
use super::problems::*;
use super::record;
use super::state::AppState;

/// One page of citations.
#[derive(Debug, Serialize, ToSchema)]
pub struct CitationPage {
    pub items: Vec<Citation>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// A record that cites a citation.
#[derive(Debug, Serialize, ToSchema)]
pub struct CitingRecord {
    /// `statement`, `visit` or `role`.
    #[schema(example = "statement")]
    pub resource: String,
    pub id: Uuid,
    pub href: String,
    /// The date of the statement, the start of the visit or role.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub date: Option<PartialDate>,
    /// What it is: the statement's text (shortened), the visit's occasion (or who visited
    /// whom), the role's title.
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub locator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub quote: Option<String>,
}

/// One page of the records that cite a citation.
#[derive(Debug, Serialize, ToSchema)]
pub struct CitingPage {
    pub items: Vec<CitingRecord>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// Filters for the list of citations.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CitationListQuery {
    /// Full-text search in title, source and excerpt (web-search syntax: `"exact phrase"`,
    /// `-excluded`, `or`).
    #[param(min_length = 1, max_length = 200, pattern = r"^[^\u0000]*$", example = "multi-vector")]
    pub q: Option<String>,
    /// Only citations in this language (`en` also finds `en-GB`).
    #[param(value_type = Option<LanguageTag>)]
    pub language: Option<LanguageTag>,
    /// Published during or after this date.
    #[param(value_type = Option<PartialDate>, example = "2022")]
    pub from: Option<PartialDate>,
    /// Published during or before this date.
    #[param(value_type = Option<PartialDate>, example = "2022-12")]
    pub to: Option<PartialDate>,
}

/// The `{citation_id}` path parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CitationPath {
    /// The citation's id.
    pub citation_id: Uuid,
}

// What each handler extracts, authorization first (aliases: see actors.rs).
type ListCitationsRequest = Read<(Query<Paging>, Query<CitationListQuery>)>;
type CreateCitationRequest = Write<(IdempotencyKey, JsonBody<NewCitation>)>;
type GetCitationRequest = Read<web::Path<String>>;
type UpdateCitationRequest = Write<(web::Path<String>, JsonBody<CitationPatch>)>;
type DeleteCitationRequest = Write<web::Path<String>>;
type CitedByRequest = Read<(web::Path<String>, Query<Paging>)>;

/// List citations.
///
/// Latest publication first (undated last). Filter by text, language, publication date.
#[utoipa::path(
    tag = "citations",
    operation_id = "list_citations",
    params(Paging, CitationListQuery),
    responses(
        (status = 200, description = "A page of citations", content(
                (CitationPage = "application/json"),
                (String = "text/csv"),
                (Vec<CslItem> = "application/vnd.citationstyles.csl+json"),
                (String = "application/x-bibtex"),
            ),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 422, response = Unprocessable),
        ReadProblems,
    ),
)]
#[get("")]
pub async fn list_citations(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: ListCitationsRequest,
) -> Result<HttpResponse> {
    let Read((Query(paging), Query(query))) = read;
    let limit = pagination::limit(paging.limit)?;
    let q = match &query.q {
        Some(q) => Some(super::extract::text_query(q, "#/query/q")?),
        None => None,
    };
    let (from, until) = date_range(query.from, query.to)?;
    let filters = pagination::filter_digest(&[
        ("q", q.clone()),
        (
            "language",
            query.language.as_ref().map(|l| l.as_str().to_owned()),
        ),
        ("from", query.from.map(|d| d.to_string())),
        ("to", query.to.map(|d| d.to_string())),
    ]);
    let after: Option<(Option<NaiveDate>, Uuid)> =
        pagination::decode(paging.cursor.as_deref(), &filters)?;
    let filter = CitationFilter {
        q,
        language: query.language.map(|l| l.as_str().to_owned()),
        from,
        until,
    };
    let mut conn = state.reader(&req).await?;
    let (items, next_cursor) = pagination::fill(
        &mut conn,
        limit,
        &filters,
        after,
        async |conn, after, n| store::list(conn, &filter, after, n).await,
        async |_, rows: Vec<_>| Ok(rows.into_iter().map(Citation::from_row).collect()),
        |r| (r.published_date, r.id),
    )
    .await?;
    conn.release();
    let page = CitationPage { items, next_cursor };
    match formats::negotiate(&req, &[JSON, formats::CSV, CSL_JSON, BIBTEX]) {
        CSL_JSON => {
            let items: Vec<CslItem> = page.items.iter().map(Citation::csl).collect();
            Ok(with_link(&req, page.next_cursor.as_deref())
                .content_type(CSL_JSON)
                .json(items))
        }
        BIBTEX => {
            let entries: Vec<String> = page.items.iter().map(Citation::bibtex).collect();
            Ok(with_link(&req, page.next_cursor.as_deref())
                .content_type(BIBTEX)
                .body(entries.join("\n")))
        }
        _ => pagination::respond(&req, &page, &page.items, page.next_cursor.as_deref()),
    }
}

/// Create a citation.
#[utoipa::path(
    tag = "citations",
    operation_id = "create_citation",
    request_body(content = NewCitation, content_type = "application/json"),
    params(IdempotencyKey),
    responses(
        (status = 201, description = "The citation was created", body = Citation,
            headers(("Location" = String, description = "The citation's URL"), ("ETag" = String)),
            links(
                ("GetCitation" = (operation_id = "get_citation", parameters(("citation_id" = "$response.body#/id")))),
                ("UpdateCitation" = (operation_id = "update_citation", parameters(("citation_id" = "$response.body#/id")))),
                ("DeleteCitation" = (operation_id = "delete_citation", parameters(("citation_id" = "$response.body#/id")))),
                ("CitedBy" = (operation_id = "list_citing_records", parameters(("citation_id" = "$response.body#/id")))),
            )),
        (status = 409, response = Conflict),
        WriteProblems, BodyProblems,
    ),
)]
#[post("")]
pub async fn create_citation(
    state: web::Data<AppState>,
    write: CreateCitationRequest,
) -> Result<HttpResponse> {
    let Write(caller, (key, JsonBody(input))) = write;
    record::create::<Citation>(&state, &caller, key, (), input).await
}

/// Get a citation.
#[utoipa::path(
    tag = "citations",
    operation_id = "get_citation",
    params(CitationPath, IfNoneMatch),
    responses(
        (status = 200, description = "The citation; as a one-item CSL-JSON list, or a BibTeX entry, on request",
            content(
                (Citation = "application/json"),
                (Vec<CslItem> = "application/vnd.citationstyles.csl+json"),
                (String = "application/x-bibtex"),
            ),
            headers(("ETag" = String))),
        NotModified,
        (status = 404, response = NotFound),
        ReadProblems,
    ),
)]
#[get("/{citation_id}")]
pub async fn get_citation(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: GetCitationRequest,
) -> Result<HttpResponse> {
    let Read(path) = read;
    let id = parse_id(&path, "citation_id")?;
    let mut conn = state.reader(&req).await?;
    let citation = load(&mut conn, id, false).await?;
    Ok(match formats::negotiate(&req, &[JSON, CSL_JSON, BIBTEX]) {
        CSL_JSON => HttpResponse::Ok()
            .insert_header(("Vary", "Accept"))
            .content_type(CSL_JSON)
            .json(vec![citation.csl()]),
        BIBTEX => HttpResponse::Ok()
            .insert_header(("Vary", "Accept"))
            .content_type(BIBTEX)
            .body(citation.bibtex()),
        _ => Representation::of(&citation)?.respond(&req),
    })
}

/// Update a citation.
///
/// A JSON Merge Patch; honours `If-Match`.
#[utoipa::path(
    tag = "citations",
    operation_id = "update_citation",
    params(CitationPath, IfMatch),
    request_body(content(
        (CitationPatch = "application/merge-patch+json"),
        (CitationPatch = "application/json"),
    )),
    responses(
        (status = 200, description = "The updated citation", body = Citation, headers(("ETag" = String))),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        WriteProblems, BodyProblems,
    ),
)]
#[patch("/{citation_id}")]
pub async fn update_citation(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: UpdateCitationRequest,
) -> Result<HttpResponse> {
    let Write(caller, (path, JsonBody(patch))) = write;
    let id = parse_id(&path, "citation_id")?;
    record::update::<Citation>(&state, &req, &caller, id, patch).await
}

/// Delete a citation.
///
/// Refused with 409, listing them, while statements, visits or roles cite it.
#[utoipa::path(
    tag = "citations",
    operation_id = "delete_citation",
    params(CitationPath, IfMatch),
    responses(
        (status = 204, description = "The citation was deleted"),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        WriteProblems,
    ),
)]
#[delete("/{citation_id}")]
pub async fn delete_citation(
    state: web::Data<AppState>,
    req: HttpRequest,
    write: DeleteCitationRequest,
) -> Result<HttpResponse> {
    let Write(caller, path) = write;
    let id = parse_id(&path, "citation_id")?;
    record::delete::<Citation>(&state, &req, &caller, id).await
}

/// List the records that cite a citation.
///
/// Statements, visits and roles, with the locator and quote of each link.
#[utoipa::path(
    tag = "citations",
    operation_id = "list_citing_records",
    params(CitationPath, Paging),
    responses(
        (status = 200, description = "A page of the records citing it", content((CitingPage = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = NotFound),
        ReadProblems,
    ),
)]
#[get("/{citation_id}/cited-by")]
pub async fn list_citing_records(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: CitedByRequest,
) -> Result<HttpResponse> {
    let Read((path, Query(query))) = read;
    let id = parse_id(&path, "citation_id")?;
    let limit = pagination::limit(query.limit)?;
    let filters = pagination::filter_digest(&[("citation", Some(id.to_string()))]);
    let after: Option<(String, Uuid)> = pagination::decode(query.cursor.as_deref(), &filters)?;
    let mut conn = state.reader(&req).await?;
    load(&mut conn, id, false).await?;
    let rows = store::citing(&mut conn, id, after, limit).await?;
    let (rows, next_cursor) =
        pagination::split_page(rows, limit, &filters, |r| (r.resource.to_string(), r.id))?;
    let items = rows
        .into_iter()
        .map(|row| CitingRecord {
            href: reference(&row.referrer()).href,
            date: PartialDate::from_parts(row.date, row.precision),
            resource: row.resource.to_string(),
            id: row.id,
            label: row.label,
            locator: row.locator,
            quote: row.quote,
        })
        .collect();
    let page = CitingPage { items, next_cursor };
    pagination::respond(&req, &page, &page.items, page.next_cursor.as_deref())
}

type RecordRevisionsRequest = Read<(web::Path<String>, Query<Paging>)>;

/// List a citation's revisions.
#[utoipa::path(
    tag = "citations",
    operation_id = "list_citation_revisions",
    params(CitationPath, Paging),
    responses(
        (status = 200, description = "A page of revisions", content((RevisionPage = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = NotFound),
        ReadProblems,
    ),
)]
#[get("/{citation_id}/revisions")]
pub async fn list_citation_revisions(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: RecordRevisionsRequest,
) -> Result<HttpResponse> {
    let Read((path, Query(query))) = read;
    let id = parse_id(&path, "citation_id")?;
    revisions(&state, &req, Resource::Citation, id, query).await
}

impl CsvRecord for Citation {
    const HEADER: &'static [&'static str] = &[
        "id",
        "source",
        "title",
        "url",
        "authors",
        "published_on",
        "accessed_on",
        "language",
        "excerpt",
        "archive_url",
        "created_at",
        "updated_at",
    ];
    fn fields(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.source.to_string(),
            opt(&self.title),
            opt(&self.url),
            list(&self.authors),
            opt(&self.published_on),
            opt(&self.accessed_on),
            opt(&self.language),
            opt(&self.excerpt),
            opt(&self.archive_url),
            self.created_at.to_rfc3339(),
            self.updated_at.to_rfc3339(),
        ]
    }
}

impl CsvRecord for CitingRecord {
    const HEADER: &'static [&'static str] = &[
        "resource", "id", "href", "date", "label", "locator", "quote",
    ];
    fn fields(&self) -> Vec<String> {
        vec![
            self.resource.clone(),
            self.id.to_string(),
            self.href.clone(),
            opt(&self.date),
            self.label.clone(),
            opt(&self.locator),
            opt(&self.quote),
        ]
    }
}
