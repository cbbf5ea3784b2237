-- The change feed and revision history: one row per create, update or delete of a record,
-- written in the same transaction as the change itself.
--
-- `xid` is the writing transaction's id. A reader returns only rows whose xid is below the
-- oldest transaction still running (pg_snapshot_xmin), in (xid, id) order: a transaction
-- that commits later always has a larger xid than anything already returned, so a consumer
-- that resumes from its last position never misses a change, and never sees them reordered.

CREATE TABLE changes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    resource text NOT NULL CHECK (resource IN ('actor', 'role', 'citation', 'visit', 'statement')),
    record_id uuid NOT NULL,
    operation text NOT NULL CHECK (operation IN ('create', 'update', 'delete')),
    version bigint NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- The name of the token that made the change (`seed` for the demo data).
    changed_by text,
    -- The record as the API showed it after the change (json keeps it as it was written);
    -- NULL for a delete.
    data json,
    CONSTRAINT changes_data_present CHECK ((operation = 'delete') = (data IS NULL))
);

CREATE INDEX changes_feed_idx ON changes (xid, id);
CREATE INDEX changes_record_idx ON changes (record_id, id);
