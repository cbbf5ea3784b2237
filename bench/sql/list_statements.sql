-- GET /v1/statements?topic=energy&limit=50: the page, then its subjects and citations.
SELECT s.id, s.speaker_id, sp.slug AS speaker_slug, sp.name AS speaker_name,
       sp.kind AS speaker_kind, s.on_behalf_of_id, ob.slug AS on_behalf_of_slug,
       ob.name AS on_behalf_of_name, ob.kind AS on_behalf_of_kind, s.on_behalf_of_role_id,
       s.stated_date, s.stated_precision, s.kind, s.text, s.verbatim, s.language, s.topics,
       s.visit_id, s.created_at, s.updated_at
FROM statements s JOIN actors sp ON sp.id = s.speaker_id LEFT JOIN actors ob ON ob.id = s.on_behalf_of_id
WHERE true AND s.topics @> ARRAY[:topic]::text[]
ORDER BY s.stated_date DESC, s.id DESC LIMIT :limit;
SELECT x.statement_id, a.id, a.slug, a.name, a.kind, x.stance
FROM statement_subjects x JOIN actors a ON a.id = x.actor_id
WHERE x.statement_id = ANY(:ids::uuid[])
ORDER BY x.statement_id, x.position;
SELECT l.statement_id AS owner_id, l.locator, l.quote, c.id AS citation_id, c.source, c.title,
       c.url, c.published_date, c.published_precision
FROM statement_citations l JOIN citations c ON c.id = l.citation_id
WHERE l.statement_id = ANY(:ids::uuid[])
ORDER BY l.statement_id, l.position;
