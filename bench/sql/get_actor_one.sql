-- GET /v1/actors/{id}: the one statement the service sends for a read by id (store/held.rs):
-- the actor, the roles it holds and their citations.
\set n random(1, :actors - 1)
\set n :n + case when :n % 10 = 0 then 1 else 0 end
SELECT a.id, a.slug, a.kind, a.name, a.aliases, a.country_code, a.wikidata_id,
       a.description, a.created_at, a.updated_at,
       r.id, r.of_actor_id, o.slug, o.name, o.kind, r.title, r.rank, r.start_date,
       r.start_precision, r.end_date, r.end_precision, r.created_at, r.updated_at,
       c.id, l.locator, l.quote, c.source, c.title, c.url, c.published_date,
       c.published_precision
FROM actors a
LEFT JOIN roles r ON r.actor_id = a.id
LEFT JOIN actors o ON o.id = r.of_actor_id
LEFT JOIN role_citations l ON l.role_id = r.id
LEFT JOIN citations c ON c.id = l.citation_id
WHERE a.id = lpad(to_hex(:n::bigint), 32, '0')::uuid
ORDER BY r.start_date DESC NULLS LAST, r.id DESC, l.position;
