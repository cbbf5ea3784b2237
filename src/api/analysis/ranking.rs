//! Every actor's engagement index over one window, side by side: `GET /v1/engagement`, to
//! rank Central Asia's states, or all of them.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::analysis::engagement as compute;
use crate::analysis::{Direction, RecordKind};
use crate::domain::{ActorKind, InteractionType, PartialDate, QuadClass};
use crate::error::{ApiError, Result};
use crate::records::summary::ActorSummary;
use crate::store::analysis as store;

use super::super::auth::Read;
use super::super::extract::Query;
use super::super::formats::{self, CsvRecord, opt};
use super::super::problems::*;
use super::super::state::AppState;
use super::Window;

/// Rows a page holds at most, and by default.
const MAX_LIMIT: u32 = 1000;
const DEFAULT_LIMIT: u32 = 100;

/// What the ranking is sorted by: `n` (records counted), `effective_partners`, `evenness`,
/// `hhi`, `top_share`, or `name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RankingSort {
    N,
    EffectivePartners,
    Evenness,
    Hhi,
    TopShare,
    Name,
}

impl RankingSort {
    /// The name in a query string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::N => "n",
            Self::EffectivePartners => "effective_partners",
            Self::Evenness => "evenness",
            Self::Hhi => "hhi",
            Self::TopShare => "top_share",
            Self::Name => "name",
        }
    }
}

/// The kinds of actor that are ranked: those others count for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RankedKind {
    State,
    Organization,
}

impl RankedKind {
    fn actor_kind(self) -> ActorKind {
        match self {
            Self::State => ActorKind::State,
            Self::Organization => ActorKind::Organization,
        }
    }
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    Asc,
    Desc,
}

/// Which actors, over which records, in which order.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RankingParams {
    /// Records that may have happened during or after this date (by overlap).
    #[param(value_type = Option<PartialDate>, example = "2018")]
    pub from: Option<PartialDate>,
    /// Records that may have happened during or before this date (by overlap).
    #[param(value_type = Option<PartialDate>, example = "2018")]
    pub to: Option<PartialDate>,
    /// Which records count: `visits`, `statements`, `interactions`, comma-separated, or `all`;
    /// visits and statements by default.
    #[param(
        max_length = 100,
        pattern = "^(visits|statements|interactions|all)(,(visits|statements|interactions|all))*$",
        example = "visits,interactions"
    )]
    pub basis: Option<String>,
    /// Only interactions of this PLOVER type count (with `interactions` in `basis`).
    pub event_type: Option<InteractionType>,
    /// Only interactions in this quad class count (with `interactions` in `basis`).
    pub quad_class: Option<QuadClass>,
    /// `in`, `out` or `both` (the default), as for one actor's engagement.
    pub direction: Option<Direction>,
    /// The kind of actor ranked: `state` (the default) or `organization`.
    pub kind: Option<RankedKind>,
    /// `n` by default.
    pub sort: Option<RankingSort>,
    /// `desc` by default (`asc` for `name`); ties are broken by name.
    pub order: Option<Order>,
    /// Rows per page, 1 to 1,000 (100 by default).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Rows to pass over, for the next page.
    #[param(minimum = 0, maximum = 100000)]
    pub offset: Option<u32>,
}

/// One actor's index over the window.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankedActor {
    pub actor: ActorSummary,
    /// Records counted.
    pub n: usize,
    /// Herfindahl–Hirschman index of the partners' shares.
    pub hhi: f64,
    pub effective_partners: f64,
    /// Shannon entropy, in nats.
    pub entropy: f64,
    /// Entropy over ln(number of partners); null with fewer than two partners.
    #[schema(required = true)]
    pub evenness: Option<f64>,
    pub partners: usize,
    /// The partner with the largest weight.
    pub top_partner: ActorSummary,
    #[schema(required = true)]
    pub top_share: Option<f64>,
}

/// Every actor of a kind with at least one record in the window, ranked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ranking {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub from: Option<PartialDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub to: Option<PartialDate>,
    pub basis: Vec<RecordKind>,
    pub direction: Direction,
    pub kind: RankedKind,
    pub sort: RankingSort,
    pub order: Order,
    /// Actors ranked in all, over every page.
    pub total: usize,
    pub items: Vec<RankedActor>,
}

type RankingRequest = Read<Query<RankingParams>>;

/// Every actor's engagement, ranked.
///
/// The engagement index of every state (or organization) with records in the window, each
/// counted as `GET /v1/actors/{actor}/engagement` counts it for that actor alone: records
/// counted, HHI, effective partners, entropy, evenness, the top partner and its share. Sorted
/// and paged (`limit`, `offset`); `total` says how many there are. `Accept: text/csv` gives
/// the page as rows.
#[utoipa::path(
    tag = "analysis",
    operation_id = "rank_engagement",
    params(RankingParams),
    responses(
        (status = 200, description = "The ranking", content((Ranking = "application/json"), (String = "text/csv"))),
        (status = 422, response = Unprocessable),
        ReadProblems,
    ),
)]
#[get("")]
pub async fn rank_engagement(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: RankingRequest,
) -> Result<HttpResponse> {
    let Read(Query(params)) = read;
    let turn = state.costly.enter(&req).await?;
    let mut conn = super::snapshot(state.reader(&req).await?).await?;
    let ranking = answer(&mut conn, &params).await?;
    drop(conn);
    Ok(super::respond(&req, turn, ranking, |ranking, out| {
        formats::write_csv(out, &ranking.items)
    }))
}

