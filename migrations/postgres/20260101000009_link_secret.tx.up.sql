-- Household links recoverable at export time. A link's token is derived:
-- HMAC-SHA256(the database's link secret, book | household | generation),
-- so the roster and the slips can print every household's current link while
-- the table still keeps only the token's SHA-256 for lookups (ledger/disclosure.go
-- explains the choice). The secret is made once, by the application, with
-- crypto/rand, the first time a link is made.
CREATE TABLE link_secret (
    id     SMALLINT NOT NULL PRIMARY KEY CHECK (id = 1),
    secret TEXT    NOT NULL
);

-- generation counts the links a household has had: regenerating bumps it, so
-- the old token can never be derived again. 0 marks a link made before this
-- migration, with a random token that cannot be recovered (regenerate it to
-- print it). Revoking keeps the row (and so the generation) and marks it.
ALTER TABLE household_links ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE household_links ADD COLUMN revoked_at TEXT;
ALTER TABLE household_links ADD COLUMN revoked_by BIGINT;
