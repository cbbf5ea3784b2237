"""One end-to-end scenario through the generated Python client (openapi-python-client).

Run by clients/run against a live service: CHANCERY_URL and CHANCERY_TOKEN (a write token).
Everything goes through the generated code; a check that fails raises AssertionError.
"""

import os
import uuid

from chancery_client import AuthenticatedClient
from chancery_client.api.actors import create_actor, get_actor, update_actor
from chancery_client.api.citations import create_citation
from chancery_client.api.interactions import create_interaction, get_interaction, list_interactions
from chancery_client.api.statements import create_statement, delete_statement, get_statement, list_statements
from chancery_client.api.visits import create_visit
from chancery_client.models import (
    ActorKind,
    ActorPatch,
    AliasKind,
    NewAlias,
    CountryCode,
    CitationLink,
    InteractionMode,
    InteractionType,
    NewActor,
    NewCitation,
    NewInteraction,
    NewStatement,
    NewSubject,
    NewVisit,
    Problem,
    QuadClass,
    Stance,
    StatementKind,
    VisitKind,
)

base_url = os.environ["CHANCERY_URL"]
token = os.environ["CHANCERY_TOKEN"]
run = uuid.uuid4().hex[:8]
client = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)


def created(response):
    assert response.status_code == 201, (response.status_code, response.content)
    return response.parsed


# Citations and actors.
article = created(create_citation.sync_detailed(client=client, body=NewCitation(
    source="Eurasia Daily Monitor", title=f"Kazakhstan's Expanding Multi-Vector Foreign Policy ({run})",
    url=f"https://jamestown.org/program/example-{run}/", published_on="2023-01", language="en")))
communique = created(create_citation.sync_detailed(client=client, body=NewCitation(
    source="Fmprc.gov.cn", published_on="2022-09-15")))
state = created(create_actor.sync_detailed(client=client, body=NewActor(
    kind=ActorKind.STATE, name=f"Kazakhstan {run}", country_code=CountryCode.KZ)))
person = created(create_actor.sync_detailed(client=client, body=NewActor(
    kind=ActorKind.PERSON, name=f"Xi Jinping {run}",
    aliases=["Xi", NewAlias(name=f"习近平 {run}", kind=AliasKind.TRANSLITERATION)])))
assert [(a.name, a.kind) for a in person.aliases] == [
    ("Xi", AliasKind.NAME), (f"习近平 {run}", AliasKind.TRANSLITERATION)], person.aliases

# A visit, and statements made during it.
visit = created(create_visit.sync_detailed(client=client, body=NewVisit(
    visitor_ids=[person.id], host_id=state.id, start="2022-09", kind=VisitKind.OFFICIAL, place="Astana",
    citations=[CitationLink(citation_id=communique.id), CitationLink(citation_id=article.id, locator="paragraph 3")])))
assert visit.country_code == CountryCode.KZ, "the country defaults to the host's"
for day in range(1, 6):
    created(create_statement.sync_detailed(client=client, body=NewStatement(
        speaker_id=person.id, stated_on=f"2022-09-{day:02}", kind=StatementKind.PLEDGE, visit_id=visit.id,
        text=f"Pledge number {day} to defend territorial integrity.", topics=["security"],
        subjects=[NewSubject(actor_id=state.id, stance=Stance.SUPPORT)],
        citations=[CitationLink(citation_id=article.id, quote="pledged to defend")])))

# An interaction of the state toward the person, read back by id and found by its type.
interaction = created(create_interaction.sync_detailed(client=client, body=NewInteraction(
    source_ids=[state.id], target_ids=[person.id], event_type=InteractionType.CONSULT,
    mode=InteractionMode.VISIT, start="2022-09", citations=[CitationLink(citation_id=article.id)])))
hosted = get_interaction.sync(client=client, interaction_id=interaction.id)
assert hosted.quad_class == QuadClass.VERBAL_COOPERATION and hosted.targets[0].id == person.id, hosted
listed = list_interactions.sync(client=client, source=state.slug, event_type=InteractionType.CONSULT)
assert [i.id for i in listed.items] == [interaction.id], listed

