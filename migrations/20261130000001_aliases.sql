-- Aliases with meaning and dates, and the index that resolves names to actors.
--
-- An actor's aliases become objects: the name, what kind of name it is, and when it was used
-- (partial dates, as the API writes them). Existing aliases become plain names.

CREATE TYPE alias_kind AS ENUM ('name', 'former_name', 'transliteration', 'abbreviation', 'metonym');

CREATE FUNCTION pg_temp.alias_objects(aliases text[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('name', a, 'kind', 'name') ORDER BY n), '[]'::jsonb)
    FROM unnest(aliases) WITH ORDINALITY AS t(a, n)
$$;

ALTER TABLE actors ALTER COLUMN aliases DROP DEFAULT;
ALTER TABLE actors ALTER COLUMN aliases TYPE jsonb USING pg_temp.alias_objects(aliases);
ALTER TABLE actors ALTER COLUMN aliases SET DEFAULT '[]'::jsonb;

-- Every name an actor answers to, one row each, for resolving a name to actors: its name
-- (position 0, no kind) and its aliases (1, 2, …). Derived from `actors` by the service on
-- every write, like `search_text`: `key` is folded by `domain::search_key` (lower-case ASCII
-- transliteration), which SQL cannot reproduce. Actors written before this migration are
-- indexed by the service when it next applies migrations.
CREATE TABLE actor_names (
    actor_id uuid NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    position int2 NOT NULL,
    name text NOT NULL,
    kind alias_kind,
    key text NOT NULL,
    -- The days the name was in use; NULL when no dates are given.
    valid daterange,
    PRIMARY KEY (actor_id, position)
);

CREATE INDEX actor_names_key_idx ON actor_names (key);
CREATE INDEX actor_names_key_trgm_idx ON actor_names USING gin (key gin_trgm_ops);
