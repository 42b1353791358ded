SELECT v.partition_key, v.transaction_id, v.ma_ho_so, v.status, v.amount
FROM staging.payment_versions v
WHERE v.partition_key = ANY({keys})
