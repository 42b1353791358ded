-- For the rest of this merge (staging/conform.py `_key_lookups`): joins by nested loop over
-- the touched keys, through the current and versions tables' key indexes.
SET LOCAL enable_hashjoin = off;
SET LOCAL enable_mergejoin = off;