# List with filters, following next_cursor to the end.
texts, cursor = [], None
while True:
    page = list_statements.sync(client=client, speaker=person.slug, topic="security", limit=2,
                                **({"cursor": cursor} if cursor else {}))
    texts += [s.text for s in page.items]
    cursor = page.next_cursor
    if not cursor:
        break
assert texts == [f"Pledge number {d} to defend territorial integrity." for d in range(5, 0, -1)], texts

# PATCH with If-Match; a stale ETag gets 412.
read = get_actor.sync_detailed(client=client, actor=state.slug)
etag = read.headers["etag"]
patched = update_actor.sync_detailed(client=client, actor=state.slug, body=ActorPatch(description="Central Asia"),
                                     if_match=etag)
assert patched.status_code == 200 and patched.parsed.description == "Central Asia"
stale = update_actor.sync_detailed(client=client, actor=state.slug, body=ActorPatch(description="Again"), if_match=etag)
assert stale.status_code == 412 and isinstance(stale.parsed, Problem), stale.status_code

# An idempotent POST, replayed: the same response, one record.
key = f"scenario-{run}"
body = NewCitation(source=f"Replayed source {run}")
first = create_citation.sync_detailed(client=client, body=body, idempotency_key=key)
again = create_citation.sync_detailed(client=client, body=body, idempotency_key=key)
assert first.status_code == again.status_code == 201
assert first.parsed.id == again.parsed.id
assert again.headers.get("idempotent-replayed") == "true"

# Delete.
statement_id = list_statements.sync(client=client, speaker=person.slug, limit=1).items[0].id
assert delete_statement.sync_detailed(client=client, statement_id=statement_id).status_code == 204
assert get_statement.sync_detailed(client=client, statement_id=statement_id).status_code == 404

# A problem+json error, as a typed Problem.
refused = create_visit.sync_detailed(client=client, body=NewVisit(
    visitor_ids=[person.id], host_id=uuid.uuid4(), start="2022-10", kind=VisitKind.WORKING,
    citations=[CitationLink(citation_id=article.id)]))
assert refused.status_code == 422, refused.status_code
problem = refused.parsed
assert isinstance(problem, Problem)
assert problem.status == 422 and problem.errors[0].pointer == "#/host_id", problem

# The citations as CSL-JSON, read by a CSL processor (citeproc-py) into a bibliography.
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON

csl = client.get_httpx_client().get("/v1/citations", headers={"Accept": "application/vnd.citationstyles.csl+json"},
                                    params={"limit": 500}).json()
style = CitationStylesStyle("harvard-cite-them-right", validate=False)
bibliography = CitationStylesBibliography(style, CiteProcJSON(csl), formatter.plain)
for item in csl:
    bibliography.register(Citation([CitationItem(item["id"])]))
rendered = [str(entry) for entry in bibliography.bibliography()]
assert len(rendered) == len(csl) and any("Eurasia Daily Monitor" in entry for entry in rendered), rendered

# The seed article's question through the client: how Kazakhstan spread its engagement in
# 2022 (the service loads the demo dataset on its first start).
from chancery_client.api.analysis import get_dyads, get_engagement, get_network
from chancery_client.models import Granularity

engagement = get_engagement.sync(client=client, actor="kazakhstan", from_="2022", to="2022", by=Granularity.QUARTER)
window = engagement.window
counts = [(p.actor.slug, p.count) for p in window.partners]
assert counts == [("russia", 5), ("turkey", 4), ("european-union", 3), ("china", 2), ("uzbekistan", 1)], counts
assert window.n == 14 and abs(window.hhi - 55 / 225) < 1e-9 and abs(window.effective_partners - 225 / 55) < 1e-9
assert window.top_partner.slug == "russia" and abs(window.top_share - 1 / 3) < 1e-9
assert [p.period for p in engagement.periods] == ["2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4"]
assert engagement.periods[0].n == 0 and engagement.periods[0].hhi is None, "an empty quarter has no index"
assert engagement.periods[1].divergence is None and engagement.periods[2].divergence == 1.0
china = window.partners[3]
assert china.visit_ids and china.statement_ids, "each figure names its records"

