-- Idempotency keys: the row is inserted in the same transaction as what the
-- request creates, so a retried request can never create a second thing.
CREATE TABLE idempotency_keys (
    user_id      BIGINT  NOT NULL,
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    status_code  INTEGER NOT NULL DEFAULT 0,
    body         TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (user_id, key)
);
