//! `/v1/actors/{actor}/engagement`: the multi-vector index of an actor.

use std::collections::BTreeSet;

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{IntoParams, PartialSchema, ToSchema};
use uuid::Uuid;

use crate::analysis::engagement::{self as compute, Question};
use crate::analysis::{Direction, Granularity, RecordKind, Weights};
use crate::domain::{ActorKey, InteractionType, PartialDate, QuadClass};
use crate::error::{ApiError, Result};
use crate::store::actors as actor_store;

use super::super::actors::ActorPath;
use super::super::auth::Read;
use super::super::costly;
use super::super::extract::{Query, actor_from_path, actor_in_question};
use super::super::formats::{self, CsvRecord, opt};
use super::super::problems::*;
use super::super::state::AppState;
use super::{PeriodBounds, RecordRef, UnresolvedParticipant, Window};
use crate::records::summary::ActorSummary;

/// The most partners `partners=` may name.
const MAX_PARTNERS: usize = 50;
/// The longest `partners=` may be.
const MAX_PARTNERS_LEN: usize = 3300;

/// The schema of `partners=`: up to [`MAX_PARTNERS`] of
/// [`IdOrSlug`](crate::api::actors::IdOrSlug), comma-separated.
struct PartnerList;

impl PartialSchema for PartnerList {
    fn schema() -> RefOr<Schema> {
        let one = ActorKey::alternatives();
        let more = MAX_PARTNERS - 1;
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(MAX_PARTNERS_LEN))
            .pattern(Some(format!("^({one})(,({one})){{0,{more}}}$")))
            .into()
    }
}

/// What to compute, and over which records.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EngagementParams {
    /// Records that may have happened during or after this date (by overlap).
    #[param(value_type = Option<PartialDate>, example = "2022")]
    pub from: Option<PartialDate>,
    /// Records that may have happened during or before this date (by overlap).
    #[param(value_type = Option<PartialDate>, example = "2022")]
    pub to: Option<PartialDate>,
    /// A series by `year`, `quarter` or `month` besides the whole window (at most 1,200
    /// periods, over the window or, where it is open, what its records span: more is a 400
    /// before anything is read). A record less precise than the periods (`2022` by month) counts in the window
    /// and is listed in `unplaced`.
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
    /// `in` (partners coming to the actor: their visits, their statements about it), `out`
    /// (the actor's visits and statements about others) or `both` (the default).
    pub direction: Option<Direction>,
    /// Only these partners (ids or slugs, comma-separated, at most 50); shares are then among
    /// them.
    #[param(value_type = Option<PartnerList>, inline, example = "russia,china,turkey,european-union")]
    pub partners: Option<String>,
    /// Factors by `rank` (of the most senior person linking the record to the partner),
    /// `visit_kind`, `statement_kind` and `record` (visit, statement or interaction), multiplied; anything
    /// not named weighs 1. Groups are separated by `;`, factors by `,`.
    #[param(
        max_length = 1000,
        pattern = r"^(rank:(head_of_state|head_of_government|foreign_minister|minister|envoy|official)=[0-9]{1,4}(\.[0-9]{1,6})?(,(head_of_state|head_of_government|foreign_minister|minister|envoy|official)=[0-9]{1,4}(\.[0-9]{1,6})?)*|visit_kind:(state|official|working|summit|multilateral|other)=[0-9]{1,4}(\.[0-9]{1,6})?(,(state|official|working|summit|multilateral|other)=[0-9]{1,4}(\.[0-9]{1,6})?)*|statement_kind:(declaration|pledge|proposal|denial|criticism|agreement|other)=[0-9]{1,4}(\.[0-9]{1,6})?(,(declaration|pledge|proposal|denial|criticism|agreement|other)=[0-9]{1,4}(\.[0-9]{1,6})?)*|record:(visit|statement|interaction)=[0-9]{1,4}(\.[0-9]{1,6})?(,(visit|statement|interaction)=[0-9]{1,4}(\.[0-9]{1,6})?)*)(;(rank:(head_of_state|head_of_government|foreign_minister|minister|envoy|official)=[0-9]{1,4}(\.[0-9]{1,6})?(,(head_of_state|head_of_government|foreign_minister|minister|envoy|official)=[0-9]{1,4}(\.[0-9]{1,6})?)*|visit_kind:(state|official|working|summit|multilateral|other)=[0-9]{1,4}(\.[0-9]{1,6})?(,(state|official|working|summit|multilateral|other)=[0-9]{1,4}(\.[0-9]{1,6})?)*|statement_kind:(declaration|pledge|proposal|denial|criticism|agreement|other)=[0-9]{1,4}(\.[0-9]{1,6})?(,(declaration|pledge|proposal|denial|criticism|agreement|other)=[0-9]{1,4}(\.[0-9]{1,6})?)*|record:(visit|statement|interaction)=[0-9]{1,4}(\.[0-9]{1,6})?(,(visit|statement|interaction)=[0-9]{1,4}(\.[0-9]{1,6})?)*))*$",
        example = "rank:head_of_state=3,minister=1;visit_kind:official=2"
    )]
    pub weights: Option<String>,
}

