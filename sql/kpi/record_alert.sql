-- The result of a claimed delivery: sent, or failed with its last error.
UPDATE kpi.alerts_sent
SET status = %(status)s,
    attempts = attempts + %(attempts)s,
    last_attempt_at = now(),
    sent_at = CASE WHEN %(status)s = 'sent' THEN now() END,
    error = %(error)s
WHERE alert_kind = %(kind)s AND period_start = %(period_start)s AND unit_code = %(unit_code)s
  AND channel = %(channel)s AND recipient = %(recipient)s AND run_id = %(run_id)s;
