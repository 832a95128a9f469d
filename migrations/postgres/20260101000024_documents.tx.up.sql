-- Source documents (原始凭证) and receipts handed in by a village's 报账员.
--
-- vouchers.chain_version is the chain encoding a posted voucher was hashed
-- under: 1 (coopledger-voucher-v1) for every voucher posted before this
-- migration, 2 from now on (v1 plus the SHA-256 of its documents). Verify
-- recomputes each voucher under its own version.
ALTER TABLE vouchers ADD COLUMN chain_version INTEGER NOT NULL DEFAULT 1 CHECK (chain_version IN (1, 2));

-- A receipt: what a 报账员 hands in (a note, an amount and date as hints,
-- documents); an accountant prepares a draft voucher from it.
CREATE TABLE receipts (
    book_id       BIGINT NOT NULL REFERENCES books (id),
    id            BIGINT NOT NULL,
    note          TEXT   NOT NULL,
    amount_fen    BIGINT CHECK (amount_fen > 0),
    date_hint     TEXT,
    status        TEXT   NOT NULL CHECK (status IN ('submitted', 'prepared')),
    submitted_by  BIGINT NOT NULL REFERENCES users (id),
    submitted_at  TEXT   NOT NULL,
    voucher_id    BIGINT,
    prepared_by   BIGINT REFERENCES users (id),
    prepared_at   TEXT,
    PRIMARY KEY (book_id, id),
    FOREIGN KEY (book_id, voucher_id) REFERENCES vouchers (book_id, id)
);
CREATE INDEX receipts_status ON receipts (book_id, status, id);

-- A document: a scan or photo (JPEG, PNG or PDF) of a voucher or of a
-- receipt. Its bytes are in document_chunks, 256 KiB a row, so that neither
-- writing nor reading one holds it whole in memory; sha256 is the hex digest
-- of all of them. An addendum was added after its voucher was posted: it is
-- outside the voucher's hash and has its own audit-log entry.
CREATE TABLE documents (
    book_id       BIGINT  NOT NULL REFERENCES books (id),
    id            BIGINT  NOT NULL,
    voucher_id    BIGINT,
    receipt_id    BIGINT,
    name          TEXT    NOT NULL,
    content_type  TEXT    NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size_bytes    BIGINT  NOT NULL CHECK (size_bytes > 0),
    sha256        TEXT    NOT NULL,
    addendum      BOOLEAN NOT NULL DEFAULT FALSE,
    added_by      BIGINT  NOT NULL REFERENCES users (id),
    added_at      TEXT    NOT NULL,
    PRIMARY KEY (book_id, id),
    FOREIGN KEY (book_id, voucher_id) REFERENCES vouchers (book_id, id),
    FOREIGN KEY (book_id, receipt_id) REFERENCES receipts (book_id, id),
    CHECK (voucher_id IS NOT NULL OR receipt_id IS NOT NULL)
);
CREATE INDEX documents_voucher ON documents (book_id, voucher_id);
CREATE INDEX documents_receipt ON documents (book_id, receipt_id);

CREATE TABLE document_chunks (
    book_id      BIGINT  NOT NULL,
    document_id  BIGINT  NOT NULL,
    seq          INTEGER NOT NULL,
    data         BYTEA   NOT NULL,
    PRIMARY KEY (book_id, document_id, seq),
    FOREIGN KEY (book_id, document_id) REFERENCES documents (book_id, id)
);
