//! The analyses over HTTP: an actor's engagement, the dyad of two actors, the network. What
//! they share is here: the window and its periods, the basis, actors named in the query,
//! and the bounded read of the ties.

pub mod dyads;
pub mod engagement;
pub mod graph;
pub mod graph_files;
pub mod network;
pub mod ranking;
pub mod stream;

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::analysis::engagement::Unresolved;
use crate::analysis::{Granularity, MAX_PERIODS, Period, RecordKind, Tie, periods};
use crate::domain::{InteractionType, PartialDate, QuadClass};
use crate::error::{ApiError, Result};
use crate::store::actors as actor_store;
use crate::store::analysis::{self as store, TieQuery};

use super::formats;
use crate::records::summary::ActorSummary;

/// The most ties one answer reads: beyond it, the caller is asked to narrow the window.
pub const MAX_TIES: i64 = 200_000;

/// The pattern of `basis`.
pub const BASIS_PATTERN: &str =
    "^(visits|statements|interactions|all)(,(visits|statements|interactions|all))*$";

/// A window of time: what `from` and `to` say, as days.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub from: Option<PartialDate>,
    pub to: Option<PartialDate>,
    /// The first day, and the first day after the window.
    pub first: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl Window {
    /// `from` and `to` widened to their whole periods; `to` before `from` is a 400.
    pub fn new(from: Option<PartialDate>, to: Option<PartialDate>) -> Result<Self> {
        let first = from.map(|d| d.first_day());
        let until = to.map(|d| d.day_after());
        if let (Some(f), Some(t)) = (from, to)
            && t.day_after() <= f.first_day()
        {
            return Err(ApiError::invalid_field(
                "#/query/to",
                format!("`{t}` is before `from` (`{f}`)"),
            ));
        }
        Ok(Self {
            from,
            to,
            first,
            until,
        })
    }

    /// The periods of a series `by` a granularity: over the window, or where it is open, over
    /// the records read. More than [`MAX_PERIODS`] is a 400.
    pub fn periods(&self, by: Option<Granularity>, ties: &[Tie]) -> Result<Vec<Period>> {
        let first = ties.iter().map(|l| l.date.first_day()).min();
        let until = ties.iter().map(|l| l.date.day_after()).max();
        self.periods_over(by, first, until)
    }

    /// The periods `by` a granularity over the window, its open ends taken from `first` and
    /// `until` (what the records span). More than [`MAX_PERIODS`] is a 400.
    fn periods_over(
        &self,
        by: Option<Granularity>,
        first: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> Result<Vec<Period>> {
        let Some(by) = by else {
            return Ok(Vec::new());
        };
        let (Some(first), Some(until)) = (self.first.or(first), self.until.or(until)) else {
            return Ok(Vec::new());
        };
        periods::periods(by, first, until).ok_or_else(|| {
            ApiError::invalid_field(
                "#/query/by",
                format!(
                    "makes more than {MAX_PERIODS} periods between {first} and {until}; \
                     use a coarser `by` or a narrower `from`/`to`"
                ),
            )
        })
    }
}

/// A query parameter no longer than its documented `maxLength` (in characters).
pub fn bounded<'a>(value: &'a str, name: &str, max: usize) -> Result<&'a str> {
    if value.chars().count() > max {
        return Err(ApiError::invalid_field(
            format!("#/query/{name}"),
            format!("is longer than {max} characters"),
        ));
    }
    Ok(value)
}

/// Which records an analysis counts, and which interactions among them.
#[derive(Debug, Clone, PartialEq)]
pub struct Basis {
    pub visits: bool,
    pub statements: bool,
    pub interactions: bool,
    /// Only interactions of these types, when given.
    pub interaction_types: Option<Vec<InteractionType>>,
}

impl Basis {
    /// The basis as the answer repeats it.
    pub fn names(&self) -> Vec<RecordKind> {
        [
            (self.visits, RecordKind::Visit),
            (self.statements, RecordKind::Statement),
            (self.interactions, RecordKind::Interaction),
        ]
        .into_iter()
        .filter_map(|(counted, kind)| counted.then_some(kind))
        .collect()
    }

