-- +goose Up
-- Tickets show the names of their team, creator and assignee. Joining
-- teams and users twice was half of PostgreSQL's work for a page of 50
-- (docs/BENCHMARKS.md, fifth pass), so each replica remembers names
-- (sqlstore/names.go) and the ticket queries read, in the same snapshot
-- as the tickets, this generation, which every change of a name moves in
-- the transaction that makes it: a replica whose read sees another
-- generation than its memory's forgets the names it holds, so a rename on
-- any replica is shown by the next read on every replica.
CREATE TABLE name_generation (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    n   BIGINT NOT NULL
);
INSERT INTO name_generation (one, n) VALUES (TRUE, 1);

-- +goose StatementBegin
CREATE FUNCTION name_generation_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE name_generation SET n = n + 1;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER users_name_generation AFTER UPDATE OF name ON users
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION name_generation_move();
CREATE TRIGGER users_deleted_name_generation AFTER DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION name_generation_move();
CREATE TRIGGER teams_name_generation AFTER UPDATE OF name ON teams
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION name_generation_move();
CREATE TRIGGER teams_deleted_name_generation AFTER DELETE ON teams
    FOR EACH STATEMENT EXECUTE FUNCTION name_generation_move();

-- +goose Down
SELECT 'forward only';
