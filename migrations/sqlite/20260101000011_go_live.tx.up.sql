-- Go-live and how each voucher was posted (issue 15, item 2).
--
-- go_live_period is the first month kept in coopledger; months from
-- start_period up to it hold the old paper books, which come in only as
-- imports a township officer approves. An existing book goes live in the
-- month of its first voucher posted through review (its books were kept here
-- from then on); a book with none goes live after its last imported voucher,
-- or at its start month when it has none.
ALTER TABLE books ADD COLUMN go_live_period TEXT NOT NULL DEFAULT '';

--bun:split

-- posted_via names the path that posted a voucher (review, batch_import,
-- workbook_import, opening_balances, payout_approval, payment); the old
-- books' preparer and reviewer are kept as text, never as users.
ALTER TABLE vouchers ADD COLUMN posted_via TEXT NOT NULL DEFAULT '';

--bun:split

ALTER TABLE vouchers ADD COLUMN orig_prepared_by TEXT NOT NULL DEFAULT '';

--bun:split

ALTER TABLE vouchers ADD COLUMN orig_reviewed_by TEXT NOT NULL DEFAULT '';

--bun:split

-- The immutability trigger lists its columns and refuses any change to a
-- reversed voucher: drop it for the backfill, then recreate it with the new
-- columns.
DROP TRIGGER vouchers_immutable_update;

--bun:split

-- Before this release batch and workbook imports were not told apart: both
-- show batch_import.
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
WHERE status = 'posted' AND imported = 1;

--bun:split

-- The names an import recorded in its audit entry.
UPDATE vouchers SET
    orig_prepared_by = COALESCE((SELECT json_extract(a.after_json, '$.prepared_by') FROM audit_log a
        WHERE a.book_id = vouchers.book_id AND a.entity = 'voucher' AND a.action = 'post'
          AND a.entity_key = CAST(vouchers.id AS TEXT) AND json_valid(a.after_json)), ''),
    orig_reviewed_by = COALESCE((SELECT json_extract(a.after_json, '$.reviewed_by') FROM audit_log a
        WHERE a.book_id = vouchers.book_id AND a.entity = 'voucher' AND a.action = 'post'
          AND a.entity_key = CAST(vouchers.id AS TEXT) AND json_valid(a.after_json)), '')
WHERE status = 'posted' AND posted_via = 'batch_import';

--bun:split

UPDATE books SET go_live_period = COALESCE(
    (SELECT MIN(period) FROM vouchers v WHERE v.book_id = books.id AND v.status = 'posted' AND v.posted_via <> 'batch_import' AND v.posted_via <> 'opening_balances'),
    (SELECT strftime('%Y-%m', MAX(period) || '-01', '+1 month') FROM vouchers v WHERE v.book_id = books.id AND v.status = 'posted' AND v.posted_via = 'batch_import'),
    start_period);

--bun:split

UPDATE books SET go_live_period = start_period WHERE go_live_period < start_period;

--bun:split

CREATE TRIGGER vouchers_immutable_update BEFORE UPDATE ON vouchers
WHEN OLD.status = 'posted' AND (
    OLD.reversed_by_id IS NOT NULL
    OR NEW.book_id IS NOT OLD.book_id OR NEW.id IS NOT OLD.id
    OR NEW.status IS NOT OLD.status OR NEW.date IS NOT OLD.date
    OR NEW.period IS NOT OLD.period OR NEW.summary IS NOT OLD.summary
    OR NEW.attachments IS NOT OLD.attachments OR NEW.preparer_id IS NOT OLD.preparer_id
    OR NEW.reviewer_id IS NOT OLD.reviewer_id OR NEW.number IS NOT OLD.number
    OR NEW.posted_at IS NOT OLD.posted_at OR NEW.reverses_id IS NOT OLD.reverses_id
    OR NEW.imported IS NOT OLD.imported OR NEW.chain_seq IS NOT OLD.chain_seq
    OR NEW.prev_hash IS NOT OLD.prev_hash OR NEW.hash IS NOT OLD.hash
    OR NEW.total_fen IS NOT OLD.total_fen OR NEW.created_at IS NOT OLD.created_at
    OR NEW.updated_at IS NOT OLD.updated_at OR NEW.posted_via IS NOT OLD.posted_via
    OR NEW.orig_prepared_by IS NOT OLD.orig_prepared_by OR NEW.orig_reviewed_by IS NOT OLD.orig_reviewed_by)
BEGIN SELECT RAISE(ABORT, 'immutable: a posted voucher cannot change'); END;

--bun:split

-- A historical import waits here, nothing posted and nothing numbered, until
-- a township officer other than its uploader approves (posting it all or
-- none) or rejects it. payload is the vouchers as submitted (JSON).
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
