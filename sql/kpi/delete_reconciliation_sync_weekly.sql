-- Replace a partition window: delete its periods (start <= period_start < end).
DELETE FROM kpi.reconciliation_sync_weekly WHERE period_start >= %(start)s::date AND period_start < %(end)s::date;
