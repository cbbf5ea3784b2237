-- The secret cursors are sealed with (src/api/cursors.rs): random, made here once, and
-- kept where every process reads it and every replica has it through replication, so a
-- cursor one server issued is read by any other, after a failover too.
CREATE TABLE cursor_key (
    only_one boolean PRIMARY KEY DEFAULT true CHECK (only_one),
    key bytea NOT NULL CHECK (octet_length(key) = 32)
);

-- Two version-4 UUIDs are 244 bits from PostgreSQL's strong random source.
INSERT INTO cursor_key (key)
SELECT sha256(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()));