    /// The ties to read: those around `around` (everyone's when absent) in the window.
    pub fn ties(&self, around: Option<Uuid>, window: &Window) -> TieQuery {
        TieQuery {
            around,
            visits: self.visits,
            statements: self.statements,
            interactions: self.interactions,
            interaction_types: self.interaction_types.clone(),
            from: window.first,
            until: window.until,
            max_ties: 0,
        }
    }
}

/// Which kinds of record count (`basis`: `visits`, `statements`, `interactions`, comma-
/// separated, or `all`; visits and statements by default), and which interactions (by
/// `event_type` and `quad_class`; every one when neither is given).
pub fn basis(
    value: Option<&str>,
    event_type: Option<InteractionType>,
    quad_class: Option<QuadClass>,
) -> Result<Basis> {
    let mut basis = Basis {
        visits: value.is_none(),
        statements: value.is_none(),
        interactions: false,
        interaction_types: InteractionType::matching(event_type, quad_class),
    };
    let Some(value) = value else {
        return Ok(basis);
    };
    for part in bounded(value, "basis", 100)?.split(',') {
        match part {
            "visits" => basis.visits = true,
            "statements" => basis.statements = true,
            "interactions" => basis.interactions = true,
            "all" => (basis.visits, basis.statements, basis.interactions) = (true, true, true),
            other => {
                return Err(ApiError::invalid_field(
                    "#/query/basis",
                    format!(
                        "`{other}` is not a basis: use visits, statements, interactions or \
                         all, comma-separated"
                    ),
                ));
            }
        }
    }
    Ok(basis)
}

/// A read-only transaction on one snapshot, so that every query of an answer sees the same
/// record (a partner's name is never missing because it changed in between).
pub async fn snapshot(
    conn: crate::reuse::Lease,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
    let begin = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
    Ok(sqlx::Transaction::begin(conn.into_inner(), Some(begin.into())).await?)
}

/// The ties of a question and the periods of its series, each bounded before anything costly
/// is read: the links are counted and spanned first (from the records and their links alone,
/// the count stopping past [`MAX_TIES`]), so more than [`MAX_TIES`] links is a 422 asking for
/// a narrower question, and more than [`MAX_PERIODS`] periods a 400, whether the window is
/// closed or open.
pub async fn ties(
    conn: &mut PgConnection,
    mut query: TieQuery,
    window: &Window,
    by: Option<Granularity>,
) -> Result<(Vec<Tie>, Vec<Period>)> {
    window.periods_over(by, None, None)?;
    query.max_ties = MAX_TIES + 1;
    let extent = store::extent(conn, &query).await?;
    if extent.links > MAX_TIES {
        return Err(ApiError::unprocessable_field(
            "#/query/from",
            format!(
                "the question covers more than {MAX_TIES} links between actors; \
                 narrow it with `from` and `to` (or `basis`)"
            ),
        ));
    }
    window.periods_over(by, extent.first, extent.until)?;
    let expected = usize::try_from(extent.links).unwrap_or_default();
    let ties = store::ties(conn, &query, expected, |row| {
        Tie::try_from(row).map_err(ApiError::Internal)
    })
    .await?;
    let periods = window.periods(by, &ties)?;
    Ok((ties, periods))
}

/// The actors an answer names, by id.
pub struct Names(HashMap<Uuid, ActorSummary>);

