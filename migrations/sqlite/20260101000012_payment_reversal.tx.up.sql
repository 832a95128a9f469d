-- A payment is undone by a red reversal of its voucher: reversal_voucher_id
-- names the reversal once it is posted (filled here for payments whose voucher
-- an earlier release already reversed), and paid amounts leave such payments
-- out. reference_key is the bank reference normalised (NFKC, case-folded,
-- invisible characters dropped); the store fills it for older rows when it
-- opens the database, since SQL cannot normalise Unicode. A reference may be
-- used again once the payment that used it is reversed, so uniqueness is
-- checked on reference_key among unreversed payments, under the book's lock.
ALTER TABLE payments ADD COLUMN reversal_voucher_id BIGINT;
ALTER TABLE payments ADD COLUMN reference_key TEXT;
UPDATE payments SET reversal_voucher_id = (SELECT v.reversed_by_id FROM vouchers v
    WHERE v.book_id = payments.book_id AND v.id = payments.voucher_id AND v.status = 'posted')
WHERE reversal_voucher_id IS NULL;
UPDATE payments SET reference_key = '' WHERE reference = '';
DROP INDEX payments_reference;
CREATE INDEX payments_reference_key ON payments (book_id, reference_key);
CREATE INDEX payments_voucher ON payments (book_id, voucher_id);
