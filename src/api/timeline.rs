//! `/v1/actors/{actor}/timeline`: the visits, statements and interactions an actor takes
//! part in, merged in date order.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::{PartialDate, Resource};
use crate::error::{ApiError, Result};
use crate::store::actors as actor_store;
use crate::store::timeline::{self as store, EntryRow, TimelineQuery};

use super::actors::ActorPath;
use super::auth::Read;
use super::extract::{Query, actor_from_path};
use super::formats::{CsvRecord, opt, snake, sources};
use super::pagination::{self, Paging, date_range};
use super::problems::*;
use super::state::AppState;
use crate::records::Record;
use crate::records::interactions::Interaction;
use crate::records::statements::Statement;
use crate::records::summary::ActorSummary;
use crate::records::visits::Visit;

/// The kind of record on a timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimelineRecord {
    Visit,
    Statement,
    Interaction,
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
    /// One of those who acted in an interaction.
    Source,
    /// One of those an interaction was done to.
    Target,
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

/// One visit, statement or interaction on an actor's timeline; `visit`, `statement` or
/// `interaction` is set, as `record` says.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub record: TimelineRecord,
    /// The visit's or interaction's start, or the statement's date.
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
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub interaction: Option<Interaction>,
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

/// How a row says the actor takes part, as the store names it.
fn capacity(row: &EntryRow) -> Result<Capacity> {
    serde_json::from_value(serde_json::Value::String(row.capacity.clone()))
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("a timeline capacity `{}`", row.capacity)))
}

type TimelineRequest = Read<(web::Path<String>, Query<Paging>, Query<TimelineQueryParams>)>;

/// An actor's timeline.
///
/// The visits, statements and interactions the actor takes part in, merged in date order: as
/// visitor, host, speaker, spoken for, subject, source or target, and (unless
/// `via_roles=false`) through the people who held one of its roles at the time. Partial dates
/// sort by their first day.
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
    let key = actor_from_path(&path)?;
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
        .ok_or_else(|| ApiError::NotFound(key.missing()))?;
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
        |r| (r.date, r.record.to_string(), r.id),
    )
    .await?;
    let page = TimelinePage { items, next_cursor };
    pagination::respond(&req, &page, &page.items, page.next_cursor.as_deref())
}

/// The entries for timeline rows, one per row, in their order: the details of every record, a
/// fixed number of queries in all.
async fn entries(conn: &mut PgConnection, rows: Vec<EntryRow>) -> Result<Vec<TimelineEntry>> {
    let ids_of = |record: Resource| -> Vec<Uuid> {
        rows.iter()
            .filter(|r| r.record == record)
            .map(|r| r.id)
            .collect()
    };
    let mut visits = Visit::load_many(&mut *conn, &ids_of(Resource::Visit)).await?;
    let mut statements = Statement::load_many(&mut *conn, &ids_of(Resource::Statement)).await?;
    let mut interactions =
        Interaction::load_many(&mut *conn, &ids_of(Resource::Interaction)).await?;
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
        let mut entry = TimelineEntry {
            record: TimelineRecord::Visit,
            date: PartialDate::new(row.date, crate::domain::DatePrecision::Day),
            capacity: capacity(&row)?,
            via,
            visit: None,
            statement: None,
            interaction: None,
        };
        match row.record {
            Resource::Visit => {
                let visit = take(&mut visits, |v| v.id == row.id, &row)?;
                entry.date = visit.start;
                entry.visit = Some(visit);
            }
            Resource::Statement => {
                let statement = take(&mut statements, |s| s.id == row.id, &row)?;
                entry.record = TimelineRecord::Statement;
                entry.date = statement.stated_on;
                entry.statement = Some(statement);
            }
            Resource::Interaction => {
                let interaction = take(&mut interactions, |i| i.id == row.id, &row)?;
                entry.record = TimelineRecord::Interaction;
                entry.date = interaction.start;
                entry.interaction = Some(interaction);
            }
            Resource::Actor | Resource::Role | Resource::Citation => return Err(missing(&row)),
        }
        items.push(entry);
    }
    Ok(items)
}

/// Takes the record a row names out of those loaded for the page.
fn take<T>(loaded: &mut Vec<T>, is: impl Fn(&T) -> bool, row: &EntryRow) -> Result<T> {
    match loaded.iter().position(is) {
        Some(position) => Ok(loaded.swap_remove(position)),
        None => Err(missing(row)),
    }
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
        let (id, what, counterparts, citations) =
            match (&self.visit, &self.statement, &self.interaction) {
                (Some(visit), _, _) => {
                    let visitors: Vec<&str> =
                        visit.visitors.iter().map(|v| v.slug.as_str()).collect();
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
                (None, Some(statement), _) => {
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
                (None, None, Some(interaction)) => {
                    let slugs = |actors: &[ActorSummary]| {
                        actors
                            .iter()
                            .map(|a| a.slug.as_str())
                            .collect::<Vec<_>>()
                            .join("; ")
                    };
                    (
                        interaction.id,
                        interaction
                            .summary
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_else(|| interaction.event_type.as_str().to_owned()),
                        format!(
                            "{} -> {}",
                            slugs(&interaction.sources),
                            slugs(&interaction.targets)
                        ),
                        sources(&interaction.citations),
                    )
                }
                (None, None, None) => (
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
