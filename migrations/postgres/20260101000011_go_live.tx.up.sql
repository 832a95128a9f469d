-- Go-live and how each voucher was posted (issue 15, item 2); the SQLite
-- migration of the same number explains the choices.
ALTER TABLE books ADD COLUMN go_live_period TEXT NOT NULL DEFAULT '';
ALTER TABLE vouchers ADD COLUMN posted_via TEXT NOT NULL DEFAULT '';
ALTER TABLE vouchers ADD COLUMN orig_prepared_by TEXT NOT NULL DEFAULT '';
ALTER TABLE vouchers ADD COLUMN orig_reviewed_by TEXT NOT NULL DEFAULT '';

--bun:split

-- The immutability trigger compares whole rows, so it guards the new columns
-- as they are; it is held off only for this backfill.
ALTER TABLE vouchers DISABLE TRIGGER vouchers_immutable;

--bun:split

UPDATE vouchers SET posted_via = 'review' WHERE status = 'posted';

--bun:split

UPDATE vouchers SET posted_via = 'payout_approval' WHERE status = 'posted' AND (book_id, id) IN
    (SELECT book_id, accrual_voucher_id FROM payout_lines WHERE accrual_voucher_id IS NOT NULL);

--bun:split

UPDATE vouchers SET posted_via = 'payment' WHERE status = 'posted' AND (book_id, id) IN
    (SELECT book_id, voucher_id FROM payments);

--bun:split

UPDATE vouchers SET posted_via = CASE
    WHEN period < (SELECT start_period FROM books b WHERE b.id = vouchers.book_id) THEN 'opening_balances'
    ELSE 'batch_import' END
WHERE status = 'posted' AND imported;

--bun:split

UPDATE vouchers SET
    orig_prepared_by = COALESCE((SELECT a.after_json::jsonb ->> 'prepared_by' FROM audit_log a
        WHERE a.book_id = vouchers.book_id AND a.entity = 'voucher' AND a.action = 'post'
          AND a.entity_key = vouchers.id::text AND a.after_json LIKE '{%' LIMIT 1), ''),
    orig_reviewed_by = COALESCE((SELECT a.after_json::jsonb ->> 'reviewed_by' FROM audit_log a
        WHERE a.book_id = vouchers.book_id AND a.entity = 'voucher' AND a.action = 'post'
          AND a.entity_key = vouchers.id::text AND a.after_json LIKE '{%' LIMIT 1), '')
WHERE status = 'posted' AND posted_via = 'batch_import';

--bun:split

ALTER TABLE vouchers ENABLE TRIGGER vouchers_immutable;

--bun:split

UPDATE books SET go_live_period = COALESCE(
    (SELECT MIN(period) FROM vouchers v WHERE v.book_id = books.id AND v.status = 'posted' AND v.posted_via NOT IN ('batch_import', 'opening_balances')),
    (SELECT to_char(to_date(MAX(period), 'YYYY-MM') + interval '1 month', 'YYYY-MM') FROM vouchers v
        WHERE v.book_id = books.id AND v.status = 'posted' AND v.posted_via = 'batch_import'),
    start_period);
UPDATE books SET go_live_period = start_period WHERE go_live_period < start_period;

--bun:split

CREATE TABLE pending_imports (
    book_id     BIGINT  NOT NULL REFERENCES books (id),
    id          BIGINT  NOT NULL,
    via         TEXT    NOT NULL CHECK (via IN ('batch_import', 'workbook_import')),
    status      TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    vouchers    INTEGER NOT NULL,
    lines       INTEGER NOT NULL,
    from_period TEXT    NOT NULL,
    to_period   TEXT    NOT NULL,
    file_name   TEXT    NOT NULL DEFAULT '',
    sha256      TEXT    NOT NULL DEFAULT '',
    uploaded_by BIGINT  NOT NULL,
    uploaded_at TEXT    NOT NULL,
    decided_by  BIGINT,
    decided_at  TEXT,
    reason      TEXT    NOT NULL DEFAULT '',
    payload     TEXT    NOT NULL,
    PRIMARY KEY (book_id, id)
);
CREATE INDEX pending_imports_status ON pending_imports (book_id, status, id);
