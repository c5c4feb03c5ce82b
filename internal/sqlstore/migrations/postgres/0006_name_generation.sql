-- +goose Up
-- Tickets show the names of their team, creator and assignee. Joining
-- teams and users twice was half of PostgreSQL's work for a page of 50
-- (docs/BENCHMARKS.md, fifth pass), so each replica remembers names
-- (sqlstore/names.go), under the generation the ticket queries read in
-- the same snapshot as the tickets. Every change of a name gives the
-- generation a new random value in the transaction that makes it, so a
-- read that sees another generation than the replica's memory does not
-- use that memory, and a rename on any replica is shown by the next read
-- on every replica. Random rather than counted: after a failover that
-- lost the last commits, or a restore, a counter would give numbers
-- already used to other names.
--
-- The table holds exactly one row (the ticket queries fail without it).
CREATE TABLE name_generation (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    n   BIGINT NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION name_generation_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE name_generation SET n = (random() * 9e18)::bigint;
    RETURN NULL;
END $$;
-- +goose StatementEnd
INSERT INTO name_generation (one, n) VALUES (TRUE, (random() * 9e18)::bigint);

-- A rename, and a removal (the store sets a removed user's name to NULL).
-- A deleted row is not a ticket's (foreign keys) and its id is not given
-- again, but TRUNCATE … RESTART IDENTITY starts the ids over.
CREATE TRIGGER users_name_generation AFTER UPDATE OF name ON users
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION name_generation_move();
CREATE TRIGGER users_truncated_name_generation AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION name_generation_move();
CREATE TRIGGER teams_name_generation AFTER UPDATE OF name ON teams
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION name_generation_move();
CREATE TRIGGER teams_truncated_name_generation AFTER TRUNCATE ON teams
    FOR EACH STATEMENT EXECUTE FUNCTION name_generation_move();

-- +goose Down
SELECT 'forward only';
