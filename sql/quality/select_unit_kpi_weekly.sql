SELECT k.* FROM kpi.unit_kpi_weekly k WHERE k.period_start::text = ANY({keys})
