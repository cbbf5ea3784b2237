-- Interactions: what one side did toward another that is neither a visit nor a statement with
-- its words, named in PLOVER's event vocabulary (domain::plover lists it and says where from).
-- Stored as visits are: partial dates with the period they may cover, place and country,
-- a summary for search, the actors in a table of links and the citations in another.

-- The type, each type's modes and the contexts are closed lists from the PLOVER manual:
-- enums, as every controlled vocabulary here, so that no writer can store a name PLOVER
-- does not have. A new edition of the manual is a new migration (ALTER TYPE … ADD VALUE).
CREATE TYPE interaction_type AS ENUM (
    'agree', 'consult', 'support', 'concede', 'cooperate', 'aid', 'retreat', 'request',
    'accuse', 'reject', 'threaten', 'protest', 'sanction', 'mobilize', 'coerce', 'assault'
);
-- Every mode of every type, each name once: a name two types share (`withdraw` for retreat
-- and sanction) is one value, and interactions_mode_admitted says which type has which.
CREATE TYPE interaction_mode AS ENUM (
    'visit', 'third_party', 'multilateral', 'phone',
    'withdraw', 'release', 'disarm', 'ceasefire', 'access', 'resign',
    'assist', 'change', 'yield', 'meet',
    'disapprove', 'investigate', 'allege',
    'restrict', 'arrest', 'relations', 'expel', 'territory', 'violence',
    'demo', 'riot', 'strike', 'hunger', 'boycott', 'obstruct', 'vandalize',
    'convict', 'discontinue',
    'troops', 'weapons', 'police', 'militia',
    'seize', 'censor', 'curfew', 'martial_law', 'deport', 'withhold', 'misinformation', 'cyber',
    'abduct', 'beat', 'torture', 'sexual', 'targeted', 'destroy', 'primitive', 'firearms',
    'explosives', 'suicide_attack', 'aerial', 'drone', 'heavy_weapons', 'crowd_control',
    'unconventional'
);
CREATE TYPE interaction_context AS ENUM (
    'military', 'intelligence', 'executive', 'legislative', 'election', 'political_institutions',
    'pro_democracy', 'pro_autocracy', 'economic', 'legal', 'reparations', 'human_rights',
    'rights_freedoms', 'repression', 'human_security', 'gender', 'lgbt', 'religion_ethnicity',
    'inequality', 'diplomatic', 'territory', 'peacekeeping', 'health', 'asylum', 'migration',
    'disasters', 'natural_resource', 'environment', 'technology', 'terrorism', 'cbrn', 'cyber',
    'misinformation', 'crime', 'corruption', 'illegal_drugs', 'trafficking'
);
-- The source acted (PLOVER's "actor"); the target was acted upon (its "recipient").
CREATE TYPE interaction_side AS ENUM ('source', 'target');

CREATE TABLE interactions (
    id uuid PRIMARY KEY,
    type interaction_type NOT NULL,
    mode interaction_mode,
    contexts interaction_context[] NOT NULL DEFAULT '{}',
    -- The source dataset's own event code, as it stands there (a CAMEO code such as `057`).
    source_code text,
    start_date date NOT NULL,
    start_precision date_precision NOT NULL,
    end_date date,
    end_precision date_precision,
    -- Every day the interaction may have covered: from the first day of `start` to the last
    -- day of `end` (or of `start`, when there is no end).
    period daterange GENERATED ALWAYS AS (
        daterange(start_date, coalesce(partial_date_after(end_date, end_precision),
                                       partial_date_after(start_date, start_precision)), '[)')
    ) STORED,
    place text,
    country_code text,
    summary text,
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(place, '')), 'B')
        || setweight(to_tsvector('english', coalesce(summary, '')), 'C')
    ) STORED,
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT interactions_end_complete CHECK ((end_date IS NULL) = (end_precision IS NULL)),
    -- A mode belongs to its type, as in the manual (and InteractionType::modes).
    CONSTRAINT interactions_mode_admitted CHECK (mode IS NULL OR CASE type
        WHEN 'consult' THEN mode IN ('visit', 'third_party', 'multilateral', 'phone')
        WHEN 'retreat' THEN mode IN ('withdraw', 'release', 'disarm', 'ceasefire', 'access', 'resign')
        WHEN 'request' THEN mode IN ('assist', 'change', 'yield', 'meet')
        WHEN 'accuse' THEN mode IN ('disapprove', 'investigate', 'allege')
        WHEN 'reject' THEN mode IN ('assist', 'change', 'yield', 'meet')
        WHEN 'threaten' THEN mode IN ('restrict', 'arrest', 'relations', 'expel', 'territory', 'violence')
        WHEN 'protest' THEN mode IN ('demo', 'riot', 'strike', 'hunger', 'boycott', 'obstruct', 'vandalize')
        WHEN 'sanction' THEN mode IN ('convict', 'expel', 'withdraw', 'discontinue')
        WHEN 'mobilize' THEN mode IN ('troops', 'weapons', 'police', 'militia')
        WHEN 'coerce' THEN mode IN ('seize', 'restrict', 'censor', 'curfew', 'martial_law', 'arrest',
                                    'deport', 'withhold', 'misinformation', 'cyber')
        WHEN 'assault' THEN mode IN ('abduct', 'beat', 'torture', 'sexual', 'targeted', 'destroy',
                                     'primitive', 'firearms', 'explosives', 'suicide_attack',
                                     'aerial', 'drone', 'heavy_weapons', 'crowd_control',
                                     'unconventional')
        ELSE false
    END)
);

