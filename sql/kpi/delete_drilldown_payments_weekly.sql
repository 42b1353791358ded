DELETE FROM kpi.drilldown_payments_weekly
WHERE period_start >= %(start)s::date AND period_start < %(end)s::date;
