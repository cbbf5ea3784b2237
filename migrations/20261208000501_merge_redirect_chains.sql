-- Merges made before this migration dropped the redirects that led to an actor when that
-- actor was merged in turn: after A → B and then B → C, A's id and slug led nowhere. The
-- change feed keeps every merge, so each missing redirect is rebuilt from it, leading to the
-- end of its chain (an actor that still exists; a chain that ends in a deleted actor leads
-- nowhere, as a redirect to a deleted actor does), under the slug the actor last had.
WITH RECURSIVE merged AS (
    SELECT DISTINCT ON (record_id) record_id AS id, merged_into AS into_id, changed_at
    FROM changes
    WHERE resource = 'actor' AND operation = 'merge'
    ORDER BY record_id, id DESC
), chain AS (
    SELECT m.id, m.into_id AS at, m.changed_at, 1 AS depth
    FROM merged m
    WHERE NOT EXISTS (SELECT 1 FROM actor_redirects r WHERE r.id = m.id)
      AND NOT EXISTS (SELECT 1 FROM actors a WHERE a.id = m.id)
    UNION ALL
    SELECT c.id, m.into_id, c.changed_at, c.depth + 1
    FROM chain c JOIN merged m ON m.id = c.at
    WHERE NOT EXISTS (SELECT 1 FROM actors a WHERE a.id = c.at) AND c.depth < 100
)
INSERT INTO actor_redirects (id, slug, into_id, merged_at)
SELECT c.id, last.slug, c.at, c.changed_at
FROM chain c
JOIN actors a ON a.id = c.at
CROSS JOIN LATERAL (
    SELECT data ->> 'slug' AS slug FROM changes
    WHERE record_id = c.id AND resource = 'actor' AND data IS NOT NULL
    ORDER BY id DESC LIMIT 1
) last
WHERE last.slug IS NOT NULL
ON CONFLICT (id) DO NOTHING;
