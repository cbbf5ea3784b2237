// Reads chancery's GraphML and GEXF back with graphology (what sigma.js and Gephi Lite use)
// and checks them against the JSON answer: nodes, their attributes, edges and weights.
// graphology does not model time, so GEXF spells are checked by the networkx reader.
//
// usage: node network_check.cjs ANSWER.json NETWORK.graphml NETWORK.gexf
const fs = require("fs");
const assert = require("assert/strict");
const Graph = require("graphology");
const gexf = require("graphology-gexf");
const graphml = require("graphology-graphml");

const [answerPath, graphmlPath, gexfPath] = process.argv.slice(2);
const answer = JSON.parse(fs.readFileSync(answerPath, "utf8"));
const nodes = new Map(answer.nodes.map((n) => [n.id, n]));

const g = graphml.parse(Graph, fs.readFileSync(graphmlPath, "utf8"));
assert.equal(g.type, "directed");
assert.equal(g.order, nodes.size);
assert.equal(g.size, answer.edges.length);
g.forEachNode((id, attributes) => {
  const expected = nodes.get(id);
  assert.ok(expected, id);
  assert.equal(attributes.label, expected.name);
  for (const key of ["slug", "kind", "in_strength", "out_strength", "in_degree", "out_degree"]) {
    assert.equal(attributes[key], expected[key], key);
  }
  if (expected.betweenness !== null) assert.ok(Math.abs(attributes.betweenness - expected.betweenness) < 1e-12);
});
answer.edges.forEach((edge, i) => {
  const attributes = g.getEdgeAttributes(`e${i}`);
  assert.equal(g.source(`e${i}`), edge.source);
  assert.equal(g.target(`e${i}`), edge.target);
  assert.equal(attributes.weight, edge.weight);
  assert.equal(attributes.visits, edge.visits);
  assert.equal(attributes.statements, edge.statements);
  assert.equal(attributes.start, edge.start);
});

const x = gexf.parse(Graph, fs.readFileSync(gexfPath, "utf8"));
const pairs = new Map();
for (const edge of answer.edges) {
  const key = `${edge.source} ${edge.target}`;
  pairs.set(key, (pairs.get(key) || 0) + edge.weight);
}
assert.equal(x.order, nodes.size);
assert.equal(x.size, pairs.size);
x.forEachNode((id, attributes) => {
  assert.equal(attributes.label, nodes.get(id).name);
  assert.equal(attributes.kind, nodes.get(id).kind);
  assert.equal(attributes.out_strength, nodes.get(id).out_strength);
});
x.forEachEdge((id, attributes, source, target) => {
  assert.equal(attributes.weight, pairs.get(`${source} ${target}`));
});
console.log(`graphology: ${x.order} nodes, ${g.size} GraphML edges, ${x.size} GEXF edges`);
