-- A draft voucher a reviewer returned to its preparer (驳回) with a reason.
-- The draft itself is unchanged and stays a draft; the row leaves the
-- township's review queue until the preparer edits the draft (which removes
-- the row) and shows the reason on the preparer's home page. The return is
-- also in the audit log.
CREATE TABLE draft_returns (
    book_id     BIGINT NOT NULL REFERENCES books (id),
    voucher_id  BIGINT NOT NULL,
    reason      TEXT   NOT NULL,
    returned_by BIGINT NOT NULL,
    returned_at TEXT   NOT NULL,
    PRIMARY KEY (book_id, voucher_id)
);
