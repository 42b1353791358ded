-- The dossiers the partitions staged (their conformed versions).
SELECT v.partition_key, v.ma_ho_so, v.procedure_code, v.unit_code, v.channel, v.status,
       v.received_at, v.due_at, v.finished_at
FROM staging.dossier_versions v
WHERE v.partition_key = ANY({keys})
