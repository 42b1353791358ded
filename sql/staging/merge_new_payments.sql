-- The current rows of a run whose partitions hold every version there is (merge_current_payments.sql
-- otherwise; staging/conform.py decides): the versions table is this run's staged rows. A key
-- staged in one partition only is its own current row, inserted as it is; only the keys
-- staged in several partitions are sorted for their latest version (latest updated_at, then
-- the later partition), as merge_current_payments.sql sorts every version of every touched key.
DELETE FROM staging.payments c USING touched t WHERE c.transaction_id = t.key;

INSERT INTO staging.payments (
    transaction_id, ma_ho_so, amount, paid_at, status, updated_at, source_partition, run_id)
WITH repeated AS MATERIALIZED (
    SELECT v.transaction_id FROM staging.payment_versions v GROUP BY 1 HAVING count(*) > 1
)
SELECT
    v.transaction_id, v.ma_ho_so, v.amount, v.paid_at, v.status, v.updated_at, v.partition_key,
    v.run_id
FROM staging.payment_versions v
WHERE NOT EXISTS (SELECT 1 FROM repeated x WHERE x.transaction_id = v.transaction_id)
UNION ALL
(SELECT DISTINCT ON (v.transaction_id)
        v.transaction_id, v.ma_ho_so, v.amount, v.paid_at, v.status, v.updated_at, v.partition_key,
        v.run_id
    FROM staging.payment_versions v
    JOIN repeated x ON x.transaction_id = v.transaction_id
    ORDER BY v.transaction_id, v.updated_at DESC, v.partition_key DESC);
