-- Ledger core: townships, books, users, charts, households, parties, vouchers,
-- periods, maintained balances, audit log. Amounts are integer fen.
CREATE TABLE counters (
    book_id BIGINT NOT NULL,
    name    TEXT   NOT NULL,
    value   BIGINT NOT NULL,
    PRIMARY KEY (book_id, name)
);

CREATE TABLE townships (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE books (
    id                  BIGINT  NOT NULL PRIMARY KEY,
    code                TEXT    NOT NULL UNIQUE,
    name                TEXT    NOT NULL,
    kind                TEXT    NOT NULL CHECK (kind IN ('village', 'cooperative')),
    township_code       TEXT    NOT NULL REFERENCES townships (code),
    start_period        TEXT    NOT NULL,
    segregation_opt_out BOOLEAN NOT NULL DEFAULT FALSE,
    opt_out_reason      TEXT    NOT NULL DEFAULT '',
    chain_seq           BIGINT  NOT NULL DEFAULT 0,
    chain_head          TEXT    NOT NULL DEFAULT '',
    created_at          TEXT    NOT NULL,
    created_by          BIGINT  NOT NULL
);

CREATE TABLE users (
    id            BIGINT  NOT NULL PRIMARY KEY,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'accountant', 'township', 'auditor')),
    township_code TEXT    NOT NULL DEFAULT '',
    token_hash    TEXT    NOT NULL UNIQUE,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TEXT    NOT NULL,
    created_by    BIGINT  NOT NULL
);

CREATE TABLE user_books (
    user_id BIGINT NOT NULL REFERENCES users (id),
    book_id BIGINT NOT NULL REFERENCES books (id),
    PRIMARY KEY (user_id, book_id)
);

CREATE TABLE accounts (
    book_id     BIGINT  NOT NULL REFERENCES books (id),
    code        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    normal_side TEXT    NOT NULL CHECK (normal_side IN ('debit', 'credit')),
    aux         TEXT    NOT NULL CHECK (aux IN ('none', 'household', 'party')),
    parent_code TEXT    NOT NULL DEFAULT '',
    is_leaf     BOOLEAN NOT NULL,
    created_at  TEXT    NOT NULL,
    created_by  BIGINT  NOT NULL,
    PRIMARY KEY (book_id, code)
);

CREATE TABLE households (
    book_id       BIGINT  NOT NULL REFERENCES books (id),
    code          TEXT    NOT NULL,
    head_name     TEXT    NOT NULL,
    id_number     TEXT    NOT NULL,
    bank_account  TEXT    NOT NULL DEFAULT '',
    members       INTEGER NOT NULL,
    village_group TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    PRIMARY KEY (book_id, code)
);
CREATE UNIQUE INDEX households_id_number ON households (book_id, id_number);

CREATE TABLE parties (
    book_id    BIGINT NOT NULL REFERENCES books (id),
    code       TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    uscc       TEXT   NOT NULL DEFAULT '',
    created_at TEXT   NOT NULL,
    updated_at TEXT   NOT NULL,
    PRIMARY KEY (book_id, code)
);

CREATE TABLE vouchers (
    book_id        BIGINT  NOT NULL REFERENCES books (id),
    id             BIGINT  NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('draft', 'posted')),
    date           TEXT    NOT NULL,
    period         TEXT    NOT NULL,
    summary        TEXT    NOT NULL,
    attachments    INTEGER NOT NULL DEFAULT 0,
    preparer_id    BIGINT  NOT NULL,
    reviewer_id    BIGINT,
    number         INTEGER,
    posted_at      TEXT,
    reverses_id    BIGINT,
    reversed_by_id BIGINT,
    imported       BOOLEAN NOT NULL DEFAULT FALSE,
    chain_seq      BIGINT,
    prev_hash      TEXT,
    hash           TEXT,
    total_fen      BIGINT  NOT NULL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    PRIMARY KEY (book_id, id),
    FOREIGN KEY (book_id, reverses_id) REFERENCES vouchers (book_id, id)
);
CREATE UNIQUE INDEX vouchers_number ON vouchers (book_id, period, number);
CREATE UNIQUE INDEX vouchers_chain ON vouchers (book_id, chain_seq);
CREATE UNIQUE INDEX vouchers_reverses ON vouchers (book_id, reverses_id);
CREATE INDEX vouchers_status_period ON vouchers (book_id, status, period, id);

