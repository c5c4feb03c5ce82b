-- +goose Up
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent is STABLE; an IMMUTABLE wrapper naming its dictionary lets the
-- generated search columns and their indexes use it.
-- +goose StatementBegin
CREATE FUNCTION ajudae_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
-- +goose StatementEnd

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          TEXT,                 -- NULL once the user is deleted
    email         TEXT,                 -- NULL once the user is deleted
    password_hash TEXT,
    role          TEXT NOT NULL CHECK (role IN ('ADMIN', 'ATTENDANT', 'USER')),
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    last_login    TIMESTAMPTZ,
    deleted_at    TIMESTAMPTZ
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_one_admin ON users (role) WHERE role = 'ADMIN';

CREATE TABLE sessions (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id            BIGINT NOT NULL REFERENCES users (id),
    access_hash        BYTEA NOT NULL UNIQUE,
    refresh_hash       BYTEA UNIQUE,    -- NULL for a web UI session
    access_expires_at  TIMESTAMPTZ NOT NULL,
    refresh_expires_at TIMESTAMPTZ NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    last_used_at       TIMESTAMPTZ NOT NULL,
    ip_address         TEXT NOT NULL,
    user_agent         TEXT NOT NULL,
    revoked_at         TIMESTAMPTZ
);
CREATE INDEX sessions_user ON sessions (user_id, id) WHERE revoked_at IS NULL;

-- Refresh tokens already exchanged: presenting one again revokes its session.
CREATE TABLE rotated_refresh_tokens (
    hash       BYTEA PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES sessions (id),
    rotated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX rotated_refresh_tokens_session ON rotated_refresh_tokens (session_id);

CREATE TABLE login_failures (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      TEXT NOT NULL,           -- lower-cased as typed, known or not
    ip_address TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, created_at);
CREATE INDEX login_failures_ip ON login_failures (ip_address, created_at);

CREATE TABLE teams (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    deleted_at  TIMESTAMPTZ
);
CREATE UNIQUE INDEX teams_name_key ON teams (lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE memberships (
    team_id    BIGINT NOT NULL REFERENCES teams (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    is_admin   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE UNIQUE INDEX memberships_one_admin ON memberships (team_id) WHERE is_admin;
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE tickets (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('Aberto', 'Em_andamento', 'Fechado')),
    priority        SMALLINT NOT NULL CHECK (priority BETWEEN 1 AND 3), -- 1 Baixa, 2 Média, 3 Alta
    team_id         BIGINT NOT NULL REFERENCES teams (id),
    created_by      BIGINT NOT NULL REFERENCES users (id),
    assigned_to     BIGINT REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    closed_at       TIMESTAMPTZ,
    version         INTEGER NOT NULL DEFAULT 1,
    idempotency_key TEXT,
    search          TSVECTOR GENERATED ALWAYS AS (
                        to_tsvector('portuguese', ajudae_unaccent(title || ' ' || description))) STORED,
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
CREATE INDEX tickets_search ON tickets USING gin (search);

CREATE TABLE messages (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id),
    author_id   BIGINT NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    is_internal BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL,
    search      TSVECTOR GENERATED ALWAYS AS (to_tsvector('portuguese', ajudae_unaccent(body))) STORED
);
CREATE INDEX messages_ticket ON messages (ticket_id, id);
CREATE INDEX messages_search ON messages USING gin (search);

CREATE TABLE ticket_events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id),
    type       TEXT NOT NULL CHECK (type IN ('created', 'status_changed', 'priority_changed', 'assigned',
                   'redirected', 'message_added', 'reopened', 'edited')),
    actor_id   BIGINT REFERENCES users (id),
    data       TEXT NOT NULL DEFAULT '{}',
    internal   BOOLEAN NOT NULL DEFAULT FALSE, -- about an internal note: hidden from the requester
    team_id    BIGINT NOT NULL REFERENCES teams (id), -- the ticket's team after the event
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

-- A public reply or internal note always has its timeline entry, written by
-- the same statement that stores the message.
-- +goose StatementBegin
CREATE FUNCTION messages_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_events (ticket_id, type, actor_id, data, internal, team_id, created_at)
    SELECT NEW.ticket_id, 'message_added', NEW.author_id,
           json_build_object('messageId', NEW.id, 'isInternal', NEW.is_internal)::text,
           NEW.is_internal, t.team_id, NEW.created_at
    FROM tickets t WHERE t.id = NEW.ticket_id;
    UPDATE tickets SET updated_at = NEW.created_at WHERE id = NEW.ticket_id AND updated_at < NEW.created_at;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER messages_event AFTER INSERT ON messages FOR EACH ROW EXECUTE FUNCTION messages_event();

-- Every timeline entry is announced to the replicas (live updates): the
-- payload is the event id, read back by whoever listens.
-- +goose StatementBegin
CREATE FUNCTION ticket_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ajudae_events', NEW.id::text);
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER ticket_events_notify AFTER INSERT ON ticket_events FOR EACH ROW EXECUTE FUNCTION ticket_events_notify();

CREATE TABLE audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id    BIGINT REFERENCES users (id),
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   BIGINT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    created_at  TIMESTAMPTZ NOT NULL
);

-- +goose Down
SELECT 'forward only';
