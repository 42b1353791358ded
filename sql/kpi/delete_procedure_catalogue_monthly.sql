DELETE FROM kpi.procedure_catalogue_monthly
WHERE period_start >= %(start)s::date AND period_start < %(end)s::date;
