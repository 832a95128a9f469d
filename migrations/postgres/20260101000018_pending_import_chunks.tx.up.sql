-- A pending import's vouchers are kept in chunks of at most 1,000, in the
-- order they will be posted, each with the vouchers' indices in the
-- submission ({"indices": [...], "vouchers": [...]}), so that submitting
-- and approving 200,000 lines never holds the whole file as one payload.
CREATE TABLE pending_import_chunks (
    book_id   BIGINT  NOT NULL,
    import_id BIGINT  NOT NULL,
    seq       INTEGER NOT NULL CHECK (seq > 0),
    payload   TEXT    NOT NULL,
    PRIMARY KEY (book_id, import_id, seq),
    FOREIGN KEY (book_id, import_id) REFERENCES pending_imports (book_id, id)
);

--bun:split

-- An import stored before as one payload (a JSON array of the vouchers, in
-- the order submitted) becomes its only chunk, without indices: the ledger
-- reads those as the vouchers' positions and sorts a workbook's by month
-- and number when it posts them, as it did.
INSERT INTO pending_import_chunks (book_id, import_id, seq, payload)
SELECT book_id, id, 1, '{"indices":null,"vouchers":' || payload || '}' FROM pending_imports;

--bun:split

ALTER TABLE pending_imports DROP COLUMN payload;
