-- The procedure catalogue (a small table: validated whole).
SELECT
    p.procedure_code, p.procedure_name, p.unit_level, p.service_level, p.fully_online,
    p.integrated, p.has_fee, p.online_payment, p.processing_days
FROM ref.procedures p
