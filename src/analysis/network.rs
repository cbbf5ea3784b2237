//! The network of the record: actors as nodes, visits (visitor → host) and statements
//! (speaker → subject) as weighted directed edges, with each node's strength, degree and
//! betweenness.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::engagement::Unresolved;
use super::kinds::RecordKind;
use super::periods::Period;
use super::periods::period_of;
use super::ties::Tie;

/// Whom the nodes stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// States and organizations, with people counted for the one whose role they held.
    Principal,
    /// Every participant as themselves.
    Participant,
}

/// Betweenness is exact (Brandes, O(nodes · edges)) up to this many node-edge products;
/// beyond it, it is not computed rather than holding a worker for seconds.
pub const BETWEENNESS_BUDGET: usize = 50_000_000;

/// The records of a pair in one period (or, for records dated too coarsely for the periods,
/// or when there are none, in no period), and the days they may cover.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    /// Its records by kind, then id, each once. One list, not a set per kind: a network by
    /// month has about as many buckets as records, most holding one.
    pub records: Vec<(RecordKind, Uuid)>,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Bucket {
    pub fn weight(&self) -> usize {
        self.records.len()
    }

    /// The ids of its records of one kind, in order.
    pub fn ids(&self, kind: RecordKind) -> Vec<Uuid> {
        // Sorted by kind first: the kind's records are one run.
        let start = self.records.partition_point(|(k, _)| *k < kind);
        let end = self.records.partition_point(|(k, _)| *k <= kind);
        self.records[start..end].iter().map(|(_, id)| *id).collect()
    }
}

/// One directed pair and its records, by period index (`None`: in no period).
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub source: Uuid,
    pub target: Uuid,
    pub buckets: BTreeMap<Option<usize>, Bucket>,
}