/// One partner in a portfolio.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnerShare {
    /// The partner: a state or organization, or a participant who held no role then.
    pub actor: ActorSummary,
    /// Records with this partner.
    pub count: usize,
    /// Their weighted total (the count, unless `weights` says otherwise).
    pub weight: f64,
    /// `weight` over the portfolio's total weight; null when that total is zero.
    #[schema(required = true)]
    pub share: Option<f64>,
    /// The visits behind the figures, oldest first.
    pub visit_ids: Vec<Uuid>,
    /// The statements behind the figures, oldest first.
    pub statement_ids: Vec<Uuid>,
    /// The interactions behind the figures, oldest first; absent when none count.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub interaction_ids: Vec<Uuid>,
}

/// An actor's partners over a window or period, with how concentrated they are. Indices are
/// null when nothing was counted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Portfolio {
    /// Records counted (a record with two partners counts once here and once for each).
    pub n: usize,
    pub total_weight: f64,
    /// Herfindahl–Hirschman index, Σ share²: 1 when one partner has everything.
    #[schema(required = true)]
    pub hhi: Option<f64>,
    /// 1 / HHI: how many equal partners would give the same concentration.
    #[schema(required = true)]
    pub effective_partners: Option<f64>,
    /// Shannon entropy, −Σ share · ln share, in nats.
    #[schema(required = true)]
    pub entropy: Option<f64>,
    /// exp(entropy): another effective number of partners.
    #[schema(required = true)]
    pub exp_entropy: Option<f64>,
    /// entropy / ln(number of partners), from 0 to 1; null with fewer than two partners.
    #[schema(required = true)]
    pub evenness: Option<f64>,
    /// The partner with the largest weight; absent when nothing was counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub top_partner: Option<ActorSummary>,
    #[schema(required = true)]
    pub top_share: Option<f64>,
    /// Heaviest first.
    pub partners: Vec<PartnerShare>,
}

/// The portfolio of one period of the series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodPortfolio {
    #[serde(flatten)]
    pub bounds: PeriodBounds,
    /// How far the portfolio moved from the previous period's: the Jensen–Shannon divergence
    /// of their shares in bits (0 the same, 1 no partner in common); null for the first period
    /// and when either is empty.
    #[schema(required = true)]
    pub divergence: Option<f64>,
    #[serde(flatten)]
    pub portfolio: Portfolio,
}

/// An actor's engagement: whom it deals with, how much, how concentrated, and on what
/// evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "actor": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a", "slug": "kazakhstan", "name": "Kazakhstan", "kind": "state"},
    "from": "2022", "to": "2022", "by": "quarter", "basis": ["visit", "statement"], "direction": "both",
    "window": {
        "n": 14, "total_weight": 15.0, "hhi": 0.2444, "effective_partners": 4.0909, "entropy": 1.4898,
        "exp_entropy": 4.436, "evenness": 0.9256, "top_partner": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0b", "slug": "russia", "name": "Russia", "kind": "state"}, "top_share": 0.3333,
        "partners": [{"actor": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0b", "slug": "russia", "name": "Russia", "kind": "state"}, "count": 5, "weight": 5.0, "share": 0.3333,
                      "visit_ids": ["0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c10"], "statement_ids": ["0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c11"]}]
    },
    "periods": [{"period": "2022-Q3", "start": "2022-07-01", "end": "2022-09-30", "divergence": 1.0,
                 "n": 4, "total_weight": 4.0, "hhi": 0.5, "effective_partners": 2.0, "entropy": 0.69,
                 "exp_entropy": 2.0, "evenness": 1.0, "top_partner": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0b", "slug": "russia", "name": "Russia", "kind": "state"}, "top_share": 0.5,
                 "partners": [{"actor": {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0b", "slug": "russia", "name": "Russia", "kind": "state"}, "count": 2, "weight": 2.0, "share": 0.5,
                               "visit_ids": ["0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c10"], "statement_ids": []}]}],
    "unplaced": [{"record": "statement", "id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c11", "href": "/v1/statements/0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c11"}],
    "unresolved": []
}))]
pub struct Engagement {
    pub actor: ActorSummary,
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
    pub direction: Direction,
    /// The weights applied, as given; absent when every record weighs 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub weights: Option<String>,
    /// The whole window.
    pub window: Portfolio,
    /// The series, one entry per period, empty ones included; empty without `by`.
    pub periods: Vec<PeriodPortfolio>,
    /// Records counted in the window but dated too coarsely for any period.
    pub unplaced: Vec<RecordRef>,
    /// Participants counted as partners in their own right, for want of a role on the
    /// record's date.
    pub unresolved: Vec<UnresolvedParticipant>,
}

