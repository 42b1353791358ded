-- Latest version of every payment transaction touched by this run.
DELETE FROM staging.payments p USING touched t WHERE p.transaction_id = t.key;

INSERT INTO staging.payments (
    transaction_id, ma_ho_so, amount, paid_at, status, updated_at, source_partition, run_id)
SELECT DISTINCT ON (v.transaction_id)
    v.transaction_id, v.ma_ho_so, v.amount, v.paid_at, v.status, v.updated_at, v.partition_key,
    v.run_id
FROM staging.payment_versions v
JOIN touched t ON t.key = v.transaction_id
ORDER BY v.transaction_id, v.updated_at DESC, v.partition_key DESC;
