-- GET /v1/actors/{id}/timeline?limit=50 for one state: resolve, the entries, then the
-- details of the visits and statements on the page and the role holders they came through.
SELECT id FROM actors WHERE id = :actor::uuid;
WITH holders AS (SELECT r.actor_id, r.period FROM roles r WHERE r.of_actor_id = :actor::uuid), p AS (
    (SELECT 'visit' AS record, v.id, v.start_date AS date, 'visitor' AS capacity, NULL::uuid AS via, 1 AS rank
     FROM visit_visitors x CROSS JOIN LATERAL (SELECT v.id, v.start_date, v.period FROM visits v WHERE v.id = x.visit_id OFFSET 0) v WHERE x.actor_id = :actor::uuid ORDER BY x.start_date ASC, x.visit_id ASC LIMIT :limit)
    UNION ALL (SELECT 'visit', v.id, v.start_date, 'host', NULL, 2 FROM visits v WHERE v.host_id = :actor::uuid ORDER BY v.start_date ASC, v.id ASC LIMIT :limit)
    UNION ALL (SELECT 'statement', s.id, s.stated_date, 'speaker', NULL, 1 FROM statements s WHERE s.speaker_id = :actor::uuid ORDER BY s.stated_date ASC, s.id ASC LIMIT :limit)
    UNION ALL (SELECT 'statement', s.id, s.stated_date, 'on_behalf_of', NULL, 2 FROM statements s WHERE s.on_behalf_of_id = :actor::uuid ORDER BY s.stated_date ASC, s.id ASC LIMIT :limit)
    UNION ALL (SELECT 'statement', s.id, s.stated_date, 'subject', NULL, 3
     FROM statement_subjects x CROSS JOIN LATERAL (SELECT s.id, s.stated_date, s.period FROM statements s WHERE s.id = x.statement_id OFFSET 0) s WHERE x.actor_id = :actor::uuid ORDER BY x.stated_date ASC, x.statement_id ASC LIMIT :limit)
    UNION ALL SELECT l.* FROM holders h CROSS JOIN LATERAL (
     SELECT 'visit' AS record, v.id, v.start_date AS date, 'visitor' AS capacity, h.actor_id AS via, 4 AS rank
     FROM visit_visitors x CROSS JOIN LATERAL (SELECT v.id, v.start_date, v.period FROM visits v WHERE v.id = x.visit_id OFFSET 0) v
     WHERE x.actor_id = h.actor_id AND lower(v.period) < coalesce(upper(h.period), 'infinity')
       AND upper(v.period) > coalesce(lower(h.period), '-infinity') ORDER BY x.start_date ASC, x.visit_id ASC LIMIT :limit) l
    UNION ALL SELECT l.* FROM holders h CROSS JOIN LATERAL (
     SELECT 'visit' AS record, v.id, v.start_date AS date, 'host' AS capacity, h.actor_id AS via, 5 AS rank
     FROM visits v
     WHERE v.host_id = h.actor_id AND lower(v.period) < coalesce(upper(h.period), 'infinity')
       AND upper(v.period) > coalesce(lower(h.period), '-infinity') ORDER BY v.start_date ASC, v.id ASC LIMIT :limit) l
    UNION ALL SELECT l.* FROM holders h CROSS JOIN LATERAL (
     SELECT 'statement' AS record, s.id, s.stated_date AS date, 'speaker' AS capacity, h.actor_id AS via, 4 AS rank
     FROM statements s
     WHERE s.speaker_id = h.actor_id AND lower(s.period) < coalesce(upper(h.period), 'infinity')
       AND upper(s.period) > coalesce(lower(h.period), '-infinity') ORDER BY s.stated_date ASC, s.id ASC LIMIT :limit) l
), best AS (SELECT DISTINCT ON (record, id) record, id, date, capacity, via FROM p ORDER BY record, id, rank, via)
SELECT record, id, date, capacity, via FROM best ORDER BY date ASC, record ASC, id ASC LIMIT :limit;
SELECT v.id, v.host_id, h.slug AS host_slug, h.name AS host_name, h.kind AS host_kind,
       v.place, v.country_code, v.start_date, v.start_precision, v.end_date, v.end_precision,
       v.kind, v.occasion, v.summary, v.created_at, v.updated_at
FROM visits v JOIN actors h ON h.id = v.host_id WHERE v.id = ANY(:visit_ids::uuid[]);
SELECT x.visit_id, a.id, a.slug, a.name, a.kind FROM visit_visitors x JOIN actors a ON a.id = x.actor_id
WHERE x.visit_id = ANY(:visit_ids::uuid[]) ORDER BY x.visit_id, x.position;
SELECT l.visit_id AS owner_id, l.locator, l.quote, c.id AS citation_id, c.source, c.title,
       c.url, c.published_date, c.published_precision
FROM visit_citations l JOIN citations c ON c.id = l.citation_id
WHERE l.visit_id = ANY(:visit_ids::uuid[]) ORDER BY l.visit_id, l.position;
SELECT s.id, s.speaker_id, sp.slug AS speaker_slug, sp.name AS speaker_name,
       sp.kind AS speaker_kind, s.on_behalf_of_id, ob.slug AS on_behalf_of_slug,
       ob.name AS on_behalf_of_name, ob.kind AS on_behalf_of_kind, s.on_behalf_of_role_id,
       s.stated_date, s.stated_precision, s.kind, s.text, s.verbatim, s.language, s.topics,
       s.visit_id, s.created_at, s.updated_at
FROM statements s JOIN actors sp ON sp.id = s.speaker_id LEFT JOIN actors ob ON ob.id = s.on_behalf_of_id
WHERE s.id = ANY(:statement_ids::uuid[]);
SELECT x.statement_id, a.id, a.slug, a.name, a.kind, x.stance
FROM statement_subjects x JOIN actors a ON a.id = x.actor_id
WHERE x.statement_id = ANY(:statement_ids::uuid[]) ORDER BY x.statement_id, x.position;
SELECT l.statement_id AS owner_id, l.locator, l.quote, c.id AS citation_id, c.source, c.title,
       c.url, c.published_date, c.published_precision
FROM statement_citations l JOIN citations c ON c.id = l.citation_id
WHERE l.statement_id = ANY(:statement_ids::uuid[]) ORDER BY l.statement_id, l.position;
SELECT id, slug, name, kind FROM actors WHERE id = ANY(:via_ids::uuid[]);
