-- The 766-style score of every kpi.unit_kpi_monthly row of the months [start, end), with the
-- score the national portal's published percentages give on the rows of the compared scope.
-- %(cfg)s: kpi_pipeline.domain.score_766.ScoreConfig.sql_json() (exact decimal strings).
INSERT INTO kpi.unit_score_monthly (
    period_start, unit_code, unit_name, unit_level, parent_code, scope,
    on_time_points, online_points, online_payment_points, digitisation_points,
    score_points, max_points, score,
    national_on_time_pct, national_online_pct, national_online_payment_pct,
    national_on_time_points, national_online_points, national_online_payment_points,
    compared_components, own_compared_points, national_compared_points, diff_points, diff_rank,
    computed_at)
WITH cfg AS (
    SELECT (j #>> '{components,on_time,points}')::numeric AS ot_w,
           (j #>> '{components,on_time,full_at_percent}')::numeric AS ot_f,
           (j #>> '{components,online,points}')::numeric AS on_w,
           (j #>> '{components,online,full_at_percent}')::numeric AS on_f,
           (j #>> '{components,online_payment,points}')::numeric AS pay_w,
           (j #>> '{components,online_payment,full_at_percent}')::numeric AS pay_f,
           (j #>> '{components,digitisation,points}')::numeric AS dig_w,
           (j #>> '{components,digitisation,full_at_percent}')::numeric AS dig_f,
           j #>> '{comparison,scope}' AS cmp_scope,
           (j #>> '{comparison,tolerance_points}')::numeric AS tolerance,
           (j #>> '{comparison,top_units}')::integer AS top_units
    FROM (SELECT %(cfg)s::jsonb AS j) x
),
scored AS (
    SELECT k.period_start, k.unit_code, k.unit_name, k.unit_level, k.parent_code, k.scope,
           kpi.score_766_points(k.finished_on_time, k.finished, c.ot_w, c.ot_f) AS ot,
           kpi.score_766_points(k.online_eligible_received_online, k.online_eligible, c.on_w, c.on_f) AS onl,
           kpi.score_766_points(k.paid_online, k.payment_eligible, c.pay_w, c.pay_f) AS pay,
           kpi.score_766_points(k.digitised, k.received, c.dig_w, c.dig_f) AS dig,
           n.on_time_pct, n.online_pct, n.online_payment_pct,
           kpi.score_766_points(n.on_time_pct, 100, c.ot_w, c.ot_f) AS n_ot,
           kpi.score_766_points(n.online_pct, 100, c.on_w, c.on_f) AS n_onl,
           kpi.score_766_points(n.online_payment_pct, 100, c.pay_w, c.pay_f) AS n_pay,
           c.ot_w, c.on_w, c.pay_w, c.dig_w, c.tolerance, c.top_units
    FROM kpi.unit_kpi_monthly k
    CROSS JOIN cfg c
    LEFT JOIN staging.chiso n
           ON k.scope = c.cmp_scope AND n.month = k.period_start AND n.unit_code = k.unit_code
    WHERE k.period_start >= %(start)s::date AND k.period_start < %(end)s::date
),
summed AS (
    SELECT s.*,
           (SELECT sum(v) FROM unnest(ARRAY[s.ot, s.onl, s.pay, s.dig]) v) AS points,
           (CASE WHEN s.ot IS NULL THEN 0 ELSE s.ot_w END
            + CASE WHEN s.onl IS NULL THEN 0 ELSE s.on_w END
            + CASE WHEN s.pay IS NULL THEN 0 ELSE s.pay_w END
            + CASE WHEN s.dig IS NULL THEN 0 ELSE s.dig_w END) AS max_points,
           cmp.compared, cmp.own_sum, cmp.nat_sum, cmp.own_sum - cmp.nat_sum AS diff
    FROM scored s
    CROSS JOIN LATERAL (
        SELECT array_agg(v.component ORDER BY v.ord) AS compared,
               sum(v.own) AS own_sum, sum(v.nat) AS nat_sum
        FROM (VALUES (1, 'on_time', s.ot, s.n_ot),
                     (2, 'online', s.onl, s.n_onl),
                     (3, 'online_payment', s.pay, s.n_pay)) AS v(ord, component, own, nat)
        WHERE v.own IS NOT NULL AND v.nat IS NOT NULL
    ) cmp
),
ranked AS (
    SELECT m.*,
           CASE WHEN abs(m.diff) > m.tolerance THEN
               row_number() OVER (
                   PARTITION BY m.period_start, coalesce(abs(m.diff) > m.tolerance, false)
                   ORDER BY abs(m.diff) DESC, m.unit_code)
           END AS rnk
    FROM summed m
)
SELECT r.period_start, r.unit_code, r.unit_name, r.unit_level, r.parent_code, r.scope,
       r.ot, r.onl, r.pay, r.dig,
       r.points, r.max_points,
       CASE WHEN r.max_points > 0 THEN round(100 * r.points / r.max_points, 2) END,
       r.on_time_pct, r.online_pct, r.online_payment_pct,
       r.n_ot, r.n_onl, r.n_pay,
       r.compared, r.own_sum, r.nat_sum, r.diff,
       CASE WHEN r.rnk <= r.top_units THEN r.rnk END,
       now()
FROM ranked r;
