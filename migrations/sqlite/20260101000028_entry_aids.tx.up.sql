-- Aids to voucher entry, per book: the 常用摘要 library offered in the
-- 摘要 fields, and voucher templates for recurring vouchers (monthly wages,
-- a utility bill). A template is a voucher's shape: summary and lines, with
-- amounts in fen as a voucher's; a draft made from it is an ordinary draft.
CREATE TABLE summary_phrases (
    book_id     BIGINT NOT NULL REFERENCES books (id),
    id          BIGINT NOT NULL,
    text        TEXT   NOT NULL,
    created_at  TEXT   NOT NULL,
    PRIMARY KEY (book_id, id)
);
CREATE UNIQUE INDEX summary_phrases_text ON summary_phrases (book_id, text);

CREATE TABLE voucher_templates (
    book_id     BIGINT  NOT NULL REFERENCES books (id),
    id          BIGINT  NOT NULL,
    name        TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    attachments INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (book_id, id)
);
CREATE UNIQUE INDEX voucher_templates_name ON voucher_templates (book_id, name);

CREATE TABLE voucher_template_lines (
    book_id        BIGINT  NOT NULL,
    template_id    BIGINT  NOT NULL,
    line_no        INTEGER NOT NULL,
    account_code   TEXT    NOT NULL,
    household_code TEXT,
    party_code     TEXT,
    debit_fen      BIGINT  NOT NULL,
    credit_fen     BIGINT  NOT NULL,
    summary        TEXT    NOT NULL,
    PRIMARY KEY (book_id, template_id, line_no),
    FOREIGN KEY (book_id, template_id) REFERENCES voucher_templates (book_id, id)
);
