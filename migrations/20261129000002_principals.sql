-- Whom a participant in a record counts for: the rule every analysis shares.
--
-- A state or an organization counts for itself. Anyone else (a person, or an actor of kind
-- `other`) counts for the state or organization of a role they may have held during the
-- record's period: a role in a state first, then the latest start, then the largest id, the
-- order statements use to derive `on_behalf_of`. Without such a role they count for
-- themselves and `resolved` is false, so callers can report them rather than drop them.
--
-- The overlap is written on the range bounds: with `&&` the planner may intersect with the
-- period index, which matches nearly every role. A SQL function of one SELECT is inlined
-- into the query that calls it.

CREATE FUNCTION principal_of(participant uuid, during daterange)
RETURNS TABLE (principal_id uuid, role_id uuid, rank role_rank, resolved boolean)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(held.of_actor_id, a.id), held.id, held.rank,
           a.kind IN ('state', 'organization') OR held.id IS NOT NULL
    FROM actors a
    LEFT JOIN LATERAL (
        SELECT r.id, r.of_actor_id, r.rank
        FROM roles r JOIN actors o ON o.id = r.of_actor_id
        WHERE a.kind NOT IN ('state', 'organization')
          AND r.actor_id = a.id
          AND coalesce(lower(r.period), '-infinity') < upper(during)
          AND coalesce(upper(r.period), 'infinity') > lower(during)
        ORDER BY (o.kind = 'state') DESC, r.start_date DESC NULLS LAST, r.id DESC
        LIMIT 1
    ) held ON true
    WHERE a.id = participant
$$;
