-- Dossiers received or finished in each week of the window (those the week's KPIs count)
-- that the national portal has not received, or holds with a different status or channel.
INSERT INTO kpi.reconciliation_sync_weekly (
    period_start, unit_code, parent_code, ma_ho_so, procedure_code, issue, provincial_status,
    national_status, provincial_channel, national_channel, provincial_updated_at,
    national_synced_at, computed_at)
-- The mismatching dossiers of the window first (78,045 of 1.73 million on 52 weeks at scale
-- 1.0), then the weeks in which each counts as received or finished (kpi.counts_as_received /
-- _finished, the rules of kpi.dossier_events): not the 3.3 million events of a year's dossiers
-- joined to the few (issue 17). One row per (week, dossier): a dossier received and finished
-- in the same week matches the week once.
WITH mismatching AS MATERIALIZED (
    SELECT d.ma_ho_so, d.unit_code, d.procedure_code, d.status, d.channel, d.updated_at,
           d.received_at, d.finished_at, s.ma_ho_so IS NULL AS missing,
           s.status AS national_status, s.channel AS national_channel, s.synced_at
    FROM staging.dossiers d
    LEFT JOIN staging.sync_records s ON s.ma_ho_so = d.ma_ho_so
    WHERE (d.received_at >= %(start)s::date::timestamp AT TIME ZONE kpi.local_tz()
           AND d.received_at < (%(end)s::date + %(step)s::interval) AT TIME ZONE kpi.local_tz()
           OR d.finished_at >= %(start)s::date::timestamp AT TIME ZONE kpi.local_tz()
           AND d.finished_at < (%(end)s::date + %(step)s::interval) AT TIME ZONE kpi.local_tz())
      AND (s.ma_ho_so IS NULL OR s.status IS DISTINCT FROM d.status
           OR s.channel IS DISTINCT FROM d.channel)
),
-- materialised: the inner side of the join below, read once per mismatching dossier
p AS MATERIALIZED (
    SELECT * FROM kpi.periods(%(start)s::date, %(end)s::date, %(step)s::interval)
)
SELECT p.period_start, m.unit_code, u.parent_code, m.ma_ho_so, m.procedure_code,
       CASE WHEN m.missing THEN 'missing_from_sync'
            WHEN m.national_status IS DISTINCT FROM m.status THEN 'status_mismatch'
            ELSE 'channel_mismatch' END,
       m.status, m.national_status, m.channel, m.national_channel, m.updated_at, m.synced_at,
       now()
FROM mismatching m
JOIN p ON kpi.counts_as_received(m.status)
          AND m.received_at >= p.window_start AND m.received_at < p.window_end
       OR kpi.counts_as_finished(m.status)
          AND m.finished_at >= p.window_start AND m.finished_at < p.window_end
LEFT JOIN kpi.period_units(%(start)s::date, %(end)s::date, %(step)s::interval) u
  ON u.period_start = p.period_start AND u.unit_code = m.unit_code;
