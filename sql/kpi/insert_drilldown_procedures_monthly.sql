-- The procedures behind late and not-online dossiers, per period, unit and scope, top N each.
INSERT INTO kpi.drilldown_procedures_monthly (
    period_start, unit_code, scope, procedure_code, procedure_name, finished, finished_late,
    late_rank, online_eligible, online_eligible_not_online, not_online_rank, computed_at)
SELECT
    period_start, unit_code, scope, procedure_code, procedure_name, finished, finished_late,
    late_rank, online_eligible, online_eligible_not_online, not_online_rank, now()
FROM kpi.drilldown_procedure_rows(%(start)s::date, %(end)s::date, %(step)s::interval, %(top)s::integer,
                                  'monthly');
