-- A bank's statement (流水) of one bank account (102 or a sub-account), one
-- row per transaction as the bank printed it, in the bank's order (row_no).
-- serial_key is the 流水号 normalised (ReferenceKey), unique per account.
-- A row is matched to at most one line of a posted voucher on the same
-- account and a line to at most one row (match_kind auto or manual); the
-- 银行存款余额调节表 lists what is left unmatched on either side.
CREATE TABLE bank_lines (
    book_id         BIGINT NOT NULL REFERENCES books (id),
    id              BIGINT NOT NULL,
    account_code    TEXT   NOT NULL,
    date            TEXT   NOT NULL,
    summary         TEXT   NOT NULL,
    income_fen      BIGINT NOT NULL CHECK (income_fen >= 0),
    expense_fen     BIGINT NOT NULL CHECK (expense_fen >= 0),
    balance_fen     BIGINT NOT NULL,
    counterparty    TEXT   NOT NULL,
    serial          TEXT   NOT NULL,
    serial_key      TEXT   NOT NULL,
    row_no          BIGINT NOT NULL,
    voucher_id      BIGINT,
    line_no         INTEGER,
    match_kind      TEXT CHECK (match_kind IN ('auto', 'manual')),
    created_at      TEXT   NOT NULL,
    PRIMARY KEY (book_id, id),
    FOREIGN KEY (book_id, account_code) REFERENCES accounts (book_id, code),
    FOREIGN KEY (book_id, voucher_id, line_no) REFERENCES voucher_lines (book_id, voucher_id, line_no)
);
CREATE UNIQUE INDEX bank_lines_serial ON bank_lines (book_id, account_code, serial_key);
CREATE UNIQUE INDEX bank_lines_matched ON bank_lines (book_id, voucher_id, line_no);
CREATE INDEX bank_lines_date ON bank_lines (book_id, account_code, date, row_no);
