-- The staged rows of `conformed` become this run's dossier versions.
INSERT INTO staging.dossier_versions (
    partition_key, ma_ho_so, procedure_code, unit_code, channel, digitised, received_at, due_at,
    finished_at, returned_at, status, late_reason, payment_method, payment_amount, paid_at,
    payment_tx, updated_at, run_id)
SELECT
    c.partition_key, c.ma_ho_so, c.procedure_code, c.unit_code, c.channel, c.digitised,
    c.received_at, c.due_at, c.finished_at, c.returned_at, c.status, c.late_reason,
    c.payment_method, c.payment_amount, c.paid_at, c.payment_tx,
    c.updated_at, %(run_id)s
FROM conformed c
WHERE c.disposition = 'staged'
