//! `/v1/actors/{actor}/timeline`: the visits and statements an actor takes part in, merged
//! in date order.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::PartialDate;
use crate::error::{ApiError, Result};
use crate::store::actors::{self as actor_store, ActorKey};
use crate::store::statements as statement_store;
use crate::store::timeline::{self as store, EntryRow, TimelineQuery};
use crate::store::visits as visit_store;

use super::actors::ActorPath;
use super::auth::Read;
use super::extract::Query;
use super::formats::{CsvRecord, opt, snake, sources};
use super::pagination::{self, Paging, date_range};
use super::problems::*;
use super::state::AppState;
use crate::records::actors::ActorSummary;
use crate::records::statements::{self, Statement};
use crate::records::visits::{self, Visit};

/// The kind of record on a timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimelineRecord {
    Visit,
    Statement,
}

/// How an actor takes part in a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Capacity {
    Visitor,
    Host,
    Speaker,
    OnBehalfOf,
    Subject,
}

/// Order of a timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimelineOrder {
    /// Oldest first.
    Asc,
    /// Newest first.
    Desc,
}

/// One visit or statement on an actor's timeline; `visit` or `statement` is set, as `record`
/// says.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub record: TimelineRecord,
    /// The visit's start or the statement's date.
    pub date: PartialDate,
    /// How the actor takes part (the most direct way, if several).
    pub capacity: Capacity,
    /// The person through whom the actor takes part, when it does through a role they held
    /// at the time (Xi Jinping's visit counts for China); absent when direct.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub via: Option<ActorSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub visit: Option<Visit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub statement: Option<Statement>,
}

/// One page of a timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelinePage {
    pub items: Vec<TimelineEntry>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// Filters for a timeline.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineQueryParams {
    /// Records that may have happened during or after this date (by overlap).
    #[param(value_type = Option<PartialDate>, example = "2022")]
    pub from: Option<PartialDate>,
    /// Records that may have happened during or before this date (by overlap).
    #[param(value_type = Option<PartialDate>, example = "2022-12")]
    pub to: Option<PartialDate>,
    /// `asc` (oldest first, the default) or `desc`.
    #[param(inline)]
    pub order: Option<TimelineOrder>,
    /// Whether records count through people who held a role in the actor at the time (the
    /// default), or only the actor's own.
    pub via_roles: Option<bool>,
}

fn capacity(value: &str) -> Capacity {
    match value {
        "visitor" => Capacity::Visitor,
        "host" => Capacity::Host,
        "speaker" => Capacity::Speaker,
        "on_behalf_of" => Capacity::OnBehalfOf,
        _ => Capacity::Subject,
    }
}

type TimelineRequest = Read<(web::Path<String>, Query<Paging>, Query<TimelineQueryParams>)>;

