"""The peer for bench/capacity: GET /v1/actors/{id} in FastAPI and asyncpg.

With PEER_STATEMENTS=3 (the default) it sends the three queries chancery sent for this
request before #11 (the actor, the roles it holds, their citations); with PEER_STATEMENTS=1
the one statement chancery sends now (bench/sql/get_actor_one.sql: the actor, and its roles
as the table `actor_reads` keeps them). Either way it builds the
same JSON body and the same strong ETag, and answers 404 as problem+json. It is what a
careful Python service doing the same work looks like; nothing else of chancery's is here.
Run by bench/capacity:

    PEER_DATABASE_URL=postgres://… uvicorn app:app --workers 2 --loop uvloop --http httptools
"""

import base64
import hashlib
import json
import os
import uuid
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone

import asyncpg
from fastapi import FastAPI
from fastapi.responses import Response

POOL_SIZE = int(os.environ.get("PEER_POOL_SIZE", "16"))
STATEMENTS = int(os.environ.get("PEER_STATEMENTS", "3"))
# The planner setting chancery gives its own connections (src/db.rs), passed on by
# bench/capacity, so that both plan alike.
SETTINGS = {"random_page_cost": os.environ.get("PEER_RANDOM_PAGE_COST", "1.1")}

ACTOR = """SELECT id, slug, kind::text, name, aliases::text, country_code, wikidata_id,
                  description, created_at, updated_at
           FROM actors WHERE id = $1"""
ROLES = """SELECT r.id, r.actor_id, h.slug AS actor_slug, h.name AS actor_name,
                  h.kind::text AS actor_kind, r.of_actor_id, o.slug AS of_actor_slug,
                  o.name AS of_actor_name, o.kind::text AS of_actor_kind, r.title,
                  r.rank::text, r.start_date, r.start_precision::text, r.end_date,
                  r.end_precision::text, r.created_at, r.updated_at
           FROM roles r JOIN actors h ON h.id = r.actor_id JOIN actors o ON o.id = r.of_actor_id
           WHERE r.actor_id = $1
           ORDER BY r.start_date DESC NULLS LAST, r.id DESC"""
CITATIONS = """SELECT l.role_id AS owner_id, l.locator, l.quote, c.id AS citation_id, c.source,
                      c.title, c.url, c.published_date, c.published_precision::text
               FROM role_citations l JOIN citations c ON c.id = l.citation_id
               WHERE {condition}
               ORDER BY l.role_id, l.position"""
# As chancery did: `= $1` for one role (a plan PostgreSQL can keep), `= ANY($1)` for more.
CITATIONS_OF_ONE = CITATIONS.format(condition="l.role_id = $1")
CITATIONS_OF_MANY = CITATIONS.format(condition="l.role_id = ANY($1::uuid[])")
# The actor, and the roles it holds as `actor_reads` keeps them (as store/held.rs).
READ = """SELECT a.id, a.slug, a.kind::text, a.name, a.aliases::text, a.country_code,
                 a.wikidata_id, a.description, a.created_at, a.updated_at, r.roles
          FROM actors a
          LEFT JOIN actor_reads r ON r.actor_id = a.id
          WHERE a.id = $1"""
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@asynccontextmanager
async def lifespan(app):
    app.state.pool = await asyncpg.create_pool(
        os.environ["PEER_DATABASE_URL"],
        min_size=POOL_SIZE,
        max_size=POOL_SIZE,
        server_settings=SETTINGS,
    )
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


def partial(date, precision):
    if date is None:
        return None
    return {"year": f"{date.year:04}", "month": f"{date.year:04}-{date.month:02}"}.get(
        precision, date.isoformat()
    )


def stamp(moment):
    # As chrono writes RFC 3339: no fraction, milliseconds or microseconds, as few as exact.
    micros = moment.microsecond
    digits = 0 if micros == 0 else 3 if micros % 1000 == 0 else 6
    text = moment.isoformat(timespec={0: "seconds", 3: "milliseconds", 6: "microseconds"}[digits])
    return text.replace("+00:00", "Z")


def compact(fields):
    return {k: v for k, v in fields.items() if v is not None}


def summary(row, prefix):
    return {
        "id": str(row[f"{prefix}_id"]),
        "slug": row[f"{prefix}_slug"],
        "name": row[f"{prefix}_name"],
        "kind": row[f"{prefix}_kind"],
    }


