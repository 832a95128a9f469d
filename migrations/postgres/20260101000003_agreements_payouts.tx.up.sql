-- Agreements (versioned terms), declarations, work records, payout runs,
-- their lines, approvals and payments. Amounts are integer fen; areas, shares
-- and rates live in the terms JSON as decimal strings, which round-trip exactly.
CREATE TABLE agreements (
    book_id        BIGINT NOT NULL REFERENCES books (id),
    code           TEXT   NOT NULL,
    title          TEXT   NOT NULL,
    kind           TEXT   NOT NULL,
    party_code     TEXT   NOT NULL,
    start_date     TEXT   NOT NULL,
    end_date       TEXT   NOT NULL DEFAULT '',
    debit_account  TEXT   NOT NULL,
    credit_account TEXT   NOT NULL,
    extra_account  TEXT   NOT NULL DEFAULT '',
    created_at     TEXT   NOT NULL,
    created_by     BIGINT NOT NULL,
    PRIMARY KEY (book_id, code),
    FOREIGN KEY (book_id, party_code) REFERENCES parties (book_id, code)
);

CREATE TABLE agreement_versions (
    book_id        BIGINT  NOT NULL,
    agreement_code TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    effective_from TEXT    NOT NULL,
    terms          TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    created_by     BIGINT  NOT NULL,
    PRIMARY KEY (book_id, agreement_code, version),
    FOREIGN KEY (book_id, agreement_code) REFERENCES agreements (book_id, code)
);

CREATE TABLE declarations (
    book_id        BIGINT NOT NULL,
    agreement_code TEXT   NOT NULL,
    quarter        TEXT   NOT NULL,
    amount_fen     BIGINT NOT NULL,
    created_at     TEXT   NOT NULL,
    created_by     BIGINT NOT NULL,
    PRIMARY KEY (book_id, agreement_code, quarter),
    FOREIGN KEY (book_id, agreement_code) REFERENCES agreements (book_id, code)
);

CREATE TABLE work_records (
    book_id        BIGINT NOT NULL,
    agreement_code TEXT   NOT NULL,
    id             BIGINT NOT NULL,
    household_code TEXT   NOT NULL,
    date           TEXT   NOT NULL,
    quantity       TEXT   NOT NULL,
    unit           TEXT   NOT NULL,
    unit_rate      TEXT   NOT NULL,
    note           TEXT   NOT NULL DEFAULT '',
    created_at     TEXT   NOT NULL,
    created_by     BIGINT NOT NULL,
    PRIMARY KEY (book_id, agreement_code, id),
    FOREIGN KEY (book_id, agreement_code) REFERENCES agreements (book_id, code),
    FOREIGN KEY (book_id, household_code) REFERENCES households (book_id, code)
);
CREATE INDEX work_records_date ON work_records (book_id, agreement_code, date);

CREATE TABLE payout_runs (
    book_id       BIGINT  NOT NULL REFERENCES books (id),
    id            BIGINT  NOT NULL,
    quarter       TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('draft', 'approved')),
    adjustment    BOOLEAN NOT NULL DEFAULT FALSE,
    rounding_rule TEXT    NOT NULL,
    preparer_id   BIGINT  NOT NULL,
    approver_id   BIGINT,
    computed_at   TEXT    NOT NULL,
    approved_at   TEXT,
    total_fen     BIGINT  NOT NULL,
    created_at    TEXT    NOT NULL,
    PRIMARY KEY (book_id, id)
);

CREATE TABLE payout_lines (
    book_id            BIGINT  NOT NULL,
    run_id             BIGINT  NOT NULL,
    line_no            INTEGER NOT NULL,
    agreement_code     TEXT    NOT NULL,
    household_code     TEXT    NOT NULL,
    kind               TEXT    NOT NULL,
    credit_account     TEXT    NOT NULL,
    amount_fen         BIGINT  NOT NULL,
    fee_fen            BIGINT  NOT NULL DEFAULT 0,
    basis              TEXT    NOT NULL,
    accrual_voucher_id BIGINT,
    PRIMARY KEY (book_id, run_id, line_no),
    FOREIGN KEY (book_id, run_id) REFERENCES payout_runs (book_id, id)
);
CREATE INDEX payout_lines_household ON payout_lines (book_id, household_code, run_id);

-- One approved regular run per book, quarter and agreement.
CREATE TABLE payout_approvals (
    book_id        BIGINT NOT NULL,
    quarter        TEXT   NOT NULL,
    agreement_code TEXT   NOT NULL,
    run_id         BIGINT NOT NULL,
    PRIMARY KEY (book_id, quarter, agreement_code),
    FOREIGN KEY (book_id, run_id) REFERENCES payout_runs (book_id, id)
);

CREATE TABLE payments (
    book_id        BIGINT NOT NULL,
    id             BIGINT NOT NULL,
    run_id         BIGINT NOT NULL,
    household_code TEXT   NOT NULL,
    amount_fen     BIGINT NOT NULL,
    date           TEXT   NOT NULL,
    method         TEXT   NOT NULL CHECK (method IN ('bank', 'cash')),
    reference      TEXT   NOT NULL DEFAULT '',
    voucher_id     BIGINT NOT NULL,
    created_at     TEXT   NOT NULL,
    created_by     BIGINT NOT NULL,
    PRIMARY KEY (book_id, id),
    FOREIGN KEY (book_id, run_id) REFERENCES payout_runs (book_id, id)
);
CREATE UNIQUE INDEX payments_reference ON payments (book_id, reference) WHERE reference <> '';
CREATE INDEX payments_run ON payments (book_id, run_id, household_code);

-- How each payment is spread over the household's lines of the run.
CREATE TABLE payment_allocations (
    book_id    BIGINT  NOT NULL,
    payment_id BIGINT  NOT NULL,
    run_id     BIGINT  NOT NULL,
    line_no    INTEGER NOT NULL,
    amount_fen BIGINT  NOT NULL,
    PRIMARY KEY (book_id, payment_id, line_no),
    FOREIGN KEY (book_id, payment_id) REFERENCES payments (book_id, id)
);
CREATE INDEX payment_allocations_line ON payment_allocations (book_id, run_id, line_no);
