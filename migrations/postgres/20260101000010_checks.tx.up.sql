-- Invariants simple enough for the database to hold, whatever the code does:
-- a voucher line has exactly one side (a red reversal's side is negative, so
-- "one side non-zero and the other zero"); payments, their allocations and
-- declarations are positive. SQLite holds the same rules with triggers (its
-- migration 010).
ALTER TABLE voucher_lines ADD CONSTRAINT voucher_lines_one_side CHECK ((debit_fen = 0) <> (credit_fen = 0));
ALTER TABLE payments ADD CONSTRAINT payments_positive CHECK (amount_fen > 0);
ALTER TABLE payment_allocations ADD CONSTRAINT payment_allocations_positive CHECK (amount_fen > 0);
ALTER TABLE declarations ADD CONSTRAINT declarations_positive CHECK (amount_fen > 0);