dyad = get_dyads.sync(client=client, a="kazakhstan", b="russia", from_="2022", to="2022")
assert (dyad.a_to_b.visits, dyad.a_to_b.statements, dyad.b_to_a.visits, dyad.b_to_a.statements) == (1, 2, 1, 1)
assert dyad.b_to_a.visit_kinds[0].kind.value == "summit"

# The network of 2022 (the records made above are in it too, between actors of their own).
network = get_network.sync(client=client, from_="2022", to="2022")
hub = next(n for n in network.nodes if n.slug == "kazakhstan")
assert (hub.in_strength, hub.out_strength) == (9, 6), (hub.in_strength, hub.out_strength)
assert hub.betweenness == max(n.betweenness for n in network.nodes) > 0

# Names to actors (the demo dataset's aliases, and the person made above): one name, then
# many in one request, answered in order.
from chancery_client.api.actors import resolve_name, resolve_names

kremlin = resolve_name.sync(client=client, name="the Kremlin")
best = kremlin.candidates[0]
assert best.actor.slug == "russia" and best.alias_kind == AliasKind.METONYM and best.valid, kremlin
batch = resolve_names.sync(client=client, body=["Tokaev", f"President Xi Jinping {run}", "Brussels"], limit=1)
assert [r.candidates[0].actor.slug for r in batch.results] == [
    "kassym-jomart-tokayev", person.slug, "european-union"], batch

# A duplicate merged into the state: its name joins the aliases, its slug leads to the state.
from chancery_client.api.actors import merge_actor
from chancery_client.models import MergeInto

duplicate = created(create_actor.sync_detailed(client=client, body=NewActor(
    kind=ActorKind.STATE, name=f"Qazaqstan {run}")))
merged = merge_actor.sync_detailed(client=client, actor=duplicate.slug, body=MergeInto(into=state.slug))
assert merged.status_code == 200, (merged.status_code, merged.content)
assert f"Qazaqstan {run}" in [a.name for a in merged.parsed.aliases], merged.parsed.aliases
moved = client.get_httpx_client().get(f"/v1/actors/{duplicate.slug}")
assert moved.status_code == 308 and moved.headers["location"] == f"/v1/actors/{state.slug}", moved
again = merge_actor.sync_detailed(client=client, actor=duplicate.slug, body=MergeInto(into=state.slug))
assert again.status_code == 200 and again.parsed.id == state.id, "a repeated merge answers the same"

# Event data: ICEWS's published rows (tests/data/icews), the file sent as it is.
import pathlib

from chancery_client.api.bulk import import_events
from chancery_client.api.visits import list_visits
from chancery_client.types import File

sample = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "icews" / "sample.tab"
with sample.open("rb") as rows:
    summary = import_events.sync(client=client, body=File(payload=rows, file_name="sample.tab"),
                                 dataset_file=f"ICEWS sample {run}")
assert (summary.visits, summary.interactions, summary.rows_merged) == (10, 9, 18), summary
assert [s.lines for s in summary.skipped] == [[40, 41], [38]], summary.skipped
hosted = list_visits.sync(client=client, host="kazakhstan", from_="2018-10-29", to="2018-10-29")
assert sorted(v.visitor_principal.slug for v in hosted.items) == ["iran", "russia", "turkey"], hosted

# PLOVER's gold-standard records: the format named, the file sent as it is.
from chancery_client.models.import_events_format import ImportEventsFormat

gold = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "plover" / "PLOVER_GSR_CAMEO.txt"
with gold.open("rb") as records:
    summary = import_events.sync(client=client, body=File(payload=records, file_name=gold.name),
                                 format_=ImportEventsFormat.PLOVER, dataset_file=f"PLOVER gold standard {run}")
assert (summary.visits, summary.interactions) == (4, 158), summary
assert summary.skipped[0].reason == "a documentation record (event `DOCUMENT`)", summary.skipped

print("python client scenario: ok")