/// The ranking asked, read in the caller's snapshot (the explorer's front page asks too).
pub async fn answer(conn: &mut sqlx::PgConnection, params: &RankingParams) -> Result<Ranking> {
    let window = Window::new(params.from, params.to)?;
    let basis = super::basis(
        params.basis.as_deref(),
        params.event_type,
        params.quad_class,
    )?;
    let kind = params.kind.unwrap_or(RankedKind::State);
    let sort = params.sort.unwrap_or(RankingSort::N);
    let order = params.order.unwrap_or(match sort {
        RankingSort::Name => Order::Asc,
        _ => Order::Desc,
    });
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_field(
            "#/query/limit",
            format!("must be 1 to {MAX_LIMIT}"),
        ));
    }
    let direction = params.direction.unwrap_or(Direction::Both);
    // Counted in the database: the answer is a row per principal and partner, however many
    // records the window holds (a year of event data is a million).
    let counts = store::pair_counts(
        &mut *conn,
        &basis.ties(None, &window),
        direction.admits(Direction::Out),
        direction.admits(Direction::In),
    )
    .await?;
    let mut by_actor: BTreeMap<Uuid, (usize, Vec<(Uuid, usize)>)> = BTreeMap::new();
    for count in counts {
        let (n, partners) = by_actor.entry(count.actor).or_default();
        let records = usize::try_from(count.records).unwrap_or(0);
        match count.partner {
            Some(partner) => partners.push((partner, records)),
            None => *n = records,
        }
    }
    let portfolios: Vec<_> = by_actor
        .into_iter()
        .map(|(actor, (n, partners))| (actor, compute::from_counts(n, partners)))
        .collect();
    let mut ids: Vec<_> = portfolios.iter().map(|(actor, _)| *actor).collect();
    ids.extend(
        portfolios
            .iter()
            .filter_map(|(_, p)| p.top().map(|t| t.partner)),
    );
    let names = super::Names::load(&mut *conn, &ids).await?;
    let mut ranked = Vec::new();
    for (actor, portfolio) in portfolios {
        let actor = names.get(actor)?;
        let (Some(c), Some(top)) = (portfolio.concentration, portfolio.top()) else {
            continue;
        };
        if actor.kind != kind.actor_kind() {
            continue;
        }
        ranked.push(RankedActor {
            actor,
            n: portfolio.n,
            hhi: c.hhi,
            effective_partners: c.effective_partners,
            entropy: c.entropy,
            evenness: c.evenness,
            partners: portfolio.partners.len(),
            top_partner: names.get(top.partner)?,
            top_share: top.share,
        });
    }
    sort_ranking(&mut ranked, sort, order);
    let total = ranked.len();
    let offset = params.offset.unwrap_or(0) as usize;
    let items = ranked
        .into_iter()
        .skip(offset)
        .take(limit as usize)
        .collect();
    Ok(Ranking {
        from: params.from,
        to: params.to,
        basis: basis.names(),
        direction,
        kind,
        sort,
        order,
        total,
        items,
    })
}

fn sort_ranking(ranked: &mut [RankedActor], sort: RankingSort, order: Order) {
    let key = |a: &RankedActor| -> f64 {
        match sort {
            RankingSort::N => a.n as f64,
            RankingSort::EffectivePartners => a.effective_partners,
            RankingSort::Evenness => a.evenness.unwrap_or(f64::NEG_INFINITY),
            RankingSort::Hhi => a.hhi,
            RankingSort::TopShare => a.top_share.unwrap_or(f64::NEG_INFINITY),
            RankingSort::Name => 0.0,
        }
    };
    ranked.sort_by(|a, b| {
        let by_key = key(a).total_cmp(&key(b));
        let by_key = match order {
            Order::Asc => by_key,
            Order::Desc => by_key.reverse(),
        };
        let by_name = a.actor.name.cmp(&b.actor.name);
        let by_name = match (sort, order) {
            (RankingSort::Name, Order::Desc) => by_name.reverse(),
            _ => by_name,
        };
        by_key.then(by_name).then(a.actor.id.cmp(&b.actor.id))
    });
}

impl CsvRecord for RankedActor {
    const HEADER: &'static [&'static str] = &[
        "actor_id",
        "actor_slug",
        "actor_name",
        "n",
        "hhi",
        "effective_partners",
        "entropy",
        "evenness",
        "partners",
        "top_partner",
        "top_share",
    ];
    fn fields(&self) -> Vec<String> {
        vec![
            self.actor.id.to_string(),
            self.actor.slug.clone(),
            self.actor.name.clone(),
            self.n.to_string(),
            self.hhi.to_string(),
            self.effective_partners.to_string(),
            self.entropy.to_string(),
            opt(&self.evenness),
            self.partners.to_string(),
            self.top_partner.slug.clone(),
            opt(&self.top_share),
        ]
    }
}
