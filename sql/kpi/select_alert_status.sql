-- The status of one delivery.
SELECT status FROM kpi.alerts_sent
WHERE alert_kind = %(kind)s AND period_start = %(period_start)s AND unit_code = %(unit_code)s
  AND channel = %(channel)s AND recipient = %(recipient)s;