CREATE INDEX interactions_start_idx ON interactions (start_date DESC, id DESC);
CREATE INDEX interactions_type_idx ON interactions (type, start_date DESC, id DESC);
CREATE INDEX interactions_country_idx ON interactions (country_code, start_date DESC, id DESC);
CREATE INDEX interactions_contexts_idx ON interactions USING gin (contexts);
CREATE INDEX interactions_period_idx ON interactions USING gist (period);
CREATE INDEX interactions_search_idx ON interactions USING gin (search);

-- The actors on both sides, in one table: "every actor an interaction names" (reads,
-- references, merges, the timeline) is one lookup, and a side is a filter. The key makes an
-- actor appear once in an interaction: once per side, and never on both.
-- `start_date` is the interaction's, kept by the triggers below as visit_visitors' is, so
-- that an actor's interactions are read in date order from an index.
CREATE TABLE interaction_actors (
    interaction_id uuid NOT NULL CONSTRAINT interaction_actors_interaction_id_fkey REFERENCES interactions (id) ON DELETE CASCADE,
    actor_id uuid NOT NULL CONSTRAINT interaction_actors_actor_id_fkey REFERENCES actors (id) ON DELETE RESTRICT,
    side interaction_side NOT NULL,
    -- The order within the side.
    position smallint NOT NULL,
    start_date date NOT NULL,
    CONSTRAINT interaction_actors_pkey PRIMARY KEY (interaction_id, actor_id)
);

-- On either side, and on one side: each in date order without a sort.
CREATE INDEX interaction_actors_actor_idx ON interaction_actors (actor_id, start_date DESC, interaction_id DESC);
CREATE INDEX interaction_actors_actor_side_idx ON interaction_actors (actor_id, side, start_date DESC, interaction_id DESC);

CREATE FUNCTION interaction_actors_take_date() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.start_date := (SELECT start_date FROM interactions WHERE id = NEW.interaction_id);
    RETURN NEW;
END
$$;

CREATE TRIGGER interaction_actors_take_date BEFORE INSERT OR UPDATE ON interaction_actors
FOR EACH ROW EXECUTE FUNCTION interaction_actors_take_date();

CREATE FUNCTION interactions_pass_date() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE interaction_actors SET start_date = NEW.start_date WHERE interaction_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER interactions_pass_date AFTER UPDATE OF start_date ON interactions
FOR EACH ROW WHEN (OLD.start_date IS DISTINCT FROM NEW.start_date)
EXECUTE FUNCTION interactions_pass_date();

CREATE TABLE interaction_citations (
    interaction_id uuid NOT NULL CONSTRAINT interaction_citations_interaction_id_fkey REFERENCES interactions (id) ON DELETE CASCADE,
    citation_id uuid NOT NULL CONSTRAINT interaction_citations_citation_id_fkey REFERENCES citations (id) ON DELETE RESTRICT,
    position smallint NOT NULL,
    locator text,
    quote text,
    CONSTRAINT interaction_citations_pkey PRIMARY KEY (interaction_id, citation_id)
);

CREATE INDEX interaction_citations_citation_idx ON interaction_citations (citation_id, interaction_id);

-- The change feed names the new kind. Same constraint, same name, one more kind.
ALTER TABLE changes DROP CONSTRAINT changes_resource_check;
ALTER TABLE changes ADD CONSTRAINT changes_resource_check
    CHECK (resource IN ('actor', 'role', 'citation', 'visit', 'statement', 'interaction'));
