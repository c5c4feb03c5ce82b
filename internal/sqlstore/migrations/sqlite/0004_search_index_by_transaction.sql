-- +goose Up
-- The full-text index is written once per write transaction instead of
-- once per row. FTS5 writes its pending index data to disk whenever a
-- statement opens a savepoint, and every write that fires a trigger opens
-- one: with triggers indexing each new ticket and message, the writes of a
-- group commit left one tiny segment each, for the index to flush and then
-- merge again (a fifth of the server's CPU while creating tickets). The
-- triggers now queue the new row; the writer indexes the queue with one
-- statement, `DELETE FROM search_pending`, just before it commits.
CREATE TABLE search_pending (
    kind INTEGER NOT NULL CHECK (kind IN (1, 2)), -- 1 a ticket, 2 a message
    id   INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;

DROP TRIGGER tickets_fts_insert;
DROP TRIGGER messages_fts_insert;
DROP TRIGGER tickets_fts_update;

-- +goose StatementBegin
CREATE TRIGGER tickets_search_pending AFTER INSERT ON tickets BEGIN
    INSERT INTO search_pending (kind, id) VALUES (1, NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_search_pending AFTER INSERT ON messages BEGIN
    INSERT INTO search_pending (kind, id) VALUES (2, NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_pending_index BEFORE DELETE ON search_pending BEGIN
    INSERT INTO tickets_fts (rowid, title, description)
        SELECT id, title, description FROM tickets WHERE OLD.kind = 1 AND id = OLD.id;
    INSERT INTO messages_fts (rowid, body)
        SELECT id, body FROM messages WHERE OLD.kind = 2 AND id = OLD.id;
END;
-- +goose StatementEnd
-- An edit re-indexes at once, unless the ticket is still queued: then the
-- queue indexes its latest text (and the old one was never indexed).
-- +goose StatementBegin
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF title, description ON tickets
    WHEN NOT EXISTS (SELECT 1 FROM search_pending WHERE kind = 1 AND id = OLD.id)
BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, title, description) VALUES ('delete', OLD.id, OLD.title, OLD.description);
    INSERT INTO tickets_fts (rowid, title, description) VALUES (NEW.id, NEW.title, NEW.description);
END;
-- +goose StatementEnd

-- +goose Down
SELECT 'forward only';
