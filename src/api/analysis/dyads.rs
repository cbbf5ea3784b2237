//! `/v1/dyads`: what passes between two actors, each way.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::analysis::dyads::{self as compute};
use crate::analysis::{Granularity, RecordKind};
use crate::domain::{InteractionType, PartialDate, QuadClass, Stance, StatementKind, VisitKind};
use crate::error::{ApiError, Result};

use super::super::actors::IdOrSlug;
use super::super::auth::Read;
use super::super::costly;
use super::super::extract::{Query, actor_in_question};
use super::super::formats::{self, CsvRecord};
use super::super::problems::*;
use super::super::state::AppState;
use super::{Names, PeriodBounds, RecordRef, UnresolvedParticipant, Window};
use crate::records::summary::ActorSummary;

/// The two actors, the window and the series.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DyadParams {
    /// One actor (id or slug): counted as itself and through its officials.
    #[param(value_type = IdOrSlug, inline, example = "kazakhstan")]
    pub a: String,
    /// The other actor (id or slug).
    #[param(value_type = IdOrSlug, inline, example = "russia")]
    pub b: String,
    /// Records that may have happened during or after this date (by overlap).
    #[param(value_type = Option<PartialDate>, example = "2022")]
    pub from: Option<PartialDate>,
    /// Records that may have happened during or before this date (by overlap).
    #[param(value_type = Option<PartialDate>, example = "2022")]
    pub to: Option<PartialDate>,
    /// A series by `year`, `quarter` or `month` besides the whole window (at most 1,200
    /// periods, over the window or, where it is open, what its records span: more is a 400
    /// before anything is read).
    pub by: Option<Granularity>,
    /// Which records count: `visits`, `statements`, `interactions`, comma-separated, or `all`;
    /// visits and statements by default.
    #[param(
        max_length = 100,
        pattern = "^(visits|statements|interactions|all)(,(visits|statements|interactions|all))*$",
        example = "visits,statements"
    )]
    pub basis: Option<String>,
    /// Only interactions of this PLOVER type count (with `interactions` in `basis`).
    pub event_type: Option<InteractionType>,
    /// Only interactions in this quad class count (with `interactions` in `basis`).
    pub quad_class: Option<QuadClass>,
}

/// The visits of one kind going one way.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitCell {
    pub kind: VisitKind,
    pub count: usize,
    pub visit_ids: Vec<Uuid>,
}

/// The statements of one kind and stance going one way.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatementCell {
    pub kind: StatementKind,
    /// The stance toward the actor on the receiving end.
    pub stance: Stance,
    pub count: usize,
    pub statement_ids: Vec<Uuid>,
}

/// The interactions of one type going one way.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InteractionCell {
    pub event_type: InteractionType,
    pub quad_class: QuadClass,
    pub count: usize,
    pub interaction_ids: Vec<Uuid>,
}

/// What goes one way: visits (from the visitor's side to the host's), statements (from the
/// speaker's side about the other) and interactions (from the sources' side to the
/// targets'), by kind; only cells with records are listed. The interactions' figures are
/// absent when none count.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Flow {
    pub visits: usize,
    pub statements: usize,
    #[serde(skip_serializing_if = "is_zero")]
    #[schema(required = false)]
    pub interactions: usize,
    pub visit_kinds: Vec<VisitCell>,
    pub statement_kinds: Vec<StatementCell>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub interaction_types: Vec<InteractionCell>,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

/// Both ways.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DyadFlows {
    pub a_to_b: Flow,
    pub b_to_a: Flow,
}

/// One period of the series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DyadPeriod {
    #[serde(flatten)]
    pub bounds: PeriodBounds,
    #[serde(flatten)]
    pub flows: DyadFlows,
}

/// The directed series between two actors.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "a": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a", "slug": "kazakhstan", "name": "Kazakhstan", "kind": "state"}, "b": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0c", "slug": "china", "name": "China", "kind": "state"}, "from": "2022", "to": "2022", "basis": ["visit", "statement"],
    "a_to_b": {"visits": 0, "statements": 0, "visit_kinds": [], "statement_kinds": []},
    "b_to_a": {"visits": 1, "statements": 1,
               "visit_kinds": [{"kind": "official", "count": 1, "visit_ids": ["0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c12"]}],
               "statement_kinds": [{"kind": "pledge", "stance": "support", "count": 1, "statement_ids": ["0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c13"]}]},
    "periods": [], "unplaced": [], "unresolved": []
}))]
pub struct Dyad {
    pub a: ActorSummary,
    pub b: ActorSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub from: Option<PartialDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub to: Option<PartialDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub by: Option<Granularity>,
    pub basis: Vec<RecordKind>,
    /// The whole window.
    #[serde(flatten)]
    pub window: DyadFlows,
    /// One entry per period, empty ones included; empty without `by`.
    pub periods: Vec<DyadPeriod>,
    /// Records in the window dated too coarsely for any period.
    pub unplaced: Vec<RecordRef>,
    /// Participants counted in their own right, for want of a role on the record's date.
    pub unresolved: Vec<UnresolvedParticipant>,
}

fn flow(flow: &compute::Flow) -> Flow {
    Flow {
        visits: flow.visit_count(),
        statements: flow.statement_count(),
        interactions: flow.interaction_count(),
        visit_kinds: flow
            .visits
            .iter()
            .map(|(kind, ids)| VisitCell {
                kind: *kind,
                count: ids.len(),
                visit_ids: ids.iter().copied().collect(),
            })
            .collect(),
        statement_kinds: flow
            .statements
            .iter()
            .map(|((kind, stance), ids)| StatementCell {
                kind: *kind,
                stance: *stance,
                count: ids.len(),
                statement_ids: ids.iter().copied().collect(),
            })
            .collect(),
        interaction_types: flow
            .interactions
            .iter()
            .map(|(kind, ids)| InteractionCell {
                event_type: *kind,
                quad_class: kind.quad_class(),
                count: ids.len(),
                interaction_ids: ids.iter().copied().collect(),
            })
            .collect(),
    }
}

