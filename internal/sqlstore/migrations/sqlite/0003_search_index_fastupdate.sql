-- +goose Up
-- Nothing to change on SQLite: migration 0003 of PostgreSQL turns off the
-- pending list of its GIN search indexes; FTS5 has no such list (its
-- segments are merged as they are written). Kept so that both engines
-- share migration numbers.
SELECT 1;

-- +goose Down
SELECT 'forward only';
