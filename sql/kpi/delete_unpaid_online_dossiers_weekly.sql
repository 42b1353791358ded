DELETE FROM kpi.unpaid_online_dossiers_weekly
WHERE period_start >= %(start)s::date AND period_start < %(end)s::date;
