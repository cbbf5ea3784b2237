-- GET /v1/actors/{id}: the one statement the service sends for a read by id (store/held.rs):
-- the actor, and the roles it holds with their citations as `actor_reads` keeps them.
\set n random(1, :actors - 1)
\set n :n + case when :n % 10 = 0 then 1 else 0 end
SELECT a.id, a.slug, a.kind, a.name, a.aliases, a.country_code, a.wikidata_id,
       a.description, a.created_at, a.updated_at, r.roles
FROM actors a
LEFT JOIN actor_reads r ON r.actor_id = a.id
WHERE a.id = lpad(to_hex(:n::bigint), 32, '0')::uuid;
