-- 财会〔2021〕37号's full chart for cooperative books made by earlier releases
-- (issue 17): the accounts their chart lacked (109, 122, 124, 125, 127, 128,
-- 143, 144, 154, 162, 171, 181, 215, 522, 524, 531) and the leaves of 332
-- 盈余分配 that keep 提取盈余公积, 盈余返还, 剩余盈余分配 and 转为成员出资 apart,
-- added as siblings of 33201/33202. Nothing posted moves: an existing account
-- keeps its place and its lines, and no account that has lines becomes a
-- parent. What each book got is written to its audit log.
CREATE TEMP TABLE coop_chart_new (code TEXT NOT NULL, name TEXT NOT NULL, category TEXT NOT NULL,
    normal_side TEXT NOT NULL, aux TEXT NOT NULL, parent_code TEXT NOT NULL);

INSERT INTO coop_chart_new (code, name, category, normal_side, aux, parent_code) VALUES
    ('109', '其他货币资金', '资产', 'debit', 'none', ''),
    ('122', '包装物', '资产', 'debit', 'none', ''),
    ('124', '委托加工物资', '资产', 'debit', 'none', ''),
    ('125', '委托代销商品', '资产', 'debit', 'none', ''),
    ('127', '受托代购商品', '资产', 'debit', 'none', ''),
    ('128', '受托代销商品', '资产', 'debit', 'none', ''),
    ('143', '生产性生物资产累计折旧', '资产', 'credit', 'none', ''),
    ('144', '公益性生物资产', '资产', 'debit', 'none', ''),
    ('154', '固定资产清理', '资产', 'debit', 'none', ''),
    ('162', '累计摊销', '资产', 'credit', 'none', ''),
    ('171', '长期待摊费用', '资产', 'debit', 'none', ''),
    ('181', '待处理财产损溢', '资产', 'debit', 'none', ''),
    ('215', '应付利息', '负债', 'credit', 'none', ''),
    ('33203', '提取盈余公积', '所有者权益', 'debit', 'none', '332'),
    ('33204', '盈余返还', '所有者权益', 'debit', 'none', '332'),
    ('33205', '剩余盈余分配', '所有者权益', 'debit', 'none', '332'),
    ('33206', '转为成员出资', '所有者权益', 'debit', 'none', '332'),
    ('522', '税金及附加', '损益', 'debit', 'none', ''),
    ('524', '财务费用', '损益', 'debit', 'none', ''),
    ('531', '所得税费用', '损益', 'debit', 'none', '');

CREATE TEMP TABLE coop_chart_missing AS
SELECT b.id AS book_id, n.code, n.name, n.category, n.normal_side, n.aux, n.parent_code, b.created_by
FROM books b CROSS JOIN coop_chart_new n
WHERE b.kind = 'cooperative'
  AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.book_id = b.id AND a.code = n.code)
  AND (n.parent_code = '' OR EXISTS (SELECT 1 FROM accounts p WHERE p.book_id = b.id AND p.code = n.parent_code AND NOT p.is_leaf));

INSERT INTO accounts (book_id, code, name, category, normal_side, aux, parent_code, is_leaf, created_at, created_by)
SELECT book_id, code, name, category, normal_side, aux, parent_code, TRUE,
    to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), created_by
FROM coop_chart_missing;

INSERT INTO counters (book_id, name, value)
SELECT DISTINCT book_id, 'audit', 0 FROM coop_chart_missing
ON CONFLICT (book_id, name) DO NOTHING;

INSERT INTO audit_log (book_id, id, at, user_id, action, entity, entity_key, reason, before_json, after_json)
SELECT m.book_id, c.value + 1, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 0, 'migrate', 'chart',
    '20260101000014_coop_chart', '按《农民专业合作社会计制度》（财会〔2021〕37号）补齐会计科目，已记账的科目与分录不变',
    '', json_build_object('added', json_agg(m.code ORDER BY m.code))::text
FROM coop_chart_missing m
JOIN counters c ON c.book_id = m.book_id AND c.name = 'audit'
GROUP BY m.book_id, c.value;

UPDATE counters SET value = value + 1
WHERE name = 'audit' AND book_id IN (SELECT DISTINCT book_id FROM coop_chart_missing);

DROP TABLE coop_chart_missing;
DROP TABLE coop_chart_new;
