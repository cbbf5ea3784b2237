// One end-to-end scenario through the generated TypeScript client: types from
// openapi-typescript, requests with openapi-fetch. Run by clients/run against a live service
// (CHANCERY_URL, CHANCERY_TOKEN); type-checked with `tsc --noEmit --strict` first.

import { readFileSync } from "node:fs";

import createClient from "openapi-fetch";
import type { components, paths } from "./generated/chancery.js";

type Problem = components["schemas"]["Problem"];

const baseUrl = process.env.CHANCERY_URL ?? "";
const token = process.env.CHANCERY_TOKEN ?? "";
const run = Math.random().toString(16).slice(2, 10);
// Responses in JSON only (lists are also offered as CSV, citations as CSL-JSON and BibTeX).
const client = createClient<paths, `application/${string}json`>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}

function must<T>(data: T | undefined, error: Problem | undefined, what: string): T {
  if (error !== undefined || data === undefined) {
    throw new Error(`${what} failed: ${JSON.stringify(error)}`);
  }
  return data;
}

async function main(): Promise<void> {
  // Citations and actors.
  const article = await client.POST("/v1/citations", {
    body: { source: "Eurasia Daily Monitor", title: `Multi-vector (${run})`, url: `https://jamestown.org/program/ts-${run}/`, published_on: "2023-01" },
  });
  const articleId = must(article.data, article.error, "create citation").id;
  const state = await client.POST("/v1/actors", { body: { kind: "state", name: `Kazakhstan ${run}`, country_code: "KZ" } });
  const stateActor = must(state.data, state.error, "create state");
  const person = await client.POST("/v1/actors", {
    body: { kind: "person", name: `Xi Jinping ${run}`, aliases: ["Xi", { name: `习近平 ${run}`, kind: "transliteration" }] },
  });
  const personActor = must(person.data, person.error, "create person");

  // A visit and statements.
  const visit = await client.POST("/v1/visits", {
    body: {
      visitor_ids: [personActor.id], host_id: stateActor.id, start: "2022-09", kind: "official",
      citations: [{ citation_id: articleId, locator: "paragraph 3" }],
    },
  });
  const visitId = must(visit.data, visit.error, "create visit").id;
  for (let day = 1; day <= 5; day++) {
    const statement = await client.POST("/v1/statements", {
      body: {
        speaker_id: personActor.id, stated_on: `2022-09-0${day}`, kind: "pledge", visit_id: visitId,
        text: `Pledge number ${day}.`, topics: ["security"],
        subjects: [{ actor_id: stateActor.id, stance: "support" }],
        citations: [{ citation_id: articleId }],
      },
    });
    must(statement.data, statement.error, "create statement");
  }

  // An interaction of the state toward the person, read back by id and found by its type.
  const interaction = await client.POST("/v1/interactions", {
    body: {
      source_ids: [stateActor.id], target_ids: [personActor.id], event_type: "consult", mode: "visit",
      start: "2022-09", citations: [{ citation_id: articleId, locator: "paragraph 3" }],
    },
  });
  const interactionId = must(interaction.data, interaction.error, "create interaction").id;
  const readInteraction = await client.GET("/v1/interactions/{interaction_id}", {
    params: { path: { interaction_id: interactionId } },
  });
  const hosted = must(readInteraction.data, readInteraction.error, "get interaction");
  if (hosted.quad_class !== "verbal_cooperation" || hosted.targets[0]?.id !== personActor.id) {
    throw new Error(`interaction read back as ${JSON.stringify(hosted)}`);
  }
  const consulted = await client.GET("/v1/interactions", {
    params: { query: { source: stateActor.slug, event_type: "consult" } },
  });
  if (must(consulted.data, consulted.error, "list interactions").items[0]?.id !== interactionId) {
    throw new Error("the interaction is not listed by its source and type");
  }

  // List with filters, following next_cursor to the end.
  type StatementQuery = NonNullable<paths["/v1/statements"]["get"]["parameters"]["query"]>;
  type StatementPage = components["schemas"]["StatementPage"];
  const texts: string[] = [];
  let cursor: string | null = null;
  do {
    const query: StatementQuery = { speaker: personActor.slug, topic: "security", limit: 2 };
    if (cursor !== null) query.cursor = cursor;
    const page = await client.GET("/v1/statements", { params: { query } });
    const data: StatementPage = must(page.data, page.error, "list statements");
    texts.push(...data.items.map((s) => s.text));
    cursor = data.next_cursor ?? null;
  } while (cursor !== null);
  check(JSON.stringify(texts) === JSON.stringify([5, 4, 3, 2, 1].map((d) => `Pledge number ${d}.`)), `pages: ${texts}`);

  // PATCH with If-Match; a stale ETag gets 412.
  const read = await client.GET("/v1/actors/{actor}", { params: { path: { actor: stateActor.slug } } });
  const etag = read.response.headers.get("etag") ?? "";
  const patched = await client.PATCH("/v1/actors/{actor}", {
    params: { path: { actor: stateActor.slug }, header: { "If-Match": etag } },
    body: { description: "Central Asia" },
  });
  check(must(patched.data, patched.error, "patch").description === "Central Asia", "patched");
  const stale = await client.PATCH("/v1/actors/{actor}", {
    params: { path: { actor: stateActor.slug }, header: { "If-Match": etag } },
    body: { description: "Again" },
  });
  check(stale.response.status === 412 && stale.error?.status === 412, `stale ETag: ${stale.response.status}`);

  // An idempotent POST, replayed.
  const key = `ts-scenario-${run}`;
  const body = { source: `Replayed ${run}` };
  const first = await client.POST("/v1/citations", { body, params: { header: { "Idempotency-Key": key } } });
  const again = await client.POST("/v1/citations", { body, params: { header: { "Idempotency-Key": key } } });
  check(must(first.data, first.error, "first").id === must(again.data, again.error, "replay").id, "same record");
  check(again.response.headers.get("idempotent-replayed") === "true", "replayed");

  // Delete.
  const latest = await client.GET("/v1/statements", { params: { query: { speaker: personActor.slug, limit: 1 } } });
  const statementId = must(latest.data, latest.error, "latest").items[0]?.id ?? "";
  const deleted = await client.DELETE("/v1/statements/{statement_id}", { params: { path: { statement_id: statementId } } });
  check(deleted.response.status === 204, `delete: ${deleted.response.status}`);

  // A problem+json error, typed.
  const refused = await client.POST("/v1/visits", {
    body: {
      visitor_ids: [personActor.id], host_id: "0190c0b2-8a5e-7c3d-9f1a-2b3c4d5e6f70", start: "2022-10", kind: "working",
      citations: [{ citation_id: articleId }],
    },
  });
  const problem: Problem | undefined = refused.error;
  check(refused.response.status === 422 && problem?.errors?.[0]?.pointer === "#/host_id", JSON.stringify(problem));

  // The seed article's question (the service loads the demo dataset on its first start):
  // Kazakhstan's partners in 2022, and the network they make.
  const engagement = await client.GET("/v1/actors/{actor}/engagement", {
    params: { path: { actor: "kazakhstan" }, query: { from: "2022", to: "2022", by: "quarter" } },
  });
  const index = must(engagement.data, engagement.error, "engagement");
  const partners = index.window.partners.map((p) => `${p.actor.slug}:${p.count}`).join(" ");
  check(partners === "russia:5 turkey:4 european-union:3 china:2 uzbekistan:1", partners);
  check(Math.abs((index.window.hhi ?? 0) - 55 / 225) < 1e-9, `hhi ${index.window.hhi}`);
  check(index.periods.length === 4 && index.periods[0]?.hhi === null, "an empty first quarter");
  const network = await client.GET("/v1/network", { params: { query: { from: "2022", to: "2022" } } });
  const graph = must(network.data, network.error, "network");
  const hub = graph.nodes.find((n) => n.slug === "kazakhstan");
  check(hub?.in_strength === 9 && hub.out_strength === 6, JSON.stringify(hub));
  const most = Math.max(...graph.nodes.map((n) => n.betweenness ?? 0));
  check(hub.betweenness === most && most > 0, "Kazakhstan sits between the others");

  // Names to actors: one name, then many in one request, answered in order.
  const kremlin = await client.GET("/v1/resolve", { params: { query: { name: "the Kremlin" } } });
  const best = must(kremlin.data, kremlin.error, "resolve").candidates[0];
  check(best?.actor.slug === "russia" && best.match === "folded_alias" && best.alias_kind === "metonym", JSON.stringify(best));
  const batch = await client.POST("/v1/resolve", {
    body: ["Tokaev", `President Xi Jinping ${run}`],
    params: { query: { limit: 1 } },
  });
  const firsts = must(batch.data, batch.error, "resolve many").results.map((r) => r.candidates[0]?.actor.slug);
  check(firsts.join(" ") === `kassym-jomart-tokayev ${personActor.slug}`, firsts.join(" "));
  check(personActor.aliases[1]?.kind === "transliteration", JSON.stringify(personActor.aliases));

  // A duplicate merged into the state; fetch follows the 308 from its slug to the state.
  const duplicate = await client.POST("/v1/actors", { body: { kind: "state", name: `Qazaqstan ${run}` } });
  const duplicateSlug = must(duplicate.data, duplicate.error, "create duplicate").slug;
  const merge = await client.POST("/v1/actors/{actor}/merge", {
    params: { path: { actor: duplicateSlug } },
    body: { into: stateActor.slug },
  });
  const survivor = must(merge.data, merge.error, "merge");
  check(survivor.aliases.some((a) => a.name === `Qazaqstan ${run}`), JSON.stringify(survivor.aliases));
  const followed = await client.GET("/v1/actors/{actor}", { params: { path: { actor: duplicateSlug } } });
  check(must(followed.data, followed.error, "read merged").id === stateActor.id, "the old slug leads to the state");

  // Event data: the rows the Python scenario imported, again: every one was read already.
  const rows = readFileSync("tests/data/icews/sample.tab", "utf8");
  const events = await client.POST("/v1/import/events", {
    params: { query: { dataset_file: `ICEWS sample ${run}` } },
    body: rows,
    bodySerializer: (body: string) => body,
    headers: { "Content-Type": "text/tab-separated-values" },
  });
  const reread = must(events.data, events.error, "import events");
  check(reread.rows_repeated === 37 && reread.visits === 0, JSON.stringify(reread));

  // PLOVER's gold-standard records, as JSON with the format named: the Python scenario
  // imported them, so all 179 taken are passed over (the file gives one id to two records).
  const records = readFileSync("tests/data/plover/PLOVER_GSR_CAMEO.txt", "utf8");
  const plover = await client.POST("/v1/import/events", {
    params: { query: { format: "plover", dataset_file: `PLOVER gold standard ${run}` } },
    body: records,
    bodySerializer: (body: string) => body,
    headers: { "Content-Type": "application/json" },
  });
  const gold = must(plover.data, plover.error, "import PLOVER records");
  check(gold.rows_repeated === 179 && gold.visits === 0, JSON.stringify(gold));

  console.log("typescript client scenario: ok");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
