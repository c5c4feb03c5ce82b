-- +goose Up
-- A reply moves its ticket's updated_at, which is indexed, so that update
-- is not a HOT one: PostgreSQL writes a new entry in every index of the
-- table, the GIN index of the search vector included (all its lexemes),
-- and computes the stored vector again. With the vector in a table of its
-- own, written only for a new ticket or a new title or description, a
-- reply costs PostgreSQL about a fifth less CPU (docs/BENCHMARKS.md,
-- fourth pass). The search reads ticket_search instead of tickets.search;
-- a replica older than this migration fails its searches until replaced.
CREATE TABLE ticket_search (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets (id),
    search    TSVECTOR NOT NULL
);
INSERT INTO ticket_search (ticket_id, search) SELECT id, search FROM tickets;
CREATE INDEX ticket_search_search ON ticket_search USING gin (search) WITH (fastupdate = off);

-- +goose StatementBegin
CREATE FUNCTION ticket_search_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_search (ticket_id, search)
    VALUES (NEW.id, to_tsvector('portuguese', ajudae_unaccent(NEW.title || ' ' || NEW.description)))
    ON CONFLICT (ticket_id) DO UPDATE SET search = EXCLUDED.search;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER ticket_search_write AFTER INSERT OR UPDATE OF title, description ON tickets
    FOR EACH ROW EXECUTE FUNCTION ticket_search_write();

ALTER TABLE tickets DROP COLUMN search;

-- +goose Down
SELECT 'forward only';
