INSERT INTO staging.payment_versions (
    partition_key, transaction_id, ma_ho_so, amount, paid_at, status, updated_at, run_id)
SELECT
    c.partition_key, c.transaction_id, c.ma_ho_so, c.amount, c.paid_at, c.status, c.updated_at,
    %(run_id)s
FROM conformed c
WHERE c.disposition = 'staged'