fn flows(flows: &compute::Flows) -> DyadFlows {
    DyadFlows {
        a_to_b: flow(&flows.a_to_b),
        b_to_a: flow(&flows.b_to_a),
    }
}

type DyadRequest = Read<Query<DyadParams>>;

/// The dyad of two actors.
///
/// The directed series between `a` and `b`, each counted as itself and through the people
/// who held its roles at the time (as for engagement): visits each way by kind, statements
/// each way by kind and stance toward the other, interactions each way by type (with
/// `interactions` in `basis`), every cell with the records behind it.
/// `Accept: text/csv` gives one row per period, direction and cell.
#[utoipa::path(
    tag = "analysis",
    operation_id = "get_dyads",
    params(DyadParams),
    responses(
        (status = 200, description = "The dyad", content((Dyad = "application/json"), (String = "text/csv"))),
        (status = 404, response = ActorNotFound),
        (status = 422, response = Unprocessable),
        ReadProblems,
    ),
)]
#[get("")]
pub async fn get_dyads(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: DyadRequest,
) -> Result<HttpResponse> {
    let Read(Query(params)) = read;
    let window = Window::new(params.from, params.to)?;
    let basis = super::basis(
        params.basis.as_deref(),
        params.event_type,
        params.quad_class,
    )?;
    // A series too long for a closed window is refused before anything is awaited.
    window.periods(params.by, &[])?;
    // Held until the answer is written (or its client gone), not just computed.
    let turn = state.costly.enter(&req).await?;
    let mut conn = super::snapshot(state.reader(&req).await?).await?;
    let a = actor_in_question(&mut conn, &params.a, "a").await?;
    let b = actor_in_question(&mut conn, &params.b, "b").await?;
    if a == b {
        return Err(ApiError::invalid_field(
            "#/query/b",
            "names the same actor as `a`; a dyad is two actors",
        ));
    }
    let (ties, periods) =
        super::ties(&mut conn, basis.ties(Some(a), &window), &window, params.by).await?;
    let answer = costly::run(move || compute::dyad(&ties, a, b, &periods)).await?;
    let mut ids = vec![a, b];
    ids.extend(answer.unresolved.iter().map(|u| u.participant));
    let names = Names::load(&mut conn, &ids).await?;
    drop(conn);
    let dyad = Dyad {
        a: names.get(a)?,
        b: names.get(b)?,
        from: params.from,
        to: params.to,
        by: params.by,
        basis: basis.names(),
        window: flows(&answer.window),
        periods: answer
            .periods
            .iter()
            .map(|(period, f)| DyadPeriod {
                bounds: PeriodBounds::from(period),
                flows: flows(f),
            })
            .collect(),
        unplaced: super::unplaced(&answer.unplaced),
        unresolved: names.unresolved(&answer.unresolved)?,
    };
    Ok(super::respond(&req, turn, dyad, |dyad, out| {
        formats::write_csv(out, csv_rows(dyad))
    }))
}

/// One CSV row: a cell of one direction in the window or a period.
struct Row<'a> {
    period: Option<&'a PeriodBounds>,
    direction: &'static str,
    record: RecordKind,
    kind: String,
    stance: Option<Stance>,
    count: usize,
    ids: &'a [Uuid],
}

fn csv_rows(dyad: &Dyad) -> Vec<Row<'_>> {
    let window = std::iter::once((None, &dyad.window));
    let periods = dyad.periods.iter().map(|p| (Some(&p.bounds), &p.flows));
    let mut rows = Vec::new();
    for (period, flows) in window.chain(periods) {
        for (direction, flow) in [("a_to_b", &flows.a_to_b), ("b_to_a", &flows.b_to_a)] {
            rows.extend(flow.visit_kinds.iter().map(|c| Row {
                period,
                direction,
                record: RecordKind::Visit,
                kind: c.kind.as_str().to_owned(),
                stance: None,
                count: c.count,
                ids: &c.visit_ids,
            }));
            rows.extend(flow.statement_kinds.iter().map(|c| Row {
                period,
                direction,
                record: RecordKind::Statement,
                kind: c.kind.as_str().to_owned(),
                stance: Some(c.stance),
                count: c.count,
                ids: &c.statement_ids,
            }));
            rows.extend(flow.interaction_types.iter().map(|c| Row {
                period,
                direction,
                record: RecordKind::Interaction,
                kind: c.event_type.as_str().to_owned(),
                stance: None,
                count: c.count,
                ids: &c.interaction_ids,
            }));
        }
    }
    rows
}

impl CsvRecord for Row<'_> {
    const HEADER: &'static [&'static str] = &[
        "period",
        "start",
        "end",
        "direction",
        "record",
        "kind",
        "stance",
        "count",
        "ids",
    ];
    fn fields(&self) -> Vec<String> {
        vec![
            self.period.map_or("window".into(), |b| b.period.clone()),
            self.period.map(|b| b.start.to_string()).unwrap_or_default(),
            self.period.map(|b| b.end.to_string()).unwrap_or_default(),
            self.direction.to_owned(),
            self.record.resource().to_string(),
            self.kind.clone(),
            self.stance
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            self.count.to_string(),
            formats::ids(self.ids),
        ]
    }
}
