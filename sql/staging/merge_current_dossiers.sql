-- Rebuild the current row of every dossier touched by this run from all its versions: the
-- latest NgayCapNhat wins, later partitions break ties. `touched` holds the keys.
DELETE FROM staging.dossiers d USING touched t WHERE d.ma_ho_so = t.key;

INSERT INTO staging.dossiers (
    ma_ho_so, procedure_code, unit_code, channel, digitised, received_at, due_at, finished_at,
    returned_at, status, late_reason, payment_method, payment_amount, paid_at, payment_tx,
    updated_at, source_partition, run_id)
SELECT DISTINCT ON (v.ma_ho_so)
    v.ma_ho_so, v.procedure_code, v.unit_code, v.channel, v.digitised, v.received_at, v.due_at,
    v.finished_at, v.returned_at, v.status, v.late_reason, v.payment_method, v.payment_amount,
    v.paid_at, v.payment_tx, v.updated_at, v.partition_key, v.run_id
FROM staging.dossier_versions v
JOIN touched t ON t.key = v.ma_ho_so
ORDER BY v.ma_ho_so, v.updated_at DESC, v.partition_key DESC;
