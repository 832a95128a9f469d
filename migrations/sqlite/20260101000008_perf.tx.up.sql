-- Per account and month totals of the maintained balances (which are per
-- account × household × party × month). A trial balance's opening is the sum
-- of every month before its range: over these rows it costs accounts × months
-- instead of accounts × households × months. Written beside balances by
-- posting and by the batch import, in the same statements' transaction.
CREATE TABLE account_balances (
    book_id      BIGINT NOT NULL REFERENCES books (id),
    account_code TEXT   NOT NULL,
    period       TEXT   NOT NULL,
    debit_fen    BIGINT NOT NULL,
    credit_fen   BIGINT NOT NULL,
    PRIMARY KEY (book_id, account_code, period)
);

INSERT INTO account_balances (book_id, account_code, period, debit_fen, credit_fen)
SELECT book_id, account_code, period, SUM(debit_fen), SUM(credit_fen) FROM balances
GROUP BY book_id, account_code, period;

-- One household's opening balance reads only the index.
CREATE INDEX balances_household_sums ON balances (book_id, household_code, period, account_code, debit_fen, credit_fen);
DROP INDEX balances_household;
