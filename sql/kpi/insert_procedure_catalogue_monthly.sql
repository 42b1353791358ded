-- Every month of the window: the catalogue in force on its last day, per level.
INSERT INTO kpi.procedure_catalogue_monthly (
    period_start, unit_level, procedures, procedures_level4, procedures_online_eligible,
    level4_share, level4_band, computed_at)
SELECT c.period_start, c.unit_level, c.procedures, c.level4, c.online_eligible,
       c.level4::numeric / nullif(c.procedures, 0),
       kpi.band_for(c.level4, c.procedures, %(cfg)s::jsonb, 'level4_share'), now()
FROM (
    SELECT p.period_start, v.unit_level, count(*) AS procedures,
           count(*) FILTER (WHERE v.service_level = 4 OR v.fully_online) AS level4,
           count(*) FILTER (WHERE v.service_level IN (3, 4) AND v.integrated) AS online_eligible
    FROM kpi.periods(%(start)s::date, %(end)s::date, %(step)s::interval) p
    JOIN ref.procedure_versions v
      ON v.valid_from <= p.period_end - 1 AND (v.valid_to IS NULL OR v.valid_to >= p.period_end - 1)
    GROUP BY p.period_start, v.unit_level
) c;
