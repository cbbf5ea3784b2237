-- An actor's timeline reads each way of taking part in date order from an index and stops
-- after a page. Visits hosted and statements spoken or made on behalf of have such indexes
-- already; the links from visitors and subjects now carry their record's date for the same.
-- Triggers keep the copy equal to the record's date: links take it when they are written,
-- and a record's new date is passed on to its links.

ALTER TABLE visit_visitors ADD COLUMN start_date date;
UPDATE visit_visitors x SET start_date = v.start_date FROM visits v WHERE v.id = x.visit_id;
ALTER TABLE visit_visitors ALTER COLUMN start_date SET NOT NULL;
DROP INDEX visit_visitors_actor_idx;
CREATE INDEX visit_visitors_actor_idx ON visit_visitors (actor_id, start_date DESC, visit_id DESC);

ALTER TABLE statement_subjects ADD COLUMN stated_date date;
UPDATE statement_subjects x SET stated_date = s.stated_date FROM statements s WHERE s.id = x.statement_id;
ALTER TABLE statement_subjects ALTER COLUMN stated_date SET NOT NULL;
DROP INDEX statement_subjects_actor_idx;
CREATE INDEX statement_subjects_actor_idx ON statement_subjects (actor_id, stated_date DESC, statement_id DESC);

CREATE FUNCTION visit_visitors_take_date() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.start_date := (SELECT start_date FROM visits WHERE id = NEW.visit_id);
    RETURN NEW;
END
$$;

CREATE TRIGGER visit_visitors_take_date BEFORE INSERT OR UPDATE ON visit_visitors
FOR EACH ROW EXECUTE FUNCTION visit_visitors_take_date();

CREATE FUNCTION visits_pass_date() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE visit_visitors SET start_date = NEW.start_date WHERE visit_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER visits_pass_date AFTER UPDATE OF start_date ON visits
FOR EACH ROW WHEN (OLD.start_date IS DISTINCT FROM NEW.start_date)
EXECUTE FUNCTION visits_pass_date();

CREATE FUNCTION statement_subjects_take_date() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.stated_date := (SELECT stated_date FROM statements WHERE id = NEW.statement_id);
    RETURN NEW;
END
$$;

CREATE TRIGGER statement_subjects_take_date BEFORE INSERT OR UPDATE ON statement_subjects
FOR EACH ROW EXECUTE FUNCTION statement_subjects_take_date();

CREATE FUNCTION statements_pass_date() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE statement_subjects SET stated_date = NEW.stated_date WHERE statement_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER statements_pass_date AFTER UPDATE OF stated_date ON statements
FOR EACH ROW WHEN (OLD.stated_date IS DISTINCT FROM NEW.stated_date)
EXECUTE FUNCTION statements_pass_date();
