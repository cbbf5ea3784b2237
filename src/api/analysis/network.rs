//! `/v1/network`: everyone's visits and statements as a directed, weighted graph, as JSON,
//! CSV, GraphML or GEXF.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::analysis::Granularity;
use crate::analysis::network::{self as compute, Level};
use crate::domain::{InteractionType, PartialDate, QuadClass};
use crate::error::Result;

use super::super::auth::Read;
use super::super::costly;
use super::super::extract::Query;
use super::super::formats::{self, CsvRecord, opt};
use super::super::problems::*;
use super::super::state::AppState;
use super::graph::{Edges, Network, NetworkEdge, NetworkNode};
use super::graph_files::{self, GEXF, GRAPHML};
use super::stream;
use super::{Names, PeriodBounds, Window};

/// A file format for the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NetworkFormat {
    Json,
    Csv,
    Graphml,
    Gexf,
}

/// The window, the level and the format.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NetworkParams {
    /// Records that may have happened during or after this date (by overlap).
    #[param(value_type = Option<PartialDate>, example = "2022")]
    pub from: Option<PartialDate>,
    /// Records that may have happened during or before this date (by overlap).
    #[param(value_type = Option<PartialDate>, example = "2022")]
    pub to: Option<PartialDate>,
    /// Split each edge by `year`, `quarter` or `month` (at most 1,200 periods, over the window
    /// or, where it is open, what its records span: more is a 400 before anything is read):
    /// one edge per pair and period in JSON, CSV and GraphML, spells and dynamic attributes
    /// in GEXF.
    pub by: Option<Granularity>,
    /// Which records make edges: `visits`, `statements`, `interactions`, comma-separated, or
    /// `all`; visits and statements by default.
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
    /// `principal` (the default: states and organizations, people counted for the one whose
    /// role they held) or `participant` (everyone as themselves).
    pub level: Option<Level>,
    /// The representation, instead of `Accept`: `json`, `csv` (the edges), `graphml` or `gexf`.
    #[param(inline)]
    pub format: Option<NetworkFormat>,
}

type NetworkRequest = Read<Query<NetworkParams>>;

/// The network.
///
/// Actors as nodes with in- and out-strength, degree and betweenness; visits and statements
/// (and interactions, with `interactions` in `basis`) as directed edges weighted by their
/// number, each with the records behind it. JSON by
/// default; `text/csv` (the edges), GraphML (`application/graphml+xml`, read by networkx,
/// igraph and graphology) or GEXF 1.3 (`application/gexf+xml`, for Gephi, with each edge's
/// periods as spells and its counts as dynamic attributes) by `Accept` or `format`. A few
/// costly requests are served at a time, a few per caller; a request that waits too long for
/// its turn gets a 503 with `Retry-After`. A question over more than 200,000 links between
/// actors is a 422, counted before the network is read.
#[utoipa::path(
    tag = "analysis",
    operation_id = "get_network",
    params(NetworkParams),
    responses(
        (status = 200, description = "The network", content(
            (Network = "application/json"),
            (String = "text/csv"),
            (String = "application/graphml+xml"),
            (String = "application/gexf+xml"),
        )),
        (status = 422, response = Unprocessable),
        ReadProblems,
    ),
)]
#[get("")]
pub async fn get_network(
    state: web::Data<AppState>,
    req: HttpRequest,
    read: NetworkRequest,
) -> Result<HttpResponse> {
    let Read(Query(params)) = read;
    let window = Window::new(params.from, params.to)?;
    let basis = super::basis(
        params.basis.as_deref(),
        params.event_type,
        params.quad_class,
    )?;
    let level = params.level.unwrap_or(Level::Principal);
    // A series too long for a closed window is refused before anything is awaited.
    window.periods(params.by, &[])?;
    // A turn before a connection: waiting callers hold nothing others need. The turn is
    // held until the answer is written (or its client gone), not just computed.
    let turn = state.costly.enter(&req).await?;
    let mut conn = super::snapshot(state.reader(&req).await?).await?;
    let (ties, periods) =
        super::ties(&mut conn, basis.ties(None, &window), &window, params.by).await?;
    let computed = costly::run({
        let periods = periods.clone();
        move || compute::network(&ties, level, &periods)
    })
    .await?;
    let mut ids: Vec<Uuid> = computed.nodes.iter().map(|n| n.id).collect();
    ids.extend(computed.unresolved.iter().map(|u| u.participant));
    let names = Names::load(&mut conn, &ids).await?;
    drop(conn);

    let network = Network {
        from: params.from,
        to: params.to,
        by: params.by,
        basis: basis.names(),
        level,
        betweenness_computed: computed.nodes.iter().all(|n| n.betweenness.is_some()),
        nodes: nodes(&computed, &names)?,
        periods: periods.iter().map(PeriodBounds::from).collect(),
        edges: Edges::new(computed.pairs, periods),
        unplaced: super::unplaced(&computed.unplaced),
        unresolved: names.unresolved(&computed.unresolved)?,
    };
    let format = params.format.unwrap_or_else(|| {
        match formats::negotiate(&req, &[formats::JSON, formats::CSV, GRAPHML, GEXF]) {
            formats::CSV => NetworkFormat::Csv,
            GRAPHML => NetworkFormat::Graphml,
            GEXF => NetworkFormat::Gexf,
            _ => NetworkFormat::Json,
        }
    });
    let mut response = HttpResponse::Ok();
    response.insert_header((header::VARY, "Accept"));
    let (content_type, extension) = match format {
        NetworkFormat::Json => ("application/json", None),
        NetworkFormat::Csv => ("text/csv; charset=utf-8", None),
        NetworkFormat::Graphml => (GRAPHML, Some("graphml")),
        NetworkFormat::Gexf => (GEXF, Some("gexf")),
    };
    if let Some(extension) = extension {
        response.insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"chancery-network.{extension}\""),
        ));
    }
    response.content_type(content_type);
    Ok(stream::respond(
        &req,
        response,
        turn,
        move |out| match format {
            NetworkFormat::Json => Ok(serde_json::to_writer(out, &network)?),
            NetworkFormat::Csv => formats::write_csv(out, csv_rows(&network)),
            NetworkFormat::Graphml => graph_files::graphml(out, &network),
            NetworkFormat::Gexf => graph_files::gexf(out, &network),
        },
    ))
}

