-- +goose Up
-- Attachments live in the database, so replicas need no shared disk.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id    INTEGER NOT NULL REFERENCES tickets (id),
    uploader_id  INTEGER NOT NULL REFERENCES users (id),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    data         BLOB NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id, id);

-- The e-mail outbox: the timeline events that may notify someone, queued by
-- the statement that writes them (no extra round trip for the request). A
-- worker turns them into jobs and deletes them in one transaction.
CREATE TABLE event_outbox (
    event_id INTEGER PRIMARY KEY REFERENCES ticket_events (id)
);
-- +goose StatementBegin
CREATE TRIGGER ticket_events_outbox AFTER INSERT ON ticket_events
    WHEN NEW.type IN ('created', 'redirected', 'status_changed', 'reopened')
         OR (NEW.type = 'message_added' AND NOT NEW.internal)
BEGIN
    INSERT INTO event_outbox (event_id) VALUES (NEW.id);
END;
-- +goose StatementEnd

-- +goose Down
SELECT 'forward only';
