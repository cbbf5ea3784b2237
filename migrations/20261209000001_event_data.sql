-- Coded event data: whom a record's participants count for, as its source coded it, and
-- which rows of which dataset each record was made from.

-- An event dataset codes each actor, row by row, for a state ("Source Country"): the claim is
-- the record's, cited to the dataset. When set, it is the principal of every visitor (of
-- every source, of every target) in every analysis; when absent, principal_of decides from
-- the actors' roles, as before.
ALTER TABLE visits
    ADD COLUMN visitor_principal_id uuid
        CONSTRAINT visits_visitor_principal_id_fkey REFERENCES actors (id) ON DELETE RESTRICT;
ALTER TABLE interactions
    ADD COLUMN source_principal_id uuid
        CONSTRAINT interactions_source_principal_id_fkey REFERENCES actors (id) ON DELETE RESTRICT,
    ADD COLUMN target_principal_id uuid
        CONSTRAINT interactions_target_principal_id_fkey REFERENCES actors (id) ON DELETE RESTRICT;

-- An actor's records through the principals they were coded for (the analyses' candidates),
-- and the record a new row of the same event joins (same day, same principals).
CREATE INDEX visits_visitor_principal_idx ON visits (visitor_principal_id, start_date)
    WHERE visitor_principal_id IS NOT NULL;
CREATE INDEX interactions_source_principal_idx ON interactions (source_principal_id, start_date)
    WHERE source_principal_id IS NOT NULL;
CREATE INDEX interactions_target_principal_idx ON interactions (target_principal_id, start_date)
    WHERE target_principal_id IS NOT NULL;

-- Every dataset row an import read into a record: loading a file again finds its rows here
-- and creates nothing. ICEWS's event id is unique only with its date. The record is not a
-- foreign key (it is a visit or an interaction): a row whose record was deleted stays here,
-- so that a later import does not bring the deleted record back.
CREATE TABLE event_rows (
    dataset text NOT NULL,
    event_id text NOT NULL,
    event_date date NOT NULL,
    record_kind text NOT NULL CONSTRAINT event_rows_record_kind_check
        CHECK (record_kind IN ('visit', 'interaction')),
    record_id uuid NOT NULL,
    CONSTRAINT event_rows_pkey PRIMARY KEY (dataset, event_id, event_date)
);
CREATE INDEX event_rows_record_idx ON event_rows (record_id);

-- The citations imports made, by what they cite: a news story of a dataset (`story:<id>`)
-- or a dataset file (`dataset:<label>`). A later import cites the same story with the same
-- citation.
CREATE TABLE event_citations (
    dataset text NOT NULL,
    key text NOT NULL,
    citation_id uuid NOT NULL
        CONSTRAINT event_citations_citation_id_fkey REFERENCES citations (id) ON DELETE CASCADE,
    CONSTRAINT event_citations_pkey PRIMARY KEY (dataset, key)
);
CREATE INDEX event_citations_citation_idx ON event_citations (citation_id);
