-- Members (成员) of a farmer cooperative and their trade with it (issue 17).
-- A member is a household of the book's roster (its lines on 114/301/221/222
-- already carry the household), with what the roster does not hold: kind,
-- dates and the part of its 出资额 that came from 到户类扶贫项目资产. A voucher
-- line marked trade (sales to and purchases from the cooperative on 114
-- 成员往来) counts toward the member's 交易量（额）; old lines are not trade.
ALTER TABLE voucher_lines ADD COLUMN trade BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE members (
    book_id         BIGINT NOT NULL REFERENCES books (id),
    code            TEXT   NOT NULL,
    name            TEXT   NOT NULL,
    kind            TEXT   NOT NULL CHECK (kind IN ('farmer', 'unit')),
    uscc            TEXT   NOT NULL DEFAULT '',
    joined_on       TEXT   NOT NULL,
    left_on         TEXT   NOT NULL DEFAULT '',
    poverty_capital_fen BIGINT NOT NULL DEFAULT 0 CHECK (poverty_capital_fen >= 0),
    created_at      TEXT   NOT NULL,
    updated_at      TEXT   NOT NULL,
    PRIMARY KEY (book_id, code),
    FOREIGN KEY (book_id, code) REFERENCES households (book_id, code)
);

-- The charter's rules the year end needs: the rate of 提取盈余公积 (basis
-- points of 本年盈余) and how 公积金 and 财政补助/捐赠 property are quantified.
CREATE TABLE coop_charters (
    book_id          BIGINT NOT NULL PRIMARY KEY REFERENCES books (id),
    reserve_rate_bp  INTEGER NOT NULL CHECK (reserve_rate_bp >= 0 AND reserve_rate_bp <= 10000),
    quantify_basis   TEXT   NOT NULL CHECK (quantify_basis IN ('capital', 'volume', 'equal')),
    updated_at       TEXT   NOT NULL,
    updated_by       BIGINT NOT NULL
);

-- Year-end quantification of 公积金 (322) and of the 专项基金 (311) property
-- from 财政补助 and 捐赠 to members: the totals and each member's part (the
-- parts add up to the totals exactly).
CREATE TABLE member_quantifications (
    book_id       BIGINT NOT NULL REFERENCES books (id),
    year          INTEGER NOT NULL,
    basis         TEXT   NOT NULL,
    reserve_fen   BIGINT NOT NULL,
    subsidy_fen   BIGINT NOT NULL,
    donation_fen  BIGINT NOT NULL,
    created_at    TEXT   NOT NULL,
    created_by    BIGINT NOT NULL,
    PRIMARY KEY (book_id, year)
);

CREATE TABLE member_quantified_shares (
    book_id       BIGINT NOT NULL,
    year          INTEGER NOT NULL,
    member_code   TEXT   NOT NULL,
    reserve_fen   BIGINT NOT NULL,
    subsidy_fen   BIGINT NOT NULL,
    donation_fen  BIGINT NOT NULL,
    PRIMARY KEY (book_id, year, member_code),
    FOREIGN KEY (book_id, year) REFERENCES member_quantifications (book_id, year),
    FOREIGN KEY (book_id, member_code) REFERENCES members (book_id, code)
);
