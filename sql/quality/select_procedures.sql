SELECT p.procedure_code, p.service_level, p.processing_days, p.unit_level FROM ref.procedures p
