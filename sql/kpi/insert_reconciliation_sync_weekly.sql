-- Dossiers received or finished in each week of the window (those the week's KPIs count)
-- that the national portal has not received, or holds with a different status or channel.
INSERT INTO kpi.reconciliation_sync_weekly (
    period_start, unit_code, parent_code, ma_ho_so, procedure_code, issue, provincial_status,
    national_status, provincial_channel, national_channel, provincial_updated_at,
    national_synced_at, computed_at)
-- A dossier received and finished in one week has two events there: the few mismatching
-- events are made distinct (every column is the dossier's or its week's), not the hundreds of
-- thousands of a year's events before they are compared (issue 17).
WITH active AS (
    SELECT e.period_start, e.ma_ho_so
    FROM kpi.dossier_events(%(start)s::date, %(end)s::date, %(step)s::interval) e
    WHERE e.event IN ('received', 'finished')
)
SELECT DISTINCT a.period_start, d.unit_code, u.parent_code, d.ma_ho_so, d.procedure_code,
       CASE WHEN s.ma_ho_so IS NULL THEN 'missing_from_sync'
            WHEN s.status IS DISTINCT FROM d.status THEN 'status_mismatch'
            ELSE 'channel_mismatch' END,
       d.status, s.status, d.channel, s.channel, d.updated_at, s.synced_at, now()
FROM active a
JOIN staging.dossiers d ON d.ma_ho_so = a.ma_ho_so
 -- redundant (active holds dossiers received or finished in the window only), so that the
 -- planner hashes the window's dossiers, not the history's (it cannot see the events' bounds)
 AND (d.received_at >= %(start)s::date::timestamp AT TIME ZONE kpi.local_tz()
      AND d.received_at < (%(end)s::date + %(step)s::interval) AT TIME ZONE kpi.local_tz()
      OR d.finished_at >= %(start)s::date::timestamp AT TIME ZONE kpi.local_tz()
      AND d.finished_at < (%(end)s::date + %(step)s::interval) AT TIME ZONE kpi.local_tz())
LEFT JOIN staging.sync_records s ON s.ma_ho_so = d.ma_ho_so
LEFT JOIN kpi.period_units(%(start)s::date, %(end)s::date, %(step)s::interval) u
  ON u.period_start = a.period_start AND u.unit_code = d.unit_code
WHERE s.ma_ho_so IS NULL
   OR s.status IS DISTINCT FROM d.status
   OR s.channel IS DISTINCT FROM d.channel;
