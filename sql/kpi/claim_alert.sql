-- Claim one delivery before sending it: a new one, a failed one, or one left `sending` by a
-- run that died longer than %(stale)s ago. Returns a row when claimed, none when it is sent
-- already or being sent by another run.
INSERT INTO kpi.alerts_sent AS a (
    alert_kind, period_start, unit_code, channel, recipient, change, status, attempts,
    first_attempt_at, last_attempt_at, sent_at, error, run_id)
VALUES (%(kind)s, %(period_start)s, %(unit_code)s, %(channel)s, %(recipient)s, %(change)s,
        'sending', 0, now(), now(), NULL, NULL, %(run_id)s)
ON CONFLICT (alert_kind, period_start, unit_code, channel, recipient) DO UPDATE
SET status = 'sending', change = EXCLUDED.change, last_attempt_at = now(),
    run_id = EXCLUDED.run_id
WHERE a.status = 'failed'
   OR (a.status = 'sending' AND a.last_attempt_at < now() - %(stale)s::interval)
RETURNING a.attempts;