type EngagementRequest = Read<(web::Path<String>, Query<EngagementParams>)>;

/// An actor's engagement (multi-vector index).
///
/// Whom the actor deals with through visits and statements, counted for principals: a
/// person counts for the state or organization whose role they held on the record's date
/// (Xi Jinping's visit to Astana is China → Kazakhstan), so the actor's own officials are the
/// actor and never its partners. For the window and each period: per partner the count,
/// weighted total, share and the records behind them; the Herfindahl–Hirschman index,
/// effective number of partners, Shannon entropy, evenness, the top partner, and between
/// periods the Jensen–Shannon divergence. `Accept: text/csv` gives one row per period and
/// partner.
#[utoipa::path(
    tag = "analysis",
    operation_id = "get_engagement",
    params(ActorPath, EngagementParams),
    responses(
        (status = 200, description = "The engagement", content((Engagement = "application/json"), (String = "text/csv"))),
        (status = 404, response = ActorNotFound),
        (status = 422, response = Unprocessable),
        ReadProblems,
    ),
)]
#[get("/{actor}/engagement")]
pub async fn get_engagement(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: EngagementRequest,
) -> Result<HttpResponse> {
    let Read((path, Query(params))) = read;
    // Held until the answer is written (or its client gone), not just computed.
    let turn = state.costly.enter(&req).await?;
    let mut conn = super::snapshot(state.reader(&req).await?).await?;
    let engagement = answer(&mut conn, &path, &params).await?;
    drop(conn);
    Ok(super::respond(&req, turn, engagement, |engagement, out| {
        formats::write_csv(out, csv_rows(engagement))
    }))
}

/// An actor's engagement, as the API answers it (the explorer page draws the same).
pub async fn answer(
    conn: &mut sqlx::PgConnection,
    actor: &str,
    params: &EngagementParams,
) -> Result<Engagement> {
    let key = actor_from_path(actor)?;
    let window = Window::new(params.from, params.to)?;
    let basis = super::basis(
        params.basis.as_deref(),
        params.event_type,
        params.quad_class,
    )?;
    let weights = match &params.weights {
        Some(text) => Weights::parse(super::bounded(text, "weights", 1000)?)
            .map_err(|e| ApiError::invalid_field("#/query/weights", e))?,
        None => Weights::default(),
    };
    let direction = params.direction.unwrap_or(Direction::Both);
    let actor = actor_store::resolve(&mut *conn, &key)
        .await?
        .ok_or_else(|| ApiError::NotFound(key.missing()))?;
    let partners = match &params.partners {
        Some(list) => Some(partner_set(&mut *conn, list).await?),
        None => None,
    };
    let (ties, periods) = super::ties(
        &mut *conn,
        basis.ties(Some(actor), &window),
        &window,
        params.by,
    )
    .await?;
    let answer = costly::run(move || {
        compute::engagement(
            &ties,
            &Question {
                actor,
                direction,
                partners: partners.as_ref(),
                weights: &weights,
                periods: &periods,
            },
        )
    })
    .await?;

    let mut ids: Vec<Uuid> = vec![actor];
    ids.extend(answer.window.partners.iter().map(|p| p.partner));
    ids.extend(answer.unresolved.iter().map(|u| u.participant));
    let names = super::Names::load(&mut *conn, &ids).await?;
    let name = |id: Uuid| names.get(id);
    let portfolio = |p: &compute::Portfolio| -> Result<Portfolio> {
        let c = p.concentration;
        let top = p.top();
        Ok(Portfolio {
            n: p.n,
            total_weight: p.total_weight,
            hhi: c.map(|c| c.hhi),
            effective_partners: c.map(|c| c.effective_partners),
            entropy: c.map(|c| c.entropy),
            exp_entropy: c.map(|c| c.exp_entropy),
            evenness: c.and_then(|c| c.evenness),
            top_partner: top.map(|t| name(t.partner)).transpose()?,
            top_share: top.and_then(|t| t.share),
            partners: p
                .partners
                .iter()
                .map(|s| {
                    Ok(PartnerShare {
                        actor: name(s.partner)?,
                        count: s.count,
                        weight: s.weight,
                        share: s.share,
                        visit_ids: s.visits.clone(),
                        statement_ids: s.statements.clone(),
                        interaction_ids: s.interactions.clone(),
                    })
                })
                .collect::<Result<_>>()?,
        })
    };
    Ok(Engagement {
        actor: name(actor)?,
        from: params.from,
        to: params.to,
        by: params.by,
        basis: basis.names(),
        direction,
        weights: params.weights.clone(),
        window: portfolio(&answer.window)?,
        periods: answer
            .periods
            .iter()
            .map(|p| {
                Ok(PeriodPortfolio {
                    bounds: PeriodBounds::from(&p.period),
                    divergence: p.divergence,
                    portfolio: portfolio(&p.portfolio)?,
                })
            })
            .collect::<Result<_>>()?,
        unplaced: super::unplaced(&answer.unplaced),
        unresolved: names.unresolved(&answer.unresolved)?,
    })
}

