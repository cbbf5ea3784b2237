-- A token's name is what the change feed and revisions show as `changed_by`, so a name must
-- name one token forever: a revoked token's name is not given to another.
--
-- Earlier revoked tokens that share a name with a later token keep their name with their id
-- appended, so the index can be built on any existing database.
UPDATE api_tokens t SET name = t.name || ' (' || t.id || ')'
WHERE t.revoked_at IS NOT NULL
  AND EXISTS (SELECT 1 FROM api_tokens o
              WHERE o.name = t.name AND o.id <> t.id
                AND (o.revoked_at IS NULL OR o.created_at > t.created_at));

DROP INDEX api_tokens_active_name_key;
CREATE UNIQUE INDEX api_tokens_name_key ON api_tokens (name);
