-- Synthetic data for the benchmarks: :records visits and statements (half each), with
-- actors, roles and citations in proportion. Ids are deterministic so that the load
-- generators can address records without a lookup:
--   actor n  -> lpad(to_hex(n), 32, '0')::uuid   (every 10th actor is a state; the rest people)
--   role of person n -> the same uuid (in its own table)
-- Run with psql -v records=N.

\set ON_ERROR_STOP on
SELECT greatest(:records / 100, 100) AS actors, greatest(:records / 100, 100) AS citations,
       :records / 2 AS visits, :records / 2 AS statements \gset

BEGIN;
SET LOCAL synchronous_commit = off;

INSERT INTO actors (id, slug, kind, name, aliases, country_code, search_text)
SELECT lpad(to_hex(n), 32, '0')::uuid,
       'actor-' || n,
       CASE WHEN n % 10 = 0 THEN 'state' ELSE 'person' END::actor_kind,
       CASE WHEN n % 10 = 0 THEN 'State ' ELSE 'Person ' END || n,
       jsonb_build_array(jsonb_build_object('name', 'Alias ' || n, 'kind', 'name')),
       (ARRAY['KZ', 'RU', 'CN', 'TR', 'UZ', 'DE', 'FR', 'US'])[1 + n % 8],
       CASE WHEN n % 10 = 0 THEN 'state ' ELSE 'person ' END || n || ' alias ' || n
FROM generate_series(1, :actors) AS n;

INSERT INTO citations (id, source, title, url, published_date, published_precision)
SELECT md5('citation' || n)::uuid, 'Source ' || (n % 50), 'Report number ' || n || ' on trade and energy',
       'https://example.org/report/' || n, date '2000-01-01' + (n % 9000), 'day'
FROM generate_series(1, :citations) AS n;

-- Every person holds one role in a state, from a date on.
INSERT INTO roles (id, actor_id, of_actor_id, title, start_date, start_precision)
SELECT lpad(to_hex(n), 32, '0')::uuid, lpad(to_hex(n), 32, '0')::uuid,
       lpad(to_hex(10 * (1 + (n / 10) % (:actors / 10))), 32, '0')::uuid,
       'Minister ' || (n % 7), date '1995-01-01' + (n % 3000), 'day'
FROM generate_series(1, :actors) AS n WHERE n % 10 <> 0;

INSERT INTO role_citations (role_id, citation_id, position, locator)
SELECT lpad(to_hex(n), 32, '0')::uuid, md5('citation' || (1 + n % :citations))::uuid, 0, 'p. ' || (n % 40)
FROM generate_series(1, :actors) AS n WHERE n % 10 <> 0;

-- Visits: a person visits a state.
INSERT INTO visits (id, host_id, place, country_code, start_date, start_precision, kind, summary)
SELECT md5('visit' || n)::uuid,
       lpad(to_hex(10 * (1 + n % (:actors / 10))), 32, '0')::uuid,
       'City ' || (n % 300),
       (ARRAY['KZ', 'RU', 'CN', 'TR', 'UZ', 'DE', 'FR', 'US'])[1 + n % 8],
       date '2000-01-01' + (n % 9000),
       (ARRAY['day', 'month', 'year'])[1 + n % 3]::date_precision,
       (ARRAY['state', 'official', 'working', 'summit', 'multilateral', 'other'])[1 + n % 6]::visit_kind,
       'Talks number ' || n || ' on trade, transit and energy'
FROM generate_series(1, :visits) AS n;

-- Link rows carry their record's date (a trigger fills it too, unless disabled: bench/import-floor).
INSERT INTO visit_visitors (visit_id, actor_id, position, start_date)
SELECT md5('visit' || n)::uuid, lpad(to_hex(1 + (n * 7) % (:actors - 1) + ((1 + (n * 7) % (:actors - 1)) % 10 = 0)::int), 32, '0')::uuid, 0,
       date '2000-01-01' + (n % 9000)
FROM generate_series(1, :visits) AS n;

INSERT INTO visit_citations (visit_id, citation_id, position, locator)
SELECT md5('visit' || n)::uuid, md5('citation' || (1 + n % :citations))::uuid, 0, 'paragraph ' || (n % 12)
FROM generate_series(1, :visits) AS n;

-- Statements by people, for their state, about another state.
INSERT INTO statements (id, speaker_id, on_behalf_of_id, stated_date, stated_precision, kind, text, verbatim, language, topics)
SELECT md5('statement' || n)::uuid,
       lpad(to_hex(s), 32, '0')::uuid,
       lpad(to_hex(10 * (1 + (s / 10) % (:actors / 10))), 32, '0')::uuid,
       date '2000-01-01' + (n % 9000),
       (ARRAY['day', 'month', 'year'])[1 + n % 3]::date_precision,
       (ARRAY['declaration', 'pledge', 'proposal', 'denial', 'criticism', 'agreement', 'other'])[1 + n % 7]::statement_kind,
       'Statement number ' || n || ' on cooperation in trade and energy',
       n % 4 = 0, 'en',
       ARRAY[(ARRAY['energy', 'trade', 'security', 'transit', 'culture'])[1 + n % 5]]
FROM (SELECT n, 1 + (n * 11) % (:actors - 1) AS raw FROM generate_series(1, :statements) AS n) g,
     LATERAL (SELECT raw + (raw % 10 = 0)::int AS s) speaker;

INSERT INTO statement_subjects (statement_id, actor_id, stance, position, stated_date)
SELECT md5('statement' || n)::uuid, lpad(to_hex(10 * (1 + (n * 3) % (:actors / 10))), 32, '0')::uuid,
       (ARRAY['support', 'oppose', 'neutral'])[1 + n % 3]::stance, 0, date '2000-01-01' + (n % 9000)
FROM generate_series(1, :statements) AS n;

INSERT INTO statement_citations (statement_id, citation_id, position, quote)
SELECT md5('statement' || n)::uuid, md5('citation' || (1 + (n * 5) % :citations))::uuid, 0, 'words ' || n
FROM generate_series(1, :statements) AS n;

COMMIT;
ANALYZE;