CREATE TABLE voucher_lines (
    book_id        BIGINT NOT NULL,
    voucher_id     BIGINT NOT NULL,
    line_no        INTEGER NOT NULL,
    account_code   TEXT   NOT NULL,
    household_code TEXT,
    party_code     TEXT,
    debit_fen      BIGINT NOT NULL,
    credit_fen     BIGINT NOT NULL,
    summary        TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (book_id, voucher_id, line_no),
    FOREIGN KEY (book_id, voucher_id) REFERENCES vouchers (book_id, id),
    FOREIGN KEY (book_id, account_code) REFERENCES accounts (book_id, code),
    FOREIGN KEY (book_id, household_code) REFERENCES households (book_id, code),
    FOREIGN KEY (book_id, party_code) REFERENCES parties (book_id, code)
);
CREATE INDEX voucher_lines_account ON voucher_lines (book_id, account_code, voucher_id);
CREATE INDEX voucher_lines_household ON voucher_lines (book_id, household_code, voucher_id);

CREATE TABLE voucher_numbers (
    book_id     BIGINT  NOT NULL REFERENCES books (id),
    period      TEXT    NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (book_id, period)
);

CREATE TABLE periods (
    book_id   BIGINT  NOT NULL REFERENCES books (id),
    period    TEXT    NOT NULL,
    closed    BOOLEAN NOT NULL,
    closed_at TEXT,
    closed_by BIGINT,
    PRIMARY KEY (book_id, period)
);

-- One row per account x household x party x month; '' stands for "none" so
-- the primary key can cover it.
CREATE TABLE balances (
    book_id        BIGINT NOT NULL REFERENCES books (id),
    account_code   TEXT   NOT NULL,
    household_code TEXT   NOT NULL,
    party_code     TEXT   NOT NULL,
    period         TEXT   NOT NULL,
    debit_fen      BIGINT NOT NULL,
    credit_fen     BIGINT NOT NULL,
    PRIMARY KEY (book_id, account_code, household_code, party_code, period)
);
CREATE INDEX balances_period ON balances (book_id, period);
CREATE INDEX balances_household ON balances (book_id, household_code, period);

CREATE TABLE audit_log (
    book_id     BIGINT NOT NULL,
    id          BIGINT NOT NULL,
    at          TEXT   NOT NULL,
    user_id     BIGINT NOT NULL,
    action      TEXT   NOT NULL,
    entity      TEXT   NOT NULL,
    entity_key  TEXT   NOT NULL,
    reason      TEXT   NOT NULL DEFAULT '',
    before_json TEXT   NOT NULL DEFAULT '',
    after_json  TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (book_id, id)
);
CREATE INDEX audit_log_at ON audit_log (book_id, at);

--bun:split

CREATE FUNCTION coop_voucher_lines_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    st TEXT;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT status INTO st FROM vouchers WHERE book_id = NEW.book_id AND id = NEW.voucher_id;
    ELSE
        SELECT status INTO st FROM vouchers WHERE book_id = OLD.book_id AND id = OLD.voucher_id;
    END IF;
    IF st = 'posted' THEN
        RAISE EXCEPTION 'immutable: lines of a posted voucher cannot change';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

--bun:split

CREATE TRIGGER voucher_lines_immutable BEFORE INSERT OR UPDATE OR DELETE ON voucher_lines
FOR EACH ROW EXECUTE FUNCTION coop_voucher_lines_immutable();

--bun:split

-- A posted voucher may change in one way only: reversed_by_id set once.
CREATE FUNCTION coop_vouchers_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    probe vouchers;
BEGIN
    IF OLD.status <> 'posted' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'immutable: a posted voucher cannot be deleted';
    END IF;
    probe := NEW;
    probe.reversed_by_id := OLD.reversed_by_id;
    IF OLD.reversed_by_id IS NOT NULL OR probe IS DISTINCT FROM OLD THEN
        RAISE EXCEPTION 'immutable: a posted voucher cannot change';
    END IF;
    RETURN NEW;
END
$$;

--bun:split

CREATE TRIGGER vouchers_immutable BEFORE UPDATE OR DELETE ON vouchers
FOR EACH ROW EXECUTE FUNCTION coop_vouchers_immutable();

--bun:split

CREATE FUNCTION coop_audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'immutable: the audit log cannot change';
END
$$;

--bun:split

CREATE TRIGGER audit_log_immutable BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION coop_audit_log_immutable();
