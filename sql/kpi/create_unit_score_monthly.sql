-- The 766-style score per unit, month and scope (kpi_pipeline/config/score_766.yaml,
-- docs/leaders.md), and the dossiers that explain the largest differences from the score the
-- national portal's published figures (staging.chiso) would give.
CREATE SCHEMA IF NOT EXISTS kpi;

-- weight x min(rate / threshold, 1), the rate being num / den, in exact numeric arithmetic:
-- null when den is 0 (no points, not zero points); the full weight at or above the threshold
-- (num * 100 >= den * threshold, compared exactly); below it, truncated to 4 decimals so a rate
-- below its threshold never shows full points. A published percentage p scores as (p, 100).
-- Python twin: kpi_pipeline.domain.score_766.points.
CREATE OR REPLACE FUNCTION kpi.score_766_points(
    num numeric, den numeric, weight numeric, full_at_percent numeric
) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN num IS NULL OR den IS NULL OR den = 0 THEN NULL
        WHEN num * 100 >= den * full_at_percent THEN weight
        ELSE trunc(weight * num * 100 / (den * full_at_percent), 4)
    END
$$;

CREATE TABLE IF NOT EXISTS kpi.unit_score_monthly (
    period_start                    date NOT NULL,   -- the 1st of the month
    unit_code                       text NOT NULL,
    unit_name                       text NOT NULL,
    unit_level                      text NOT NULL,
    parent_code                     text,
    scope                           text NOT NULL CHECK (scope IN ('unit', 'rollup')),
    -- our points per component, from kpi.unit_kpi_monthly's numerators and denominators
    on_time_points                  numeric,         -- null: no dossier finished
    online_points                   numeric,         -- null: no online-eligible dossier
    online_payment_points           numeric,         -- null: no payment-eligible dossier
    digitisation_points             numeric,         -- null: no dossier received
    score_points                    numeric,         -- sum of the components that apply
    max_points                      numeric NOT NULL, -- sum of their weights (0: none applies)
    score                           numeric CHECK (score BETWEEN 0 AND 100), -- 100 x points / max, 2 decimals
    -- the national portal's published figures (rows of the compared scope only)
    national_on_time_pct            numeric,         -- TyLeDungHan
    national_online_pct             numeric,         -- TyLeTrucTuyen
    national_online_payment_pct     numeric,         -- TyLeThanhToanTrucTuyen
    national_on_time_points         numeric,
    national_online_points          numeric,
    national_online_payment_points  numeric,
    compared_components             text[],          -- components both sides have
    own_compared_points             numeric,         -- our points on those components
    national_compared_points        numeric,         -- the published figures' points on them
    diff_points                     numeric,         -- own - national
    diff_rank                       integer,         -- 1 = largest |diff| above the tolerance, top N; else null
    computed_at                     timestamptz NOT NULL,
    PRIMARY KEY (period_start, unit_code, scope)
);

-- For the units listed by diff_rank: the dossiers behind a component whose points differ,
-- that the national portal sees differently from the provincial record.
CREATE TABLE IF NOT EXISTS kpi.unit_score_dossiers_monthly (
    period_start       date NOT NULL,
    unit_code          text NOT NULL,   -- the listed unit (its compared scope's dossiers)
    component          text NOT NULL CHECK (component IN ('on_time', 'online', 'online_payment')),
    ma_ho_so           text NOT NULL,
    dossier_unit_code  text,            -- the receiving unit (a commune of a district roll-up)
    procedure_code     text,
    reason             text NOT NULL CHECK (reason IN (
        'missing_from_sync', 'status_mismatch', 'finished_date_mismatch', 'on_time_mismatch',
        'finished_only_nationally', 'channel_mismatch', 'payment_mismatch')),
    provincial_value   text,
    national_value     text,
    computed_at        timestamptz NOT NULL,
    PRIMARY KEY (period_start, unit_code, component, ma_ho_so)
);
