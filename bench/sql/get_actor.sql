-- GET /v1/actors/{id}: the three queries the service sent for a person (who holds one role)
-- before #11 folded them into one (bench/sql/get_actor_one.sql). Kept as the fixed reference
-- of bench/capacity, and the same queries as the FastAPI peer (bench/peer/app.py).
\set n random(1, :actors - 1)
\set n :n + case when :n % 10 = 0 then 1 else 0 end
SELECT id, slug, kind, name, aliases, country_code, wikidata_id, description, created_at, updated_at
FROM actors WHERE id = lpad(to_hex(:n::bigint), 32, '0')::uuid;
SELECT r.id, r.actor_id, h.slug AS actor_slug, h.name AS actor_name, h.kind,
       r.of_actor_id, o.slug AS of_actor_slug, o.name AS of_actor_name, o.kind,
       r.title, r.rank, r.start_date, r.start_precision, r.end_date, r.end_precision, r.created_at, r.updated_at
FROM roles r JOIN actors h ON h.id = r.actor_id JOIN actors o ON o.id = r.of_actor_id
WHERE r.actor_id = lpad(to_hex(:n::bigint), 32, '0')::uuid
ORDER BY r.start_date DESC NULLS LAST, r.id DESC;
SELECT l.role_id AS owner_id, l.locator, l.quote, c.id AS citation_id, c.source, c.title,
       c.url, c.published_date, c.published_precision
FROM role_citations l JOIN citations c ON c.id = l.citation_id
WHERE l.role_id = lpad(to_hex(:n::bigint), 32, '0')::uuid
ORDER BY l.role_id, l.position;
