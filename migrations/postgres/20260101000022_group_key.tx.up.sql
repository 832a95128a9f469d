-- group_key orders households by their village group as a number (第二 before
-- 第十, 2组 before 10组; see rules.GroupSortKey) and lets a search for 一组 find
-- 第一村民小组. SQL cannot read Chinese numerals, so the store fills the key of
-- older rows when it migrates (fillGroupKeys); rows without a group get '~'
-- here, as the rule gives them.
ALTER TABLE households ADD COLUMN group_key TEXT;
UPDATE households SET group_key = '~' WHERE village_group = '';
CREATE INDEX households_group_key ON households (book_id, group_key, code);
