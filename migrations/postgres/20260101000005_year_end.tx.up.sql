-- Year-end closing (年终结转): the closed years of a book and the closing
-- vouchers each preparation generated. A closed year accepts nothing dated in
-- it; reopening is a township action recorded in the audit log.
CREATE TABLE year_ends (
    book_id   BIGINT  NOT NULL REFERENCES books (id),
    year      INTEGER NOT NULL,
    closed    BOOLEAN NOT NULL,
    closed_at TEXT,
    closed_by BIGINT,
    PRIMARY KEY (book_id, year)
);

-- One row per generated closing voucher. step 1 carries 损益 to 本年收益,
-- 2 本年收益 to 未分配收益, 3 各项分配 to 未分配收益, 0 is a red reversal of an
-- earlier round's voucher. No foreign key to vouchers: the preparer may
-- discard a draft, and a row whose voucher is gone is simply ignored (voucher
-- ids are never reused).
CREATE TABLE year_end_vouchers (
    book_id    BIGINT  NOT NULL REFERENCES books (id),
    voucher_id BIGINT  NOT NULL,
    year       INTEGER NOT NULL,
    round      INTEGER NOT NULL,
    step       INTEGER NOT NULL CHECK (step BETWEEN 0 AND 3),
    PRIMARY KEY (book_id, voucher_id)
);
CREATE INDEX year_end_vouchers_year ON year_end_vouchers (book_id, year, round);
