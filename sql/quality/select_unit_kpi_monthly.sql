SELECT k.* FROM kpi.unit_kpi_monthly k WHERE k.period_start::text = ANY({keys})
