-- An optional rank on roles, for weighting what an actor's officials do by their standing:
-- a head of state's visit may count for more than an envoy's.

CREATE TYPE role_rank AS ENUM (
    'head_of_state', 'head_of_government', 'foreign_minister', 'minister', 'envoy', 'official'
);

ALTER TABLE roles ADD COLUMN rank role_rank;
