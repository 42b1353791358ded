-- The facts Python spells once, as SQL functions every other file calls: ensure_schema runs
-- this file first, its two values bound client-side (DDL takes no server-side parameters).
CREATE SCHEMA IF NOT EXISTS kpi;

-- settings.TIMEZONE: the local time of every period and local date. IMMUTABLE SQL with a
-- constant body, so the planner inlines it and `x AT TIME ZONE kpi.local_tz()` folds to the
-- same constant the literal gave (same plans). A new value needs every index or stored
-- expression built on it rebuilt (none today).
CREATE OR REPLACE FUNCTION kpi.local_tz()
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT %(timezone)s::text
$$;

-- domain/headline.py's HEADLINE in report order: each headline KPI's key, its rate and band
-- columns and the count columns of its numerator and denominator.
CREATE OR REPLACE FUNCTION kpi.headline_kpis()
RETURNS TABLE (ord integer, key text, rate text, band text, numerator text, denominator text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT h.ord, h.key, h.rate, h.band, h.numerator, h.denominator
    FROM jsonb_to_recordset(%(headline)s::jsonb)
        AS h(ord integer, key text, rate text, band text, numerator text, denominator text)
    ORDER BY h.ord
$$;
