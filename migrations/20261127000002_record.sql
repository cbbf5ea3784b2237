-- The record: citations, visits and statements, with the links between them.
-- Every claim links to its citations through a table of its own, so one citation serves
-- many claims and each link keeps its own locator and quote.

CREATE TYPE visit_kind AS ENUM ('state', 'official', 'working', 'summit', 'multilateral', 'other');
CREATE TYPE statement_kind AS ENUM ('declaration', 'pledge', 'proposal', 'denial', 'criticism', 'agreement', 'other');
CREATE TYPE stance AS ENUM ('support', 'oppose', 'neutral');

CREATE TABLE citations (
    id uuid PRIMARY KEY,
    source text NOT NULL,
    url text,
    title text,
    authors text[] NOT NULL DEFAULT '{}',
    published_date date,
    published_precision date_precision,
    accessed_on date,
    language text,
    excerpt text,
    archive_url text,
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', source), 'B')
        || setweight(to_tsvector('english', coalesce(excerpt, '')), 'C')
    ) STORED,
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT citations_published_complete CHECK ((published_date IS NULL) = (published_precision IS NULL))
);

CREATE UNIQUE INDEX citations_url_key ON citations (url) WHERE url IS NOT NULL;
CREATE INDEX citations_published_idx ON citations (published_date DESC NULLS LAST, id DESC);
CREATE INDEX citations_search_idx ON citations USING gin (search);

CREATE TABLE visits (
    id uuid PRIMARY KEY,
    host_id uuid NOT NULL CONSTRAINT visits_host_id_fkey REFERENCES actors (id) ON DELETE RESTRICT,
    place text,
    country_code text,
    start_date date NOT NULL,
    start_precision date_precision NOT NULL,
    end_date date,
    end_precision date_precision,
    -- Every day the visit may have covered: from the first day of `start` to the last day of
    -- `end` (or of `start`, when there is no end).
    period daterange GENERATED ALWAYS AS (
        daterange(start_date, coalesce(partial_date_after(end_date, end_precision),
                                       partial_date_after(start_date, start_precision)), '[)')
    ) STORED,
    kind visit_kind NOT NULL,
    occasion text,
    summary text,
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(occasion, '')), 'A')
        || setweight(to_tsvector('english', coalesce(place, '')), 'B')
        || setweight(to_tsvector('english', coalesce(summary, '')), 'C')
    ) STORED,
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT visits_end_complete CHECK ((end_date IS NULL) = (end_precision IS NULL))
);

CREATE INDEX visits_start_idx ON visits (start_date DESC, id DESC);
CREATE INDEX visits_host_idx ON visits (host_id, start_date DESC, id DESC);
CREATE INDEX visits_kind_idx ON visits (kind, start_date DESC, id DESC);
CREATE INDEX visits_country_idx ON visits (country_code, start_date DESC, id DESC);
CREATE INDEX visits_period_idx ON visits USING gist (period);
CREATE INDEX visits_search_idx ON visits USING gin (search);

CREATE TABLE visit_visitors (
    visit_id uuid NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    actor_id uuid NOT NULL CONSTRAINT visit_visitors_actor_id_fkey REFERENCES actors (id) ON DELETE RESTRICT,
    position smallint NOT NULL,
    PRIMARY KEY (visit_id, actor_id)
);

CREATE INDEX visit_visitors_actor_idx ON visit_visitors (actor_id, visit_id);

CREATE TABLE statements (
    id uuid PRIMARY KEY,
    speaker_id uuid NOT NULL CONSTRAINT statements_speaker_id_fkey REFERENCES actors (id) ON DELETE RESTRICT,
    on_behalf_of_id uuid CONSTRAINT statements_on_behalf_of_id_fkey REFERENCES actors (id) ON DELETE RESTRICT,
    -- Set when on_behalf_of_id was derived from the speaker's role rather than given.
    on_behalf_of_role_id uuid CONSTRAINT statements_on_behalf_of_role_id_fkey REFERENCES roles (id) ON DELETE RESTRICT,
    stated_date date NOT NULL,
    stated_precision date_precision NOT NULL,
    period daterange GENERATED ALWAYS AS (
        daterange(stated_date, partial_date_after(stated_date, stated_precision), '[)')
    ) STORED,
    kind statement_kind NOT NULL,
    text text NOT NULL,
    verbatim boolean NOT NULL,
    language text,
    topics text[] NOT NULL DEFAULT '{}',
    visit_id uuid CONSTRAINT statements_visit_id_fkey REFERENCES visits (id) ON DELETE RESTRICT,
    search tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX statements_stated_idx ON statements (stated_date DESC, id DESC);
CREATE INDEX statements_speaker_idx ON statements (speaker_id, stated_date DESC, id DESC);
CREATE INDEX statements_on_behalf_of_idx ON statements (on_behalf_of_id, stated_date DESC, id DESC);
CREATE INDEX statements_kind_idx ON statements (kind, stated_date DESC, id DESC);
CREATE INDEX statements_visit_idx ON statements (visit_id) WHERE visit_id IS NOT NULL;
CREATE INDEX statements_role_idx ON statements (on_behalf_of_role_id) WHERE on_behalf_of_role_id IS NOT NULL;
CREATE INDEX statements_topics_idx ON statements USING gin (topics);
CREATE INDEX statements_period_idx ON statements USING gist (period);
CREATE INDEX statements_search_idx ON statements USING gin (search);

CREATE TABLE statement_subjects (
    statement_id uuid NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    actor_id uuid NOT NULL CONSTRAINT statement_subjects_actor_id_fkey REFERENCES actors (id) ON DELETE RESTRICT,
    stance stance NOT NULL,
    position smallint NOT NULL,
    PRIMARY KEY (statement_id, actor_id)
);

CREATE INDEX statement_subjects_actor_idx ON statement_subjects (actor_id, statement_id);

-- Links from claims to citations, one table per kind of claim so foreign keys stay real.
CREATE TABLE statement_citations (
    statement_id uuid NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    citation_id uuid NOT NULL CONSTRAINT statement_citations_citation_id_fkey REFERENCES citations (id) ON DELETE RESTRICT,
    position smallint NOT NULL,
    locator text,
    quote text,
    PRIMARY KEY (statement_id, citation_id)
);

CREATE TABLE visit_citations (
    visit_id uuid NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    citation_id uuid NOT NULL CONSTRAINT visit_citations_citation_id_fkey REFERENCES citations (id) ON DELETE RESTRICT,
    position smallint NOT NULL,
    locator text,
    quote text,
    PRIMARY KEY (visit_id, citation_id)
);

CREATE TABLE role_citations (
    role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    citation_id uuid NOT NULL CONSTRAINT role_citations_citation_id_fkey REFERENCES citations (id) ON DELETE RESTRICT,
    position smallint NOT NULL,
    locator text,
    quote text,
    PRIMARY KEY (role_id, citation_id)
);

CREATE INDEX statement_citations_citation_idx ON statement_citations (citation_id, statement_id);
CREATE INDEX visit_citations_citation_idx ON visit_citations (citation_id, visit_id);
CREATE INDEX role_citations_citation_idx ON role_citations (citation_id, role_id);

-- Records created by `chancery seed`, by the key they have in the demo data, so that seeding
-- twice changes nothing.
CREATE TABLE seed_records (
    key text PRIMARY KEY,
    resource text NOT NULL,
    id uuid NOT NULL
);
