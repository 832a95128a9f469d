-- The person villagers ask about a book's figures, printed on its public
-- pages (the household statement and the quarter's disclosure). One row per
-- book that has set one; a book without a row shows no contact.
CREATE TABLE book_contacts (
    book_id    BIGINT NOT NULL PRIMARY KEY REFERENCES books (id),
    name       TEXT   NOT NULL,
    phone      TEXT   NOT NULL,
    updated_at TEXT   NOT NULL,
    updated_by BIGINT NOT NULL
);
