SELECT v.partition_key, v.ma_ho_so, v.status, v.channel, v.received_at, v.finished_at
FROM staging.sync_record_versions v
WHERE v.partition_key = ANY({keys})
