DELETE FROM kpi.unit_kpi_field_monthly
WHERE period_start >= %(start)s::date AND period_start < %(end)s::date;
