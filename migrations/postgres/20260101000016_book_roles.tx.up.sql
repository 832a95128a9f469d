-- Roles per book (issue 19): a user's role is held per book or per township
-- instead of one global role. users.role keeps only whether the user is the
-- administrator ('admin') or not ('user'); what a user may do in a book is in
-- user_books (role per book) and user_townships (role over a township's
-- books). Every existing user keeps exactly its rights: its book scopes take
-- its old role, its township scope becomes a township grant of that role.
CREATE TABLE user_townships (
    user_id       BIGINT NOT NULL REFERENCES users (id),
    township_code TEXT   NOT NULL REFERENCES townships (code),
    role          TEXT   NOT NULL CHECK (role IN ('accountant', 'township', 'auditor', 'cashier', 'reporter', 'member')),
    PRIMARY KEY (user_id, township_code)
);

INSERT INTO user_townships (user_id, township_code, role)
SELECT id, township_code, role FROM users WHERE township_code <> '' AND role <> 'admin';

ALTER TABLE user_books ADD COLUMN role TEXT;
UPDATE user_books ub SET role = u.role FROM users u WHERE u.id = ub.user_id;
DELETE FROM user_books WHERE role = 'admin';
ALTER TABLE user_books ALTER COLUMN role SET NOT NULL;
ALTER TABLE user_books ADD CONSTRAINT user_books_role_check
    CHECK (role IN ('accountant', 'township', 'auditor', 'cashier', 'reporter', 'member'));

ALTER TABLE users DROP CONSTRAINT users_role_check;
UPDATE users SET role = 'user' WHERE role <> 'admin';
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'user'));
ALTER TABLE users DROP COLUMN township_code;
