-- File imports: one row per accepted upload, inserted in the transaction that
-- applies it, so the same file uploaded again for the same target is
-- recognised and applied at most once.
CREATE TABLE file_imports (
    book_id     BIGINT  NOT NULL REFERENCES books (id),
    kind        TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,
    file_name   TEXT    NOT NULL,
    rows        INTEGER NOT NULL,
    user_id     BIGINT  NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (book_id, kind, target, sha256)
);
