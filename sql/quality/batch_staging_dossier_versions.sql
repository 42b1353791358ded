-- The dossier versions the checked weeks conformed: staging.dossiers is rebuilt from them, so
-- every current row is validated with the partition that produced it (and the lookup uses the
-- versions' primary key instead of scanning the current table).
SELECT
    v.partition_key, v.ma_ho_so, v.procedure_code, v.unit_code, v.channel, v.digitised,
    v.received_at, v.due_at, v.finished_at, v.returned_at, v.status, v.late_reason,
    v.payment_method, v.payment_amount, v.paid_at, v.updated_at
FROM staging.dossier_versions v
WHERE v.partition_key BETWEEN %(first_key)s AND %(last_key)s