def problem(status, title, detail):
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})
    return Response(body, status_code=status, media_type="application/problem+json")


async def three_statements(conn, key):
    actor = await conn.fetchrow(ACTOR, key)
    if actor is None:
        return None, [], []
    roles = await conn.fetch(ROLES, key)
    ids = [r["id"] for r in roles]
    links = []
    if len(ids) == 1:
        links = await conn.fetch(CITATIONS_OF_ONE, ids[0])
    elif ids:
        links = await conn.fetch(CITATIONS_OF_MANY, ids)
    return actor, roles, links


def day(days):
    # `actor_reads` keeps dates as days since 1970-01-01.
    return None if days is None else EPOCH.date() + timedelta(days=days)


def from_read(row):
    """The actor, its roles and their links from the actor's row and its `actor_reads` JSON."""
    if row is None:
        return None, [], []
    roles, links = [], []
    for role in json.loads(row["roles"] or "[]"):
        roles.append({**role, "actor_id": row["id"], "actor_slug": row["slug"],
                      "actor_name": row["name"], "actor_kind": row["kind"],
                      "start_date": day(role["start_date"]), "end_date": day(role["end_date"]),
                      "created_at": EPOCH + timedelta(microseconds=role["created_at"]),
                      "updated_at": EPOCH + timedelta(microseconds=role["updated_at"])})
        for link in role["citations"]:
            links.append({**link, "owner_id": role["id"], "citation_id": link["id"],
                          "published_date": day(link["published_date"])})
    return row, roles, links


@app.get("/v1/actors/{actor_id}")
async def get_actor(actor_id: str):
    try:
        key = uuid.UUID(actor_id)
    except ValueError:
        return problem(400, "Bad Request", "the actor id is not a UUID")
    async with app.state.pool.acquire() as conn:
        if STATEMENTS == 1:
            actor, roles, links = from_read(await conn.fetchrow(READ, key))
        else:
            actor, roles, links = await three_statements(conn, key)
    if actor is None:
        return problem(404, "Not Found", f"no actor with id `{key}`")
    citations = {r["id"]: [] for r in roles}
    for link in links:
        citations[link["owner_id"]].append(link)
    body = compact(
        {
            "id": str(actor["id"]),
            "slug": actor["slug"],
            "kind": actor["kind"],
            "name": actor["name"],
            "aliases": [
                compact({"name": a["name"], "kind": a["kind"], "start": a.get("start"), "end": a.get("end")})
                for a in json.loads(actor["aliases"])
            ],
            "country_code": actor["country_code"],
            "wikidata_id": actor["wikidata_id"],
            "description": actor["description"],
            "roles": [
                compact(
                    {
                        "id": str(r["id"]),
                        "actor_id": str(r["actor_id"]),
                        "of_actor_id": str(r["of_actor_id"]),
                        "actor": summary(r, "actor"),
                        "of_actor": summary(r, "of_actor"),
                        "title": r["title"],
                        "rank": r["rank"],
                        "start": partial(r["start_date"], r["start_precision"]),
                        "end": partial(r["end_date"], r["end_precision"]),
                        "citations": [
                            compact(
                                {
                                    "citation": compact(
                                        {
                                            "id": str(c["citation_id"]),
                                            "source": c["source"],
                                            "title": c["title"],
                                            "url": c["url"],
                                            "published_on": partial(
                                                c["published_date"], c["published_precision"]
                                            ),
                                        }
                                    ),
                                    "locator": c["locator"],
                                    "quote": c["quote"],
                                }
                            )
                            for c in citations[r["id"]]
                        ],
                        "created_at": stamp(r["created_at"]),
                        "updated_at": stamp(r["updated_at"]),
                    }
                )
                for r in roles
            ],
            "created_at": stamp(actor["created_at"]),
            "updated_at": stamp(actor["updated_at"]),
        }
    )
    payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    etag = base64.urlsafe_b64encode(hashlib.sha256(payload).digest()[:16]).rstrip(b"=").decode()
    return Response(
        payload,
        media_type="application/json",
        headers={"ETag": f'"{etag}"', "Cache-Control": "private, no-cache"},
    )
