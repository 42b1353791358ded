-- The national payment transactions the checked weeks conformed (staging.payments is rebuilt
-- from them).
SELECT
    v.partition_key, v.transaction_id, v.ma_ho_so, v.amount, v.paid_at, v.status, v.updated_at
FROM staging.payment_versions v
WHERE v.partition_key BETWEEN %(first_key)s AND %(last_key)s
