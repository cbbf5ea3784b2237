//! The network as an answer: actors and the weighted edges between them, whatever the format
//! it is written in (JSON, CSV, GraphML, GEXF).

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::analysis::network::{Bucket, Level, Pair};
use crate::analysis::{Granularity, Period, RecordKind};
use crate::domain::{ActorKind, PartialDate};

use super::{PeriodBounds, RecordRef, UnresolvedParticipant};

/// An actor in the network.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NetworkNode {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: ActorKind,
    /// Records on the edges into the node.
    pub in_strength: usize,
    /// Records on the edges out of the node.
    pub out_strength: usize,
    /// Distinct actors with an edge into the node.
    pub in_degree: usize,
    /// Distinct actors the node has an edge to.
    pub out_degree: usize,
    /// Betweenness centrality over unweighted shortest paths, normalised by
    /// 1 / ((n − 1)(n − 2)) as networkx does for directed graphs; null when the network is too
    /// large to compute it in a request (see `betweenness_computed`).
    #[schema(required = true)]
    pub betweenness: Option<f64>,
}

/// The records from one actor to another (in one period, when `by` is given).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NetworkEdge {
    pub source: Uuid,
    pub target: Uuid,
    /// The period (`2022-Q3`), when `by` is given; absent on the edge that gathers a pair's
    /// records dated too coarsely for the periods (`2022` by quarter).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub period: Option<String>,
    /// The period's first day, or (without a period) the first day its records may cover.
    pub start: NaiveDate,
    /// The period's last day, or (without a period) the last day its records may cover.
    pub end: NaiveDate,
    /// Visits plus statements plus interactions.
    pub weight: usize,
    pub visits: usize,
    pub statements: usize,
    /// Absent when none count.
    #[serde(skip_serializing_if = "is_zero")]
    #[schema(required = false)]
    pub interactions: usize,
    pub visit_ids: Vec<Uuid>,
    pub statement_ids: Vec<Uuid>,
    /// Absent when none count.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub interaction_ids: Vec<Uuid>,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

/// The network of visits (visitor → host), statements (speaker → subject) and interactions
/// (source → target).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "from": "2022", "to": "2022", "basis": ["visit", "statement"], "level": "principal", "betweenness_computed": true,
    "nodes": [
        {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a", "slug": "kazakhstan", "name": "Kazakhstan", "kind": "state",
         "in_strength": 9, "out_strength": 6, "in_degree": 4, "out_degree": 3, "betweenness": 0.45},
        {"id": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0b", "slug": "russia", "name": "Russia", "kind": "state",
         "in_strength": 3, "out_strength": 3, "in_degree": 1, "out_degree": 2, "betweenness": 0.0}
    ],
    "edges": [{"source": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0a", "target": "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c0b",
               "start": "2022-07-01", "end": "2022-11-30", "weight": 3, "visits": 1, "statements": 2,
               "visit_ids": ["0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c10"],
               "statement_ids": ["0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c14", "0192f5c4-3b1e-7d2a-9c4f-5e6d7a8b9c15"]}],
    "periods": [], "unplaced": [], "unresolved": []
}))]
pub struct Network {
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
    pub level: Level,
    /// Whether `betweenness` was computed: it is exact when it is, and skipped for networks
    /// whose nodes times edges pass 50 million.
    pub betweenness_computed: bool,
    /// Heaviest first.
    pub nodes: Vec<NetworkNode>,
    /// Ordered by period (edges without one last), then heaviest first.
    #[schema(value_type = Vec<NetworkEdge>)]
    pub edges: Edges,
    /// The periods of the series (empty without `by`).
    pub periods: Vec<PeriodBounds>,
    /// Records in the window dated too coarsely for any period: they are on edges without a
    /// period.
    pub unplaced: Vec<RecordRef>,
    /// At the principal level, participants who held no role on the record's date and are
    /// nodes of their own.
    pub unresolved: Vec<UnresolvedParticipant>,
}

/// A network's edges, each made as it is written: a network by month has about as many edges
/// as records, and an answer is held while its client reads it. One edge per pair and period
/// it has records in; without periods, and for records dated too coarsely for them, one edge
/// over the days its records may cover.
#[derive(Debug)]
pub struct Edges {
    pairs: Vec<Pair>,
    periods: Vec<Period>,
    /// Each edge as (pair, period), in the answer's order.
    order: Vec<(usize, Option<usize>)>,
}

impl Edges {
    pub fn new(pairs: Vec<Pair>, periods: Vec<Period>) -> Self {
        let mut order: Vec<(usize, Option<usize>, usize)> = pairs
            .iter()
            .enumerate()
            .flat_map(|(p, pair)| {
                let weights = pair.buckets.iter().map(|(i, b)| (*i, b.weight()));
                weights.map(move |(index, weight)| (p, index, weight))
            })
            .collect();
        let pair = |p: usize| pairs.get(p).map(|pair| (pair.source, pair.target));
        // By period (none last), then heaviest first, then by source and target.
        order.sort_by(|(pa, ia, wa), (pb, ib, wb)| {
            let last = |i: &Option<usize>| i.unwrap_or(usize::MAX);
            last(ia)
                .cmp(&last(ib))
                .then(wb.cmp(wa))
                .then(pair(*pa).cmp(&pair(*pb)))
        });
        let order = order.into_iter().map(|(p, i, _)| (p, i)).collect();
        Self {
            pairs,
            periods,
            order,
        }
    }

    /// Every edge, in the answer's order.
    pub fn iter(&self) -> impl Iterator<Item = NetworkEdge> + '_ {
        self.order.iter().filter_map(|(p, index)| {
            let pair = self.pairs.get(*p)?;
            Some(self.edge(pair, *index, pair.buckets.get(index)?))
        })
    }

    /// Each pair's edges, by period (none last); pairs by source, then target.
    pub fn by_pair(&self) -> impl Iterator<Item = Vec<NetworkEdge>> + '_ {
        self.pairs.iter().map(|pair| {
            let (dated, undated): (Vec<_>, Vec<_>) =
                pair.buckets.iter().partition(|(index, _)| index.is_some());
            dated
                .into_iter()
                .chain(undated)
                .map(|(index, bucket)| self.edge(pair, *index, bucket))
                .collect()
        })
    }

    fn edge(&self, pair: &Pair, index: Option<usize>, bucket: &Bucket) -> NetworkEdge {
        let period = index.and_then(|i| self.periods.get(i));
        let (visit_ids, statement_ids, interaction_ids) = (
            bucket.ids(RecordKind::Visit),
            bucket.ids(RecordKind::Statement),
            bucket.ids(RecordKind::Interaction),
        );
        NetworkEdge {
            source: pair.source,
            target: pair.target,
            period: period.map(|p| p.label()),
            start: period.map_or(bucket.first, |p| p.start),
            end: period.map_or(bucket.last, |p| p.end()),
            weight: bucket.weight(),
            visits: visit_ids.len(),
            statements: statement_ids.len(),
            interactions: interaction_ids.len(),
            visit_ids,
            statement_ids,
            interaction_ids,
        }
    }
}

impl Serialize for Edges {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}
