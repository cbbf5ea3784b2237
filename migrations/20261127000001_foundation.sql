-- Foundation: actors, roles, API tokens and idempotency keys.
-- Migrations are never edited once applied; add a new one instead.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TYPE actor_kind AS ENUM ('state', 'person', 'organization', 'other');
CREATE TYPE date_precision AS ENUM ('year', 'month', 'day');
CREATE TYPE token_scope AS ENUM ('read', 'write', 'admin');

-- The first day after a partial date: 2022 -> 2023-01-01, 2022-10 -> 2022-11-01.
-- NULL stays NULL (an open end). Immutable, so generated columns and indexes may use it.
CREATE FUNCTION partial_date_after(d date, p date_precision) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE p
        WHEN 'year' THEN (d + interval '1 year')::date
        WHEN 'month' THEN (d + interval '1 month')::date
        ELSE d + 1
    END
$$;

CREATE TABLE actors (
    id uuid PRIMARY KEY,
    slug text NOT NULL CONSTRAINT actors_slug_key UNIQUE,
    kind actor_kind NOT NULL,
    name text NOT NULL,
    aliases text[] NOT NULL DEFAULT '{}',
    country_code text,
    wikidata_id text CONSTRAINT actors_wikidata_id_key UNIQUE,
    description text,
    -- Name and aliases folded for search by the service (see domain::search_key): lower-case
    -- ASCII transliteration, the same whatever the database's locale.
    search_text text NOT NULL,
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX actors_name_id_idx ON actors (name, id);
CREATE INDEX actors_kind_name_id_idx ON actors (kind, name, id);
CREATE INDEX actors_country_name_id_idx ON actors (country_code, name, id);
CREATE INDEX actors_search_text_trgm_idx ON actors USING gin (search_text gin_trgm_ops);

CREATE TABLE roles (
    id uuid PRIMARY KEY,
    actor_id uuid NOT NULL CONSTRAINT roles_actor_id_fkey REFERENCES actors (id) ON DELETE RESTRICT,
    of_actor_id uuid NOT NULL CONSTRAINT roles_of_actor_id_fkey REFERENCES actors (id) ON DELETE RESTRICT,
    title text NOT NULL,
    start_date date,
    start_precision date_precision,
    end_date date,
    end_precision date_precision,
    -- The days the role may have been held: from the first day of `start` to the last day of `end`.
    period daterange GENERATED ALWAYS AS (
        daterange(start_date, partial_date_after(end_date, end_precision), '[)')
    ) STORED,
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT roles_start_complete CHECK ((start_date IS NULL) = (start_precision IS NULL)),
    CONSTRAINT roles_end_complete CHECK ((end_date IS NULL) = (end_precision IS NULL)),
    CONSTRAINT roles_not_self CHECK (actor_id <> of_actor_id)
);

CREATE INDEX roles_actor_id_idx ON roles (actor_id, start_date DESC, id DESC);
CREATE INDEX roles_of_actor_id_idx ON roles (of_actor_id, start_date DESC, id DESC);
CREATE INDEX roles_period_idx ON roles USING gist (period);

CREATE TABLE api_tokens (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    scope token_scope NOT NULL,
    -- The public half of the token, used to find the row; the secret half is kept only as a hash.
    lookup text NOT NULL CONSTRAINT api_tokens_lookup_key UNIQUE,
    secret_sha256 bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

CREATE UNIQUE INDEX api_tokens_active_name_key ON api_tokens (name) WHERE revoked_at IS NULL;

CREATE TABLE idempotency_keys (
    token_id uuid NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    key text NOT NULL,
    fingerprint bytea NOT NULL,
    response_status smallint NOT NULL,
    response_headers jsonb NOT NULL,
    response_body bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token_id, key)
);

CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
