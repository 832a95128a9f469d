-- Public disclosure (财务公开): a book's quarter published for anyone with the
-- link, until it is withdrawn. Rows are kept after withdrawal (history); a
-- withdrawn slug never answers again, and publishing anew makes a new slug.
CREATE TABLE disclosures (
    book_id      BIGINT NOT NULL REFERENCES books (id),
    id           BIGINT NOT NULL,
    quarter      TEXT   NOT NULL,
    slug         TEXT   NOT NULL,
    published_at TEXT   NOT NULL,
    published_by BIGINT NOT NULL,
    withdrawn_at TEXT,
    withdrawn_by BIGINT,
    PRIMARY KEY (book_id, id)
);
CREATE UNIQUE INDEX disclosures_slug ON disclosures (book_id, slug);
CREATE UNIQUE INDEX disclosures_current ON disclosures (book_id, quarter) WHERE withdrawn_at IS NULL;

-- A household's own statement link: only the SHA-256 of its random token is
-- kept, so the database cannot give the link away. Regenerating replaces the
-- hash (the old link stops working); revoking deletes the row.
CREATE TABLE household_links (
    book_id        BIGINT NOT NULL REFERENCES books (id),
    household_code TEXT   NOT NULL,
    token_sha256   TEXT   NOT NULL,
    created_at     TEXT   NOT NULL,
    created_by     BIGINT NOT NULL,
    PRIMARY KEY (book_id, household_code),
    FOREIGN KEY (book_id, household_code) REFERENCES households (book_id, code)
);
CREATE UNIQUE INDEX household_links_token ON household_links (book_id, token_sha256);
