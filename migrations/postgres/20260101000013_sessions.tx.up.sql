-- Web sign-in sessions: not book data, a local table of this server. The
-- cookie holds a random id; only its SHA-256 is stored, so a copy of the
-- database signs no one in. A row dies at idle_until or expires_at, on
-- sign-out, and when its user's token is revoked.
CREATE TABLE web_sessions (
    id_hash      TEXT   NOT NULL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    created_at   TEXT   NOT NULL,
    last_seen_at TEXT   NOT NULL,
    expires_at   TEXT   NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
