-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT,                 -- NULL once the user is deleted
    email         TEXT,                 -- NULL once the user is deleted
    password_hash TEXT,
    role          TEXT NOT NULL CHECK (role IN ('ADMIN', 'ATTENDANT', 'USER')),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    last_login    TIMESTAMP,
    deleted_at    TIMESTAMP
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_one_admin ON users (role) WHERE role = 'ADMIN';

CREATE TABLE sessions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id            INTEGER NOT NULL REFERENCES users (id),
    access_hash        BLOB NOT NULL UNIQUE,
    refresh_hash       BLOB UNIQUE,     -- NULL for a web UI session
    access_expires_at  TIMESTAMP NOT NULL,
    refresh_expires_at TIMESTAMP NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    last_used_at       TIMESTAMP NOT NULL,
    ip_address         TEXT NOT NULL,
    user_agent         TEXT NOT NULL,
    revoked_at         TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id, id) WHERE revoked_at IS NULL;

-- Refresh tokens already exchanged: presenting one again revokes its session.
CREATE TABLE rotated_refresh_tokens (
    hash       BLOB PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    rotated_at TIMESTAMP NOT NULL
);
CREATE INDEX rotated_refresh_tokens_session ON rotated_refresh_tokens (session_id);

CREATE TABLE login_failures (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    email      TEXT NOT NULL,           -- lower-cased as typed, known or not
    ip_address TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, created_at);
CREATE INDEX login_failures_ip ON login_failures (ip_address, created_at);

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    deleted_at  TIMESTAMP
);
CREATE UNIQUE INDEX teams_name_key ON teams (lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE memberships (
    team_id    INTEGER NOT NULL REFERENCES teams (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    is_admin   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE UNIQUE INDEX memberships_one_admin ON memberships (team_id) WHERE is_admin;
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('Aberto', 'Em_andamento', 'Fechado')),
    priority        INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 3), -- 1 Baixa, 2 Média, 3 Alta
    team_id         INTEGER NOT NULL REFERENCES teams (id),
    created_by      INTEGER NOT NULL REFERENCES users (id),
    assigned_to     INTEGER REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    closed_at       TIMESTAMP,
    version         INTEGER NOT NULL DEFAULT 1,
    idempotency_key TEXT,
    CHECK ((status = 'Fechado') = (closed_at IS NOT NULL))
);
CREATE UNIQUE INDEX tickets_idempotency ON tickets (created_by, idempotency_key);
CREATE INDEX tickets_created ON tickets (created_at, id);
CREATE INDEX tickets_updated ON tickets (updated_at, id);
CREATE INDEX tickets_team_created ON tickets (team_id, created_at, id);
CREATE INDEX tickets_team_status_created ON tickets (team_id, status, created_at, id);
CREATE INDEX tickets_team_updated ON tickets (team_id, updated_at, id);
CREATE INDEX tickets_team_priority ON tickets (team_id, priority, id);
CREATE INDEX tickets_creator_created ON tickets (created_by, created_at, id);
CREATE INDEX tickets_assignee_created ON tickets (assigned_to, created_at, id);

CREATE TABLE messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    author_id   INTEGER NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    is_internal BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX messages_ticket ON messages (ticket_id, id);

CREATE TABLE ticket_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    type       TEXT NOT NULL CHECK (type IN ('created', 'status_changed', 'priority_changed', 'assigned',
                   'redirected', 'message_added', 'reopened', 'edited')),
    actor_id   INTEGER REFERENCES users (id),
    data       TEXT NOT NULL DEFAULT '{}',
    internal   BOOLEAN NOT NULL DEFAULT FALSE, -- about an internal note: hidden from the requester
    team_id    INTEGER NOT NULL REFERENCES teams (id), -- the ticket's team after the event
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

-- A public reply or internal note always has its timeline entry, written by
-- the same statement that stores the message.
-- +goose StatementBegin
CREATE TRIGGER messages_event AFTER INSERT ON messages BEGIN
    INSERT INTO ticket_events (ticket_id, type, actor_id, data, internal, team_id, created_at)
    SELECT NEW.ticket_id, 'message_added', NEW.author_id,
           json_object('messageId', NEW.id, 'isInternal', json(CASE WHEN NEW.is_internal THEN 'true' ELSE 'false' END)),
           NEW.is_internal, t.team_id, NEW.created_at
    FROM tickets t WHERE t.id = NEW.ticket_id;
    UPDATE tickets SET updated_at = NEW.created_at WHERE id = NEW.ticket_id AND updated_at < NEW.created_at;
END;
-- +goose StatementEnd

-- Full-text search: accents and case folded (unicode61 remove_diacritics 2).
CREATE VIRTUAL TABLE tickets_fts USING fts5 (
    title, description, content = 'tickets', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    body, content = 'messages', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- +goose StatementBegin
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, title, description) VALUES (NEW.id, NEW.title, NEW.description);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF title, description ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, title, description) VALUES ('delete', OLD.id, OLD.title, OLD.description);
    INSERT INTO tickets_fts (rowid, title, description) VALUES (NEW.id, NEW.title, NEW.description);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (NEW.id, NEW.body);
END;
-- +goose StatementEnd

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id    INTEGER REFERENCES users (id),
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   INTEGER NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP NOT NULL
);

-- +goose Down
SELECT 'forward only';
