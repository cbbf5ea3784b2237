-- Merging duplicate actors: where a merged actor's id and slug now lead, and the change feed's
-- record of the merge.

-- The ids and slugs of merged actors, answered with 308 to the actor they were merged into.
-- A slug may be taken again by a new actor (which then wins) and merged again (the latest
-- merge wins). Merging the survivor later moves its redirects along; deleting it drops them.
CREATE TABLE actor_redirects (
    id uuid PRIMARY KEY,
    slug text NOT NULL,
    into_id uuid NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    merged_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX actor_redirects_slug_idx ON actor_redirects (slug, merged_at DESC);
CREATE INDEX actor_redirects_into_idx ON actor_redirects (into_id);

-- A merge ends a record like a delete (no data) and names the record it went into.
ALTER TABLE changes ADD COLUMN merged_into uuid;
ALTER TABLE changes DROP CONSTRAINT changes_operation_check;
ALTER TABLE changes DROP CONSTRAINT changes_data_present;
ALTER TABLE changes ADD CONSTRAINT changes_operation_check
    CHECK (operation IN ('create', 'update', 'delete', 'merge'));
ALTER TABLE changes ADD CONSTRAINT changes_data_present
    CHECK ((operation IN ('delete', 'merge')) = (data IS NULL));
ALTER TABLE changes ADD CONSTRAINT changes_merged_into_present
    CHECK ((operation = 'merge') = (merged_into IS NOT NULL));
