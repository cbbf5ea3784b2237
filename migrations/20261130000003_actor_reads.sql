-- What reading one actor needs, kept beside it: the roles it holds, each with its other actor's
-- slug, name and kind and with its citations, as one JSON value per actor. A read by id then
-- opens two relations instead of five; PostgreSQL's cost of a read by id is mostly the locks
-- and executor set-up of each relation it opens (BENCHMARKS.md, "Capacity per process").
--
-- Kept by the triggers below, in the transaction of every write that changes what it shows:
-- roles, their citation links, those citations, and the slug, name and kind of the actors the
-- roles are held in. An actor that holds no role has no row.

CREATE TABLE actor_reads (
    actor_id uuid PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
    -- The roles, latest start first, each with its citations in their order. Timestamps are
    -- microseconds and dates days since 1970-01-01: numbers, so the value depends on neither
    -- the writer's time zone nor how PostgreSQL writes years before 1 (`0001-01-01 BC`).
    roles json NOT NULL
);

CREATE FUNCTION epoch_micros(t timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (extract(epoch FROM t) * 1000000)::bigint
$$;

CREATE FUNCTION epoch_days(d date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT d - DATE '1970-01-01'
$$;

-- Holds still, until the write commits, the rows that `holders`' roles show of others: their
-- other actors and their citations. A concurrent rename or citation edit then either waits for
-- this write, or committed before and is seen by the statements that follow.
CREATE FUNCTION actor_reads_hold_shown(holders uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM actors o
    WHERE o.id IN (SELECT of_actor_id FROM roles WHERE actor_id = ANY (holders))
    ORDER BY o.id
    FOR SHARE;
    PERFORM 1 FROM citations c
    WHERE c.id IN (
        SELECT l.citation_id FROM roles r JOIN role_citations l ON l.role_id = r.id
        WHERE r.actor_id = ANY (holders))
    ORDER BY c.id
    FOR SHARE;
END
$$;

-- Recomputes the rows of `holders` from the tables. Writes to what one actor shows take turns
-- on its `actors` row, and each statement here takes a new snapshot (READ COMMITTED), so the
-- later of two concurrent writes recomputes after the earlier committed, and sees it. Within
-- a statement the shared locks come before the exclusive one, so that a role write waiting
-- for a rename does not hold what the rename waits for; across the statements of a
-- transaction no order can be kept, and a cycle is a deadlock that PostgreSQL breaks by
-- refusing one write (a retryable 503 to a client).
CREATE FUNCTION actor_reads_refresh(holders uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(holders) = 0 THEN
        RETURN;
    END IF;
    -- A snapshot fixed for the whole transaction would recompute from what it saw first.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'writes to roles, their citations, citations and actors need READ COMMITTED (actor_reads)';
    END IF;
    PERFORM actor_reads_hold_shown(holders);
    PERFORM 1 FROM actors WHERE id = ANY (holders) ORDER BY id FOR NO KEY UPDATE;
    -- Again: roles written by whoever held the turn before may show rows not yet held.
    PERFORM actor_reads_hold_shown(holders);
    DELETE FROM actor_reads
    WHERE actor_id = ANY (holders)
      AND NOT EXISTS (SELECT 1 FROM roles r WHERE r.actor_id = actor_reads.actor_id);
    INSERT INTO actor_reads (actor_id, roles)
    SELECT r.actor_id,
           json_agg(json_build_object(
               'id', r.id,
               'of_actor_id', r.of_actor_id,
               'of_actor_slug', o.slug,
               'of_actor_name', o.name,
               'of_actor_kind', o.kind,
               'title', r.title,
               'rank', r.rank,
               'start_date', epoch_days(r.start_date),
               'start_precision', r.start_precision,
               'end_date', epoch_days(r.end_date),
               'end_precision', r.end_precision,
               'created_at', epoch_micros(r.created_at),
               'updated_at', epoch_micros(r.updated_at),
               'citations', coalesce((
                   SELECT json_agg(json_build_object(
                              'id', c.id,
                              'locator', l.locator,
                              'quote', l.quote,
                              'source', c.source,
                              'title', c.title,
                              'url', c.url,
                              'published_date', epoch_days(c.published_date),
                              'published_precision', c.published_precision
                          ) ORDER BY l.position)
                   FROM role_citations l JOIN citations c ON c.id = l.citation_id
                   WHERE l.role_id = r.id), '[]')
           ) ORDER BY r.start_date DESC NULLS LAST, r.id DESC)
    FROM roles r JOIN actors o ON o.id = r.of_actor_id
    WHERE r.actor_id = ANY (holders)
    GROUP BY r.actor_id
    ON CONFLICT (actor_id) DO UPDATE SET roles = excluded.roles;
END
$$;

-- Roles and their citation links: the holders of the rows written, as they were and as they
-- are. One function and one trigger per operation for both tables; plpgsql plans a statement
-- when it first runs it, so a branch naming a transition table or column the trigger lacks
-- never runs. A link's role is held (`FOR SHARE`) while its holder is read, so a concurrent
-- move of the role to another holder either waits for this write or is seen here. A link
-- whose role is gone (deleted with its links) needs nothing: the roles trigger refreshes
-- that role's holder.
CREATE FUNCTION actor_reads_after_write() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    written uuid[] := '{}';
BEGIN
    IF TG_TABLE_NAME = 'roles' THEN
        IF TG_OP <> 'DELETE' THEN written := ARRAY(SELECT actor_id FROM new_rows); END IF;
        IF TG_OP <> 'INSERT' THEN written := written || ARRAY(SELECT actor_id FROM old_rows); END IF;
    ELSE
        IF TG_OP <> 'DELETE' THEN written := ARRAY(SELECT role_id FROM new_rows); END IF;
        IF TG_OP <> 'INSERT' THEN written := written || ARRAY(SELECT role_id FROM old_rows); END IF;
        written := ARRAY(SELECT actor_id FROM roles WHERE id = ANY (written) FOR SHARE);
    END IF;
    PERFORM actor_reads_refresh(written);
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['roles', 'role_citations'] LOOP
        EXECUTE format('CREATE TRIGGER actor_reads_after_insert AFTER INSERT ON %I
            REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION actor_reads_after_write()', t);
        EXECUTE format('CREATE TRIGGER actor_reads_after_update AFTER UPDATE ON %I
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION actor_reads_after_write()', t);
        EXECUTE format('CREATE TRIGGER actor_reads_after_delete AFTER DELETE ON %I
            REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION actor_reads_after_write()', t);
    END LOOP;
END
$$;

-- A citation cited by a role cannot be deleted, so only its edits matter.
CREATE FUNCTION actor_reads_after_citations() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM actor_reads_refresh(ARRAY(
        SELECT DISTINCT r.actor_id
        FROM new_rows n
        JOIN old_rows p ON p.id = n.id
        JOIN role_citations l ON l.citation_id = n.id
        JOIN roles r ON r.id = l.role_id
        WHERE (n.source, n.title, n.url, n.published_date, n.published_precision)
              IS DISTINCT FROM (p.source, p.title, p.url, p.published_date, p.published_precision)));
    RETURN NULL;
END
$$;

CREATE TRIGGER actor_reads_after_update AFTER UPDATE ON citations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actor_reads_after_citations();

-- An actor holding or showing a role cannot be deleted, so only a changed slug, name or kind
-- matters: the holders of roles in it show them.
CREATE FUNCTION actor_reads_after_actors() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM actor_reads_refresh(ARRAY(
        SELECT DISTINCT r.actor_id
        FROM new_rows n
        JOIN old_rows p ON p.id = n.id
        JOIN roles r ON r.of_actor_id = n.id
        WHERE (n.slug, n.name, n.kind) IS DISTINCT FROM (p.slug, p.name, p.kind)));
    RETURN NULL;
END
$$;

CREATE TRIGGER actor_reads_after_update AFTER UPDATE ON actors
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION actor_reads_after_actors();

-- Emptying a table the rows are made from recomputes every row.
CREATE FUNCTION actor_reads_after_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM actor_reads_refresh(ARRAY(
        SELECT actor_id FROM actor_reads UNION SELECT actor_id FROM roles));
    RETURN NULL;
END
$$;

CREATE TRIGGER actor_reads_after_truncate AFTER TRUNCATE ON roles
    FOR EACH STATEMENT EXECUTE FUNCTION actor_reads_after_truncate();
CREATE TRIGGER actor_reads_after_truncate AFTER TRUNCATE ON role_citations
    FOR EACH STATEMENT EXECUTE FUNCTION actor_reads_after_truncate();

SELECT actor_reads_refresh(ARRAY(SELECT DISTINCT actor_id FROM roles));
