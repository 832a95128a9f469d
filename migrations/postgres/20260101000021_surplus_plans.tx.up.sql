-- 盈余分配方案 (issue 17): a cooperative's year-end distribution plan, drafted
-- from the books, approved by the 成员（代表）大会 and then in the system by
-- someone other than its preparer, and posted as one voucher to the leaves
-- of 332 and to 221/222/301 per member.
CREATE TABLE surplus_plans (
    book_id            BIGINT  NOT NULL REFERENCES books (id),
    id                 BIGINT  NOT NULL,
    year               INTEGER NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('draft', 'approved')),
    net_surplus_fen    BIGINT  NOT NULL,
    opening_fen        BIGINT  NOT NULL,
    other_in_fen       BIGINT  NOT NULL,
    distributed_fen    BIGINT  NOT NULL,
    reserve_rate_bp    INTEGER NOT NULL,
    reserve_fen        BIGINT  NOT NULL,
    distributable_fen  BIGINT  NOT NULL,
    return_fen         BIGINT  NOT NULL,
    residual_fen       BIGINT  NOT NULL,
    to_capital_fen     BIGINT  NOT NULL,
    meeting_date       TEXT    NOT NULL DEFAULT '',
    meeting_attended   INTEGER NOT NULL DEFAULT 0,
    meeting_total      INTEGER NOT NULL DEFAULT 0,
    resolution_ref     TEXT    NOT NULL DEFAULT '',
    preparer_id        BIGINT  NOT NULL,
    approver_id        BIGINT,
    approved_at        TEXT,
    voucher_id         BIGINT,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    PRIMARY KEY (book_id, id),
    FOREIGN KEY (book_id, voucher_id) REFERENCES vouchers (book_id, id)
);
CREATE UNIQUE INDEX surplus_plans_year ON surplus_plans (book_id, year);

CREATE TABLE surplus_plan_members (
    book_id         BIGINT NOT NULL,
    plan_id         BIGINT NOT NULL,
    member_code     TEXT   NOT NULL,
    volume_fen      BIGINT NOT NULL,
    basis_fen       BIGINT NOT NULL,
    return_fen      BIGINT NOT NULL,
    residual_fen    BIGINT NOT NULL,
    to_capital_fen  BIGINT NOT NULL,
    voucher_id      BIGINT,
    PRIMARY KEY (book_id, plan_id, member_code),
    FOREIGN KEY (book_id, plan_id) REFERENCES surplus_plans (book_id, id),
    FOREIGN KEY (book_id, member_code) REFERENCES members (book_id, code)
);