impl Names {
    /// Summaries of these actors (read once per answer, whatever their number).
    pub async fn load(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Self> {
        let summaries = actor_store::summaries(conn, ids).await?;
        Ok(Self(
            summaries
                .into_iter()
                .map(|a| {
                    let summary = ActorSummary {
                        id: a.id,
                        slug: a.slug,
                        name: a.name,
                        kind: a.kind,
                    };
                    (a.id, summary)
                })
                .collect(),
        ))
    }

    pub fn get(&self, id: Uuid) -> Result<ActorSummary> {
        self.0
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("actor {id} was not loaded")))
    }

    /// The participants counted in their own right, named.
    pub fn unresolved(&self, list: &[Unresolved]) -> Result<Vec<UnresolvedParticipant>> {
        list.iter()
            .map(|u| {
                Ok(UnresolvedParticipant {
                    participant: self.get(u.participant)?,
                    record: RecordRef::new(u.record, u.id),
                })
            })
            .collect()
    }
}

/// Records too coarsely dated for the periods, as references.
pub fn unplaced(list: &[(RecordKind, Uuid)]) -> Vec<RecordRef> {
    list.iter()
        .map(|(record, id)| RecordRef::new(*record, *id))
        .collect()
}

/// The answer as JSON, or as CSV (written by `csv`) when the client asks for `text/csv`;
/// either is streamed as the client reads it, holding `turn` until it is written.
pub fn respond<T, C>(
    req: &HttpRequest,
    turn: impl Send + 'static,
    answer: T,
    csv: C,
) -> HttpResponse
where
    T: Serialize + Send + 'static,
    C: FnOnce(&T, &mut stream::Sink) -> std::io::Result<()> + Send + 'static,
{
    let mut response = HttpResponse::Ok();
    response.insert_header((header::VARY, "Accept"));
    if formats::negotiate(req, &[formats::JSON, formats::CSV]) == formats::CSV {
        response.content_type("text/csv; charset=utf-8");
        return stream::respond(req, response, turn, move |out| csv(&answer, out));
    }
    response.content_type("application/json");
    stream::respond(req, response, turn, move |out| {
        Ok(serde_json::to_writer(out, &answer)?)
    })
}

/// A record an answer rests on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordRef {
    pub record: RecordKind,
    pub id: Uuid,
    /// Where to read it, with its citations.
    pub href: String,
}

impl RecordRef {
    pub fn new(record: RecordKind, id: Uuid) -> Self {
        Self {
            record,
            id,
            href: crate::records::record::href(record.resource(), id, None),
        }
    }
}

/// A participant counted in their own right because they held no role on the record's date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnresolvedParticipant {
    pub participant: ActorSummary,
    pub record: RecordRef,
}

/// A period of a series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodBounds {
    /// `2022`, `2022-Q3` or `2022-10`.
    #[schema(example = "2022-Q3")]
    pub period: String,
    /// Its first day.
    pub start: NaiveDate,
    /// Its last day.
    pub end: NaiveDate,
}

impl From<&Period> for PeriodBounds {
    fn from(p: &Period) -> Self {
        Self {
            period: p.label(),
            start: p.start,
            end: p.end(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::WEIGHTS_PATTERN;

    /// The documented pattern of each query parameter of an operation, by name.
    fn pattern(operation: &str, name: &str) -> String {
        let doc = crate::api::openapi_json();
        let found = doc["paths"]
            .as_object()
            .into_iter()
            .flat_map(|paths| paths.values())
            .filter_map(|item| item["get"].as_object())
            .find(|op| op["operationId"] == operation)
            .and_then(|op| op["parameters"].as_array())
            .and_then(|params| params.iter().find(|p| p["name"] == name))
            .and_then(|p| p["schema"]["pattern"].as_str())
            .map(str::to_owned);
        found.unwrap_or_else(|| panic!("{operation} documents no pattern for {name}"))
    }

    #[test]
    fn documented_patterns_are_the_ones_the_parsers_follow() {
        assert_eq!(pattern("get_engagement", "weights"), WEIGHTS_PATTERN);
        assert_eq!(pattern("get_engagement", "basis"), super::BASIS_PATTERN);
        let one = crate::domain::ActorKey::alternatives();
        assert_eq!(pattern("get_dyads", "a"), format!("^({one})$"));
        assert!(pattern("get_engagement", "partners").starts_with(&format!("^({one})(,")));
    }
}
