-- The current rows of a run whose partitions hold every version there is (merge_current_dossiers.sql
-- otherwise; staging/conform.py decides): the versions table is this run's staged rows. A key
-- staged in one partition only is its own current row, inserted as it is; only the keys
-- staged in several partitions are sorted for their latest version (latest updated_at, then
-- the later partition), as merge_current_dossiers.sql sorts every version of every touched key.
DELETE FROM staging.dossiers c USING touched t WHERE c.ma_ho_so = t.key;

INSERT INTO staging.dossiers (
    ma_ho_so, procedure_code, unit_code, channel, digitised, received_at, due_at, finished_at,
    returned_at, status, late_reason, payment_method, payment_amount, paid_at, payment_tx,
    updated_at, source_partition, run_id)
WITH repeated AS MATERIALIZED (
    SELECT v.ma_ho_so FROM staging.dossier_versions v GROUP BY 1 HAVING count(*) > 1
)
SELECT
    v.ma_ho_so, v.procedure_code, v.unit_code, v.channel, v.digitised, v.received_at, v.due_at,
    v.finished_at, v.returned_at, v.status, v.late_reason, v.payment_method, v.payment_amount,
    v.paid_at, v.payment_tx, v.updated_at, v.partition_key, v.run_id
FROM staging.dossier_versions v
WHERE NOT EXISTS (SELECT 1 FROM repeated x WHERE x.ma_ho_so = v.ma_ho_so)
UNION ALL
(SELECT DISTINCT ON (v.ma_ho_so)
        v.ma_ho_so, v.procedure_code, v.unit_code, v.channel, v.digitised, v.received_at, v.due_at,
        v.finished_at, v.returned_at, v.status, v.late_reason, v.payment_method, v.payment_amount,
        v.paid_at, v.payment_tx, v.updated_at, v.partition_key, v.run_id
    FROM staging.dossier_versions v
    JOIN repeated x ON x.ma_ho_so = v.ma_ho_so
    ORDER BY v.ma_ho_so, v.updated_at DESC, v.partition_key DESC);