/// An actor's timeline.
///
/// The visits and statements the actor takes part in, merged in date order: as visitor, host,
/// speaker, spoken for or subject, and (unless `via_roles=false`) through the people who held
/// one of its roles at the time. Partial dates sort by their first day.
#[utoipa::path(
    tag = "actors",
    operation_id = "get_timeline",
    params(ActorPath, Paging, TimelineQueryParams),
    responses(
        (status = 200, description = "A page of the timeline", content((TimelinePage = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when there is a next page"))),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
        ReadProblems,
    ),
)]
#[get("/{actor}/timeline")]
pub async fn get_timeline(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: TimelineRequest,
) -> Result<HttpResponse> {
    let Read((path, Query(paging), Query(params))) = read;
    let key = ActorKey::from_path(&path)?;
    let limit = pagination::limit(paging.limit)?;
    let (from, until) = date_range(params.from, params.to)?;
    let descending = params.order == Some(TimelineOrder::Desc);
    let via_roles = params.via_roles.unwrap_or(true);
    let filters = pagination::filter_digest(&[
        ("actor", Some(path.to_string())),
        ("from", params.from.map(|d| d.to_string())),
        ("to", params.to.map(|d| d.to_string())),
        ("order", Some(descending.to_string())),
        ("via_roles", Some(via_roles.to_string())),
    ]);
    let after: Option<(NaiveDate, String, Uuid)> =
        pagination::decode(paging.cursor.as_deref(), &filters)?;
    // One snapshot for the page, so every entry's record is there when its details are read.
    let mut tx = super::analysis::snapshot(state.reader(&req).await?).await?;
    let actor = actor_store::resolve(&mut tx, &key)
        .await?
        .ok_or_else(|| key.not_found())?;
    let query = TimelineQuery {
        actor,
        via_roles,
        from,
        until,
        descending,
    };
    let (items, next_cursor) = pagination::fill(
        &mut tx,
        limit,
        &filters,
        after,
        async |conn, after, n| store::entries(conn, &query, after, n).await,
        async |conn, rows| entries(conn, rows).await,
        |r| (r.date, r.record.clone(), r.id),
    )
    .await?;
    let page = TimelinePage { items, next_cursor };
    pagination::respond(&req, &page, &page.items, page.next_cursor.as_deref())
}

/// The entries for timeline rows, one per row, in their order: the details of every record, a
/// fixed number of queries in all.
async fn entries(conn: &mut PgConnection, rows: Vec<EntryRow>) -> Result<Vec<TimelineEntry>> {
    let ids_of = |record: &str| -> Vec<Uuid> {
        rows.iter()
            .filter(|r| r.record == record)
            .map(|r| r.id)
            .collect()
    };
    let visit_rows = visit_store::by_ids(&mut *conn, &ids_of("visit")).await?;
    let mut visits = visits::assemble(&mut *conn, visit_rows).await?;
    let statement_rows = statement_store::by_ids(&mut *conn, &ids_of("statement")).await?;
    let mut statements = statements::assemble(&mut *conn, statement_rows).await?;
    let via_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.via).collect();
    let via_actors = actor_store::summaries(&mut *conn, &via_ids).await?;

    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let via = row.via.and_then(|id| {
            via_actors
                .iter()
                .find(|a| a.id == id)
                .map(|a| ActorSummary {
                    id: a.id,
                    slug: a.slug.clone(),
                    name: a.name.clone(),
                    kind: a.kind,
                })
        });
        let entry = if row.record == "visit" {
            let Some(position) = visits.iter().position(|v| v.id == row.id) else {
                return Err(missing(&row));
            };
            let visit = visits.swap_remove(position);
            TimelineEntry {
                record: TimelineRecord::Visit,
                date: visit.start,
                capacity: capacity(&row.capacity),
                via,
                visit: Some(visit),
                statement: None,
            }
        } else {
            let Some(position) = statements.iter().position(|s| s.id == row.id) else {
                return Err(missing(&row));
            };
            let statement = statements.swap_remove(position);
            TimelineEntry {
                record: TimelineRecord::Statement,
                date: statement.stated_on,
                capacity: capacity(&row.capacity),
                via,
                visit: None,
                statement: Some(statement),
            }
        };
        items.push(entry);
    }
    Ok(items)
}

/// A row whose record is not there: cannot happen on one snapshot.
fn missing(row: &EntryRow) -> ApiError {
    ApiError::Internal(anyhow::anyhow!(
        "timeline {} `{}` has no record on the same snapshot",
        row.record,
        row.id
    ))
}

impl CsvRecord for TimelineEntry {
    const HEADER: &'static [&'static str] = &[
        "record",
        "date",
        "capacity",
        "via_slug",
        "id",
        "what",
        "counterparts",
        "sources",
    ];
    fn fields(&self) -> Vec<String> {
        let (id, what, counterparts, citations) = match (&self.visit, &self.statement) {
            (Some(visit), _) => {
                let visitors: Vec<&str> = visit.visitors.iter().map(|v| v.slug.as_str()).collect();
                let what = visit
                    .occasion
                    .as_ref()
                    .map(ToString::to_string)
                    .or_else(|| visit.summary.as_ref().map(ToString::to_string))
                    .unwrap_or_default();
                (
                    visit.id,
                    what,
                    format!("{} -> {}", visitors.join("; "), visit.host.slug),
                    sources(&visit.citations),
                )
            }
            (None, Some(statement)) => {
                let subjects: Vec<&str> = statement
                    .subjects
                    .iter()
                    .map(|s| s.actor.slug.as_str())
                    .collect();
                (
                    statement.id,
                    statement.text.to_string(),
                    format!("{} on {}", statement.speaker.slug, subjects.join("; ")),
                    sources(&statement.citations),
                )
            }
            (None, None) => (
                uuid::Uuid::nil(),
                String::new(),
                String::new(),
                String::new(),
            ),
        };
        vec![
            snake(&self.record),
            self.date.to_string(),
            snake(&self.capacity),
            opt(&self.via.as_ref().map(|v| v.slug.clone())),
            id.to_string(),
            what,
            counterparts,
            citations,
        ]
    }
}