fn nodes(network: &compute::Network, names: &Names) -> Result<Vec<NetworkNode>> {
    let mut nodes = network
        .nodes
        .iter()
        .map(|n| {
            let actor = names.get(n.id)?;
            Ok(NetworkNode {
                id: n.id,
                slug: actor.slug,
                name: actor.name,
                kind: actor.kind,
                in_strength: n.in_strength,
                out_strength: n.out_strength,
                in_degree: n.in_degree,
                out_degree: n.out_degree,
                betweenness: n.betweenness,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    nodes.sort_by(|a, b| {
        (b.in_strength + b.out_strength)
            .cmp(&(a.in_strength + a.out_strength))
            .then_with(|| a.slug.cmp(&b.slug))
    });
    Ok(nodes)
}

/// One CSV row per edge, with both actors named, made as it is written.
struct Row<'a> {
    edge: NetworkEdge,
    source: Option<&'a NetworkNode>,
    target: Option<&'a NetworkNode>,
}

fn csv_rows(network: &Network) -> impl Iterator<Item = Row<'_>> {
    let by_id: std::collections::HashMap<Uuid, &NetworkNode> =
        network.nodes.iter().map(|n| (n.id, n)).collect();
    network.edges.iter().map(move |edge| Row {
        source: by_id.get(&edge.source).copied(),
        target: by_id.get(&edge.target).copied(),
        edge,
    })
}

impl CsvRecord for Row<'_> {
    const HEADER: &'static [&'static str] = &[
        "source_id",
        "source_slug",
        "source_name",
        "target_id",
        "target_slug",
        "target_name",
        "period",
        "start",
        "end",
        "weight",
        "visits",
        "statements",
        "visit_ids",
        "statement_ids",
        "interactions",
        "interaction_ids",
    ];
    fn fields(&self) -> Vec<String> {
        let e = &self.edge;
        vec![
            e.source.to_string(),
            self.source.map(|n| n.slug.clone()).unwrap_or_default(),
            self.source.map(|n| n.name.clone()).unwrap_or_default(),
            e.target.to_string(),
            self.target.map(|n| n.slug.clone()).unwrap_or_default(),
            self.target.map(|n| n.name.clone()).unwrap_or_default(),
            opt(&e.period),
            e.start.to_string(),
            e.end.to_string(),
            e.weight.to_string(),
            e.visits.to_string(),
            e.statements.to_string(),
            formats::ids(&e.visit_ids),
            formats::ids(&e.statement_ids),
            e.interactions.to_string(),
            formats::ids(&e.interaction_ids),
        ]
    }
}
