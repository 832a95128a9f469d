-- Roles per book (issue 19): a user's role is held per book or per township
-- instead of one global role. users.role keeps only whether the user is the
-- administrator ('admin') or not ('user'); what a user may do in a book is in
-- user_books (role per book) and user_townships (role over a township's
-- books). Every existing user keeps exactly its rights: its book scopes take
-- its old role, its township scope becomes a township grant of that role.
-- SQLite cannot change a CHECK without rebuilding the table; user_books and
-- web_sessions are the tables referring to users, so they are saved, dropped
-- and rebuilt too (foreign keys are enforced: dropping users under them would
-- fail). Web sessions are kept: user ids do not change, so whoever was
-- signed in stays signed in, with the rights the grants give the user.
CREATE TABLE user_books_saved AS
SELECT ub.user_id, ub.book_id, u.role FROM user_books ub JOIN users u ON u.id = ub.user_id
WHERE u.role <> 'admin';

CREATE TABLE user_townships_saved AS
SELECT id AS user_id, township_code, role FROM users WHERE township_code <> '' AND role <> 'admin';

CREATE TABLE web_sessions_saved AS SELECT id_hash, user_id, created_at, last_seen_at, expires_at FROM web_sessions;

DROP TABLE user_books;

DROP TABLE web_sessions;

CREATE TABLE users_new (
    id            BIGINT  NOT NULL PRIMARY KEY,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'user')),
    token_hash    TEXT    NOT NULL UNIQUE,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT    NOT NULL,
    created_by    BIGINT  NOT NULL
);

INSERT INTO users_new (id, name, role, token_hash, disabled, created_at, created_by)
SELECT id, name, CASE WHEN role = 'admin' THEN 'admin' ELSE 'user' END, token_hash, disabled, created_at, created_by
FROM users;

DROP TABLE users;

ALTER TABLE users_new RENAME TO users;

CREATE TABLE user_books (
    user_id BIGINT NOT NULL REFERENCES users (id),
    book_id BIGINT NOT NULL REFERENCES books (id),
    role    TEXT   NOT NULL CHECK (role IN ('accountant', 'township', 'auditor', 'cashier', 'reporter', 'member')),
    PRIMARY KEY (user_id, book_id)
);

CREATE TABLE user_townships (
    user_id       BIGINT NOT NULL REFERENCES users (id),
    township_code TEXT   NOT NULL REFERENCES townships (code),
    role          TEXT   NOT NULL CHECK (role IN ('accountant', 'township', 'auditor', 'cashier', 'reporter', 'member')),
    PRIMARY KEY (user_id, township_code)
);

CREATE TABLE web_sessions (
    id_hash      TEXT   NOT NULL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    created_at   TEXT   NOT NULL,
    last_seen_at TEXT   NOT NULL,
    expires_at   TEXT   NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

INSERT INTO web_sessions (id_hash, user_id, created_at, last_seen_at, expires_at)
SELECT id_hash, user_id, created_at, last_seen_at, expires_at FROM web_sessions_saved;
INSERT INTO user_books (user_id, book_id, role) SELECT user_id, book_id, role FROM user_books_saved;
INSERT INTO user_townships (user_id, township_code, role) SELECT user_id, township_code, role FROM user_townships_saved;

DROP TABLE user_books_saved;
DROP TABLE user_townships_saved;
DROP TABLE web_sessions_saved;
