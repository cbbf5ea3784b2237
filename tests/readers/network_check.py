"""Reads chancery's GraphML and GEXF back with networkx and checks them against the JSON
answer they were made from: every node and attribute, every edge, the spells and dynamic
values of GEXF, and that the betweenness in the file is what networkx computes.

usage: network_check.py ANSWER.json NETWORK.graphml NETWORK.gexf
"""
import json
import sys

import networkx as nx

answer_path, graphml_path, gexf_path = sys.argv[1:4]
with open(answer_path) as f:
    answer = json.load(f)
nodes = {n["id"]: n for n in answer["nodes"]}
edges = answer["edges"]

# GraphML: every node with its attributes, one edge per JSON edge, keys intact.
g = nx.read_graphml(graphml_path, force_multigraph=True)
assert g.is_directed() and g.is_multigraph()
assert set(g.nodes) == set(nodes), "nodes differ"
for node_id, data in g.nodes(data=True):
    expected = nodes[node_id]
    assert data["label"] == expected["name"], (data, expected)
    for key in ("slug", "kind", "in_strength", "out_strength", "in_degree", "out_degree"):
        assert data[key] == expected[key], (key, data, expected)
    if expected["betweenness"] is not None:
        assert abs(data["betweenness"] - expected["betweenness"]) < 1e-12
assert g.number_of_edges() == len(edges), (g.number_of_edges(), len(edges))
for i, edge in enumerate(edges):
    data = g.edges[edge["source"], edge["target"], f"e{i}"]
    assert data["weight"] == edge["weight"] and data["visits"] == edge["visits"]
    assert data["statements"] == edge["statements"]
    assert data["start"] == edge["start"] and data["end"] == edge["end"]
    assert data.get("period") == edge.get("period"), (data, edge)
    assert data["visit_ids"].split() == edge["visit_ids"], (data, edge)

# Betweenness as networkx computes it on the directed graph of distinct pairs.
simple = nx.DiGraph()
simple.add_nodes_from(g.nodes)
simple.add_edges_from((s, t) for s, t, _ in g.edges(keys=True))
reference = nx.betweenness_centrality(simple)
computed = 0
for node_id, expected in nodes.items():
    if expected["betweenness"] is not None:
        assert abs(reference[node_id] - expected["betweenness"]) < 1e-9, (
            node_id, reference[node_id], expected["betweenness"])
        computed += 1

# GEXF: one edge per pair, weighted by all its records, its periods as spells and its
# counts per period as dynamic attributes.
x = nx.read_gexf(gexf_path)
assert x.is_directed()
assert set(x.nodes) == set(nodes)
for node_id, data in x.nodes(data=True):
    assert data["label"] == nodes[node_id]["name"]
    assert data["in_strength"] == nodes[node_id]["in_strength"]
pairs = {}
for edge in edges:
    pairs.setdefault((edge["source"], edge["target"]), []).append(edge)
assert x.number_of_edges() == len(pairs), (x.number_of_edges(), len(pairs))
for (source, target), group in pairs.items():
    found = x.get_edge_data(source, target)
    data = next(iter(found.values())) if x.is_multigraph() else found
    assert data["weight"] == sum(e["weight"] for e in group), (data, group)
    assert data["spells"] == [(e["start"], e["end"]) for e in group], (data["spells"], group)
    assert data["records"] == [(e["weight"], e["start"], e["end"]) for e in group]
    assert data["visits"] == [(e["visits"], e["start"], e["end"]) for e in group]
    assert data["statements"] == [(e["statements"], e["start"], e["end"]) for e in group]

print(f"networkx {nx.__version__}: {len(nodes)} nodes, {len(edges)} edges, "
      f"{len(pairs)} pairs, betweenness of {computed} nodes equal")