impl Pair {
    pub fn weight(&self) -> usize {
        self.buckets.values().map(Bucket::weight).sum()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: Uuid,
    /// Records on edges into and out of the node.
    pub in_strength: usize,
    pub out_strength: usize,
    /// Distinct neighbours each way (as networkx counts a directed graph's degree).
    pub in_degree: usize,
    pub out_degree: usize,
    /// Normalised as networkx does for directed graphs, 1 / ((n − 1)(n − 2)); `None` when
    /// the graph is too large to compute it within the budget.
    pub betweenness: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub nodes: Vec<Node>,
    pub pairs: Vec<Pair>,
    pub unplaced: Vec<(RecordKind, Uuid)>,
    pub unresolved: Vec<Unresolved>,
}

/// The network of some ties, at a level, with the pairs' records split by period.
pub fn network(ties: &[Tie], level: Level, periods: &[Period]) -> Network {
    let mut pairs: BTreeMap<(Uuid, Uuid), Pair> = BTreeMap::new();
    let mut unplaced = BTreeSet::new();
    let mut unresolved = BTreeSet::new();
    for tie in ties {
        let (source, target) = match level {
            Level::Principal => (tie.from.principal, tie.to.principal),
            Level::Participant => (tie.from.participant, tie.to.participant),
        };
        if source == target {
            continue;
        }
        if level == Level::Principal {
            for end in [&tie.from, &tie.to] {
                if !end.resolved {
                    unresolved.insert(Unresolved {
                        participant: end.participant,
                        record: tie.record,
                        id: tie.id,
                    });
                }
            }
        }
        let period = if periods.is_empty() {
            None
        } else {
            let index = period_of(periods, tie.date);
            if index.is_none() {
                unplaced.insert((tie.record, tie.id));
            }
            index
        };
        let (first, last) = (tie.date.first_day(), tie.date.last_day());
        let bucket = pairs
            .entry((source, target))
            .or_insert_with(|| Pair {
                source,
                target,
                buckets: BTreeMap::new(),
            })
            .buckets
            .entry(period)
            .or_insert_with(|| Bucket {
                records: Vec::with_capacity(1),
                first,
                last,
            });
        bucket.first = bucket.first.min(first);
        bucket.last = bucket.last.max(last);
        bucket.records.push((tie.record, tie.id));
    }
    let mut pairs: Vec<Pair> = pairs.into_values().collect();
    for bucket in pairs.iter_mut().flat_map(|p| p.buckets.values_mut()) {
        // A record ties a pair once however many of its participants count for them.
        bucket.records.sort_unstable();
        bucket.records.dedup();
        bucket.records.shrink_to_fit();
    }
    Network {
        nodes: nodes(&pairs),
        pairs,
        unplaced: unplaced.into_iter().collect(),
        unresolved: unresolved.into_iter().collect(),
    }
}

/// Every node of the pairs, by id, with its strengths, degrees and betweenness.
fn nodes(pairs: &[Pair]) -> Vec<Node> {
    let ids: BTreeSet<Uuid> = pairs.iter().flat_map(|p| [p.source, p.target]).collect();
    let index: BTreeMap<Uuid, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut nodes: Vec<Node> = ids
        .iter()
        .map(|id| Node {
            id: *id,
            in_strength: 0,
            out_strength: 0,
            in_degree: 0,
            out_degree: 0,
            betweenness: None,
        })
        .collect();
    let mut successors = vec![Vec::new(); nodes.len()];
    for pair in pairs {
        let (s, t) = (index[&pair.source], index[&pair.target]);
        nodes[s].out_strength += pair.weight();
        nodes[s].out_degree += 1;
        nodes[t].in_strength += pair.weight();
        nodes[t].in_degree += 1;
        successors[s].push(t);
    }
    if nodes.len().saturating_mul(pairs.len()) <= BETWEENNESS_BUDGET {
        for (node, value) in nodes.iter_mut().zip(betweenness(&successors)) {
            node.betweenness = Some(value);
        }
    }
    nodes
}

/// Betweenness centrality of a directed graph given as successor lists: Brandes' algorithm
/// on unweighted shortest paths, normalised by 1 / ((n − 1)(n − 2)) for n > 2, as
/// `networkx.betweenness_centrality` computes it by default.
pub fn betweenness(successors: &[Vec<usize>]) -> Vec<f64> {
    let n = successors.len();
    let mut centrality = vec![0.0; n];
    let mut sigma = vec![0.0f64; n];
    let mut distance = vec![usize::MAX; n];
    let mut delta = vec![0.0; n];
    let mut predecessors: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut order = Vec::with_capacity(n);
    let mut queue = VecDeque::new();
    for source in 0..n {
        for v in 0..n {
            predecessors[v].clear();
            sigma[v] = 0.0;
            distance[v] = usize::MAX;
            delta[v] = 0.0;
        }
        order.clear();
        sigma[source] = 1.0;
        distance[source] = 0;
        queue.push_back(source);
        while let Some(v) = queue.pop_front() {
            order.push(v);
            for &w in &successors[v] {
                if distance[w] == usize::MAX {
                    distance[w] = distance[v] + 1;
                    queue.push_back(w);
                }
                if distance[w] == distance[v] + 1 {
                    sigma[w] += sigma[v];
                    predecessors[w].push(v);
                }
            }
        }
        while let Some(w) = order.pop() {
            for &v in &predecessors[w] {
                delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
            }
            if w != source {
                centrality[w] += delta[w];
            }
        }
    }
    if n > 2 {
        let scale = 1.0 / ((n - 1) * (n - 2)) as f64;
        centrality.iter_mut().for_each(|c| *c *= scale);
    }
    centrality
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ties::{End, TieKind};
    use crate::domain::{PartialDate, VisitKind};

    fn visit(id: u128, date: &str, from: (u128, u128), to: (u128, u128)) -> Tie {
        let end = |(participant, principal): (u128, u128)| End {
            participant: Uuid::from_u128(participant),
            principal: Uuid::from_u128(principal),
            rank: None,
            resolved: true,
        };
        Tie {
            record: RecordKind::Visit,
            id: Uuid::from_u128(id),
            date: PartialDate::parse(date).unwrap_or_else(|e| panic!("{e}")),
            kind: TieKind::Visit(VisitKind::Official),
            stance: None,
            from: end(from),
            to: end(to),
        }
    }

    #[test]
    fn pairs_gather_records_and_drop_what_stays_inside_one_node() {
        // 1 = Kazakhstan, 2 = Russia; 11 = Tokayev (Kazakhstan), 12 = Putin (Russia).
        let ties = [
            visit(100, "2022-08", (11, 1), (2, 2)),
            visit(101, "2022-10", (12, 2), (1, 1)),
            visit(102, "2022-10", (11, 1), (2, 2)),
            visit(103, "2022-05", (11, 1), (1, 1)),
        ];
        let principals = network(&ties, Level::Principal, &[]);
        assert_eq!(
            principals.pairs[0].buckets[&None].first.to_string(),
            "2022-08-01"
        );
        assert_eq!(
            principals.pairs[0].buckets[&None].last.to_string(),
            "2022-10-31"
        );
        let weights: Vec<(u128, u128, usize)> = principals
            .pairs
            .iter()
            .map(|p| (p.source.as_u128(), p.target.as_u128(), p.weight()))
            .collect();
        assert_eq!(
            weights,
            [(1, 2, 2), (2, 1, 1)],
            "Tokayev at home is no edge"
        );
        let kz = &principals.nodes[0];
        assert_eq!(
            (kz.out_strength, kz.in_strength, kz.out_degree, kz.in_degree),
            (2, 1, 1, 1)
        );
        let people = network(&ties, Level::Participant, &[]);
        let ends: Vec<(u128, u128)> = people
            .pairs
            .iter()
            .map(|p| (p.source.as_u128(), p.target.as_u128()))
            .collect();
        assert_eq!(ends, [(11, 1), (11, 2), (12, 1)]);
    }

    fn graph(n: usize, edges: &[(usize, usize)]) -> Vec<Vec<usize>> {
        let mut successors = vec![Vec::new(); n];
        for (s, t) in edges {
            successors[*s].push(*t);
        }
        successors
    }

    fn close(actual: &[f64], expected: &[f64]) -> bool {
        actual.len() == expected.len()
            && actual
                .iter()
                .zip(expected)
                .all(|(a, e)| (a - e).abs() < 1e-12)
    }

    /// The figures networkx 3.6 prints for `betweenness_centrality` of these digraphs.
    #[test]
    fn betweenness_equals_networkx_on_small_digraphs() {
        // A → B → C → D
        let chain = betweenness(&graph(4, &[(0, 1), (1, 2), (2, 3)]));
        assert!(
            close(&chain, &[0.0, 1.0 / 3.0, 1.0 / 3.0, 0.0]),
            "{chain:?}"
        );
        // A → B, A → C, B → D, C → D: two shortest paths from A to D share the load.
        let diamond = betweenness(&graph(4, &[(0, 1), (0, 2), (1, 3), (2, 3)]));
        assert!(
            close(&diamond, &[0.0, 1.0 / 12.0, 1.0 / 12.0, 0.0]),
            "{diamond:?}"
        );
        // A → B, B → C, C → A, B → D
        let cycle = betweenness(&graph(4, &[(0, 1), (1, 2), (2, 0), (1, 3)]));
        assert!(
            close(&cycle, &[1.0 / 3.0, 0.5, 1.0 / 6.0, 0.0]),
            "{cycle:?}"
        );
        // A → H, B → H, H → C
        let hub = betweenness(&graph(4, &[(0, 3), (1, 3), (3, 2)]));
        assert!(close(&hub, &[0.0, 0.0, 0.0, 1.0 / 3.0]), "{hub:?}");
        // Two nodes: no normalisation, nothing between.
        assert_eq!(betweenness(&graph(2, &[(0, 1)])), [0.0, 0.0]);
    }
}
