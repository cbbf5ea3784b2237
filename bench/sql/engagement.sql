-- GET /v1/actors/{state}/engagement?from=:year&to=:year&by=month: on one read-only snapshot,
-- resolve the actor, read the links of the records it takes part in (as itself or through
-- its office holders) with every participant's principal, then name the partners.
BEGIN;
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY;
SELECT id FROM actors WHERE id = :actor::uuid;
WITH w AS (SELECT daterange(:first::date, :until::date, '[)') AS during), people AS (SELECT :actor::uuid AS actor_id UNION SELECT r.actor_id FROM roles r, w
     WHERE r.of_actor_id = :actor::uuid AND coalesce(lower(r.period), '-infinity') < coalesce(upper(w.during), 'infinity')
      AND coalesce(upper(r.period), 'infinity') > coalesce(lower(w.during), '-infinity')), visit_ids AS (SELECT x.visit_id AS id FROM people p
       JOIN visit_visitors x ON x.actor_id = p.actor_id WHERE true AND x.start_date < :until::date UNION SELECT v.id FROM people p JOIN visits v ON v.host_id = p.actor_id WHERE true AND v.start_date < :until::date), statement_ids AS (SELECT s.id FROM people p
       JOIN statements s ON s.speaker_id = p.actor_id WHERE true AND s.stated_date < :until::date UNION SELECT s.id FROM statements s WHERE s.on_behalf_of_id = :actor::uuid AND s.stated_date < :until::date UNION SELECT x.statement_id FROM people p
      JOIN statement_subjects x ON x.actor_id = p.actor_id WHERE true AND x.stated_date < :until::date) SELECT * FROM (SELECT 'visit' AS record, v.id, v.start_date AS date, v.start_precision AS precision,
        v.kind AS visit_kind, NULL::statement_kind AS statement_kind, NULL::stance AS stance,
        x.actor_id AS from_participant, f.principal_id AS from_principal,
        f.rank AS from_rank, f.resolved AS from_resolved,
        v.host_id AS to_participant, t.principal_id AS to_principal,
        t.rank AS to_rank, t.resolved AS to_resolved
 FROM w, visit_ids c JOIN visits v ON v.id = c.id
 JOIN visit_visitors x ON x.visit_id = v.id
 CROSS JOIN LATERAL principal_of(x.actor_id, v.period) f
 CROSS JOIN LATERAL principal_of(v.host_id, v.period) t
 WHERE v.period && w.during UNION ALL SELECT 'statement' AS record, s.id, s.stated_date AS date, s.stated_precision AS precision,
        NULL::visit_kind AS visit_kind, s.kind AS statement_kind, x.stance,
        s.speaker_id AS from_participant,
        coalesce(s.on_behalf_of_id, f.principal_id) AS from_principal,
        CASE WHEN coalesce(s.on_behalf_of_id, f.principal_id) = f.principal_id
             THEN f.rank END AS from_rank,
        s.on_behalf_of_id IS NOT NULL OR f.resolved AS from_resolved,
        x.actor_id AS to_participant, t.principal_id AS to_principal,
        t.rank AS to_rank, t.resolved AS to_resolved
 FROM w, statement_ids c JOIN statements s ON s.id = c.id
 JOIN statement_subjects x ON x.statement_id = s.id
 CROSS JOIN LATERAL principal_of(s.speaker_id, s.period) f
 CROSS JOIN LATERAL principal_of(x.actor_id, s.period) t
 WHERE s.period && w.during) l LIMIT 200001;
SELECT id, slug, name, kind FROM actors WHERE id = ANY(:ids::uuid[]);
ROLLBACK;
