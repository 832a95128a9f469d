-- Invariants simple enough for the database to hold, whatever the code does:
-- a voucher line has exactly one side (a red reversal's side is negative, so
-- "one side non-zero and the other zero"); payments, their allocations and
-- declarations are positive. SQLite cannot add a CHECK to an existing table
-- without rebuilding it (and the voucher tables carry history triggers), so
-- triggers refuse the same rows on insert and update; PostgreSQL has real
-- CHECK constraints (its migration 010).
CREATE TRIGGER voucher_lines_one_side_insert BEFORE INSERT ON voucher_lines
WHEN (NEW.debit_fen = 0) = (NEW.credit_fen = 0)
BEGIN SELECT RAISE(ABORT, 'voucher_lines: a line has exactly one side'); END;

CREATE TRIGGER voucher_lines_one_side_update BEFORE UPDATE OF debit_fen, credit_fen ON voucher_lines
WHEN (NEW.debit_fen = 0) = (NEW.credit_fen = 0)
BEGIN SELECT RAISE(ABORT, 'voucher_lines: a line has exactly one side'); END;

CREATE TRIGGER payments_positive_insert BEFORE INSERT ON payments
WHEN NEW.amount_fen <= 0
BEGIN SELECT RAISE(ABORT, 'payments: amount must be positive'); END;

CREATE TRIGGER payments_positive_update BEFORE UPDATE OF amount_fen ON payments
WHEN NEW.amount_fen <= 0
BEGIN SELECT RAISE(ABORT, 'payments: amount must be positive'); END;

CREATE TRIGGER payment_allocations_positive_insert BEFORE INSERT ON payment_allocations
WHEN NEW.amount_fen <= 0
BEGIN SELECT RAISE(ABORT, 'payment_allocations: amount must be positive'); END;

CREATE TRIGGER payment_allocations_positive_update BEFORE UPDATE OF amount_fen ON payment_allocations
WHEN NEW.amount_fen <= 0
BEGIN SELECT RAISE(ABORT, 'payment_allocations: amount must be positive'); END;

CREATE TRIGGER declarations_positive_insert BEFORE INSERT ON declarations
WHEN NEW.amount_fen <= 0
BEGIN SELECT RAISE(ABORT, 'declarations: amount must be positive'); END;

CREATE TRIGGER declarations_positive_update BEFORE UPDATE OF amount_fen ON declarations
WHEN NEW.amount_fen <= 0
BEGIN SELECT RAISE(ABORT, 'declarations: amount must be positive'); END;