/// The partners named in `partners=`: each must exist (404 otherwise).
async fn partner_set(conn: &mut sqlx::PgConnection, list: &str) -> Result<BTreeSet<Uuid>> {
    let names: Vec<&str> = super::bounded(list, "partners", MAX_PARTNERS_LEN)?
        .split(',')
        .collect();
    if names.len() > MAX_PARTNERS {
        return Err(ApiError::invalid_field(
            "#/query/partners",
            format!("names {} partners; at most {MAX_PARTNERS}", names.len()),
        ));
    }
    let mut set = BTreeSet::new();
    for name in names {
        set.insert(actor_in_question(conn, name, "partners").await?);
    }
    Ok(set)
}

/// One CSV row: a partner in the window or in a period (or an empty period, without one).
struct Row<'a> {
    period: Option<&'a PeriodBounds>,
    divergence: Option<f64>,
    portfolio: &'a Portfolio,
    partner: Option<&'a PartnerShare>,
}

fn csv_rows(engagement: &Engagement) -> Vec<Row<'_>> {
    let window = std::iter::once((None, None, &engagement.window));
    let periods = engagement
        .periods
        .iter()
        .map(|p| (Some(&p.bounds), p.divergence, &p.portfolio));
    let mut rows = Vec::new();
    for (period, divergence, portfolio) in window.chain(periods) {
        let row = |partner| Row {
            period,
            divergence,
            portfolio,
            partner,
        };
        if portfolio.partners.is_empty() {
            rows.push(row(None));
        }
        rows.extend(portfolio.partners.iter().map(|p| row(Some(p))));
    }
    rows
}

impl CsvRecord for Row<'_> {
    const HEADER: &'static [&'static str] = &[
        "period",
        "start",
        "end",
        "partner_id",
        "partner_slug",
        "partner_name",
        "count",
        "weight",
        "share",
        "n",
        "total_weight",
        "hhi",
        "effective_partners",
        "entropy",
        "exp_entropy",
        "evenness",
        "top_partner",
        "top_share",
        "divergence",
        "visit_ids",
        "statement_ids",
        "interaction_ids",
    ];
    fn fields(&self) -> Vec<String> {
        let p = self.portfolio;
        let partner = self.partner;
        vec![
            self.period.map_or("window".into(), |b| b.period.clone()),
            self.period.map(|b| b.start.to_string()).unwrap_or_default(),
            self.period.map(|b| b.end.to_string()).unwrap_or_default(),
            partner.map(|s| s.actor.id.to_string()).unwrap_or_default(),
            partner.map(|s| s.actor.slug.clone()).unwrap_or_default(),
            partner.map(|s| s.actor.name.clone()).unwrap_or_default(),
            partner.map(|s| s.count.to_string()).unwrap_or_default(),
            partner.map(|s| s.weight.to_string()).unwrap_or_default(),
            opt(&partner.and_then(|s| s.share)),
            p.n.to_string(),
            p.total_weight.to_string(),
            opt(&p.hhi),
            opt(&p.effective_partners),
            opt(&p.entropy),
            opt(&p.exp_entropy),
            opt(&p.evenness),
            p.top_partner
                .as_ref()
                .map(|a| a.slug.clone())
                .unwrap_or_default(),
            opt(&p.top_share),
            opt(&self.divergence),
            partner
                .map(|s| formats::ids(&s.visit_ids))
                .unwrap_or_default(),
            partner
                .map(|s| formats::ids(&s.statement_ids))
                .unwrap_or_default(),
            partner
                .map(|s| formats::ids(&s.interaction_ids))
                .unwrap_or_default(),
        ]
    }
}
