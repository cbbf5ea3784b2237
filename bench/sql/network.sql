-- GET /v1/network?from=:year&to=:year: on one read-only snapshot, every link of the year's
-- visits and statements with each participant's principal, then the nodes' names.
BEGIN;
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY;
WITH w AS (SELECT daterange(:first::date, :until::date, '[)') AS during) SELECT * FROM (SELECT 'visit' AS record, v.id, v.start_date AS date, v.start_precision AS precision,
        v.kind AS visit_kind, NULL::statement_kind AS statement_kind, NULL::stance AS stance,
        x.actor_id AS from_participant, f.principal_id AS from_principal,
        f.rank AS from_rank, f.resolved AS from_resolved,
        v.host_id AS to_participant, t.principal_id AS to_principal,
        t.rank AS to_rank, t.resolved AS to_resolved
 FROM w, visits v
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
 FROM w, statements s
 JOIN statement_subjects x ON x.statement_id = s.id
 CROSS JOIN LATERAL principal_of(s.speaker_id, s.period) f
 CROSS JOIN LATERAL principal_of(x.actor_id, s.period) t
 WHERE s.period && w.during) l LIMIT 200001;
SELECT id, slug, name, kind FROM actors WHERE id = ANY(:ids::uuid[]);
ROLLBACK;
