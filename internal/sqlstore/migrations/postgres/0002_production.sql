-- +goose Up
-- Attachments live in the database, so replicas need no shared disk.
CREATE TABLE attachments (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id    BIGINT NOT NULL REFERENCES tickets (id),
    uploader_id  BIGINT NOT NULL REFERENCES users (id),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    data         BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id, id);

-- The e-mail outbox: the timeline events that may notify someone, queued by
-- the statement that writes them (no extra round trip for the request). A
-- worker turns them into jobs and deletes them in one transaction; rows are
-- taken with SKIP LOCKED, so commit order and replicas do not matter.
CREATE TABLE event_outbox (
    event_id BIGINT PRIMARY KEY REFERENCES ticket_events (id)
);
-- +goose StatementBegin
CREATE FUNCTION ticket_events_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_outbox (event_id) VALUES (NEW.id);
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER ticket_events_outbox AFTER INSERT ON ticket_events FOR EACH ROW
    WHEN (NEW.type IN ('created', 'redirected', 'status_changed', 'reopened')
          OR (NEW.type = 'message_added' AND NOT NEW.internal))
    EXECUTE FUNCTION ticket_events_outbox();

-- +goose Down
SELECT 'forward only';
