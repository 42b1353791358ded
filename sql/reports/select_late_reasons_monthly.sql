-- Dossiers finished late in the window [start, end) per unit, and those late for subjective
-- reasons (`LyDoTreHan` = CHU_QUAN): the peak month's "no late dossier for subjective reasons".
SELECT d.unit_code,
       count(*) AS finished_late,
       count(*) FILTER (WHERE d.late_reason = 'CHU_QUAN') AS late_subjective
FROM staging.dossiers d
WHERE d.status IN (9, 10)
  AND d.finished_at >= %(start)s AND d.finished_at < %(end)s
  AND d.finished_at > d.due_at
GROUP BY d.unit_code;
