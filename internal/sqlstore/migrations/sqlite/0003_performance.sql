-- +goose Up
-- The sweeper clears the idempotency keys older than a day; without this
-- index it walked every ticket older than a day (2.2 s holding SQLite's
-- write lock at 1 000 000 tickets), with it only those that have a key.
CREATE INDEX tickets_idempotency_expiry ON tickets (created_at) WHERE idempotency_key IS NOT NULL;

-- +goose Down
SELECT 'forward only';
