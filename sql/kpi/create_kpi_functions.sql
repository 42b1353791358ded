-- KPI building blocks, shared by the weekly and monthly tables (kpi-tables.md is the contract).
-- Periods are [start, end) in local time (kpi.local_tz()); a range of periods (a backfill) is
-- one call: every function takes (p_start, p_end, p_step) = the partition time window and the
-- period length (domain/calendar.py's PERIOD_STEPS, bound by the insert statements as `step`).
-- Every function is `CREATE OR REPLACE`; none reads a kpi.* table (they are created after)
-- but the stored counts per unit and procedure (create_kpi_counts.sql, created before).
CREATE SCHEMA IF NOT EXISTS kpi;

-- The band of num/den against a target percentage, exact numeric arithmetic (never floats).
-- green: target met (rate >= target, or > target when strict); yellow: within yellow_pp points
-- below; orange: within orange_pp points below; red otherwise; NULL when den is 0.
-- The Python twin is kpi_pipeline.domain.bands.band; tests check that they agree.
CREATE OR REPLACE FUNCTION kpi.band(num bigint, den bigint, target_pct numeric, strict boolean,
                                    yellow_pp numeric, orange_pp numeric)
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    scaled numeric;  -- 100 * num, compared with edge * den: rate_pct >= edge <=> 100 num >= edge den
BEGIN
    IF target_pct IS NULL OR strict IS NULL OR yellow_pp IS NULL OR orange_pp IS NULL THEN
        RAISE EXCEPTION 'kpi.band: missing configuration (target %, strict %, widths % / %)',
            target_pct, strict, yellow_pp, orange_pp;
    END IF;
    IF num IS NULL OR den IS NULL OR den = 0 THEN
        RETURN NULL;
    END IF;
    IF num < 0 OR den < 0 THEN
        RAISE EXCEPTION 'kpi.band: negative count %/%', num, den;
    END IF;
    scaled := 100 * num::numeric;
    IF strict THEN
        IF scaled > target_pct * den THEN RETURN 'green'; END IF;
        IF scaled > (target_pct - yellow_pp) * den THEN RETURN 'yellow'; END IF;
        IF scaled > (target_pct - orange_pp) * den THEN RETURN 'orange'; END IF;
    ELSE
        IF scaled >= target_pct * den THEN RETURN 'green'; END IF;
        IF scaled >= (target_pct - yellow_pp) * den THEN RETURN 'yellow'; END IF;
        IF scaled >= (target_pct - orange_pp) * den THEN RETURN 'orange'; END IF;
    END IF;
    RETURN 'red';
END
$$;

-- kpi.band with the target of `kpi` and the widths from the configuration document
-- (KpiConfig.sql_json(): {"bands": {...}, "targets": {"on_time": {"percent": "90", ...}}}).
CREATE OR REPLACE FUNCTION kpi.band_for(num bigint, den bigint, cfg jsonb, kpi text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT kpi.band(num, den,
                    (cfg #>> ARRAY['targets', kpi, 'percent'])::numeric,
                    (cfg #>> ARRAY['targets', kpi, 'strict'])::boolean,
                    (cfg #>> '{bands,yellow_within_pp}')::numeric,
                    (cfg #>> '{bands,orange_within_pp}')::numeric)
$$;

-- The worst of the non-null bands (green < yellow < orange < red); NULL when all are NULL.
CREATE OR REPLACE FUNCTION kpi.worst_band(VARIADIC bands text[])
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT b FROM unnest(bands) AS b
    WHERE b IS NOT NULL
    ORDER BY array_position(ARRAY['green', 'yellow', 'orange', 'red'], b) DESC NULLS LAST
    LIMIT 1
$$;

-- The minimum-volume rule (kpi.yaml `min_volume`): a KPI whose denominator has dossiers but
-- fewer than the minimum is "low volume" (reports show "it ho so" instead of its colour). The
-- contract bands stay as kpi-tables.md defines them; this is carried in added columns.
-- The Python twin is kpi_pipeline.domain.volume; tests check that they agree.
CREATE OR REPLACE FUNCTION kpi.low_volume(den bigint, cfg jsonb)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT den > 0 AND den < coalesce((cfg #>> '{min_volume,dossiers}')::bigint, 0)
$$;

-- The overall band over the headline KPIs that are rated (dossiers, and not low volume).
CREATE OR REPLACE FUNCTION kpi.rated_overall_band(on_time_band text, on_time_den bigint,
                                                  online_band text, online_den bigint,
                                                  payment_band text, payment_den bigint,
                                                  cfg jsonb)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT kpi.worst_band(
        CASE WHEN NOT kpi.low_volume(on_time_den, cfg) THEN on_time_band END,
        CASE WHEN NOT kpi.low_volume(online_den, cfg) THEN online_band END,
        CASE WHEN NOT kpi.low_volume(payment_den, cfg) THEN payment_band END)
$$;

-- The minimum-volume columns of a unit_kpi_* row (the added columns after the contract's):
-- each headline KPI's low-volume flag, the overall band over the rated KPIs, and whether the
-- row has a contract band but no rated KPI. One definition for the four unit_kpi_* inserts.
CREATE OR REPLACE FUNCTION kpi.volume_columns(finished bigint, online_eligible bigint,
                                              payment_eligible bigint, on_time_band text,
                                              online_band text, online_payment_band text,
                                              overall_band text, cfg jsonb)
RETURNS TABLE (on_time_low_volume boolean, online_low_volume boolean,
               online_payment_low_volume boolean, overall_band_rated text, low_volume boolean)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT kpi.low_volume(finished, cfg), kpi.low_volume(online_eligible, cfg),
           kpi.low_volume(payment_eligible, cfg), r.rated,
           overall_band IS NOT NULL AND r.rated IS NULL
    FROM (SELECT kpi.rated_overall_band(on_time_band, finished, online_band, online_eligible,
                                        online_payment_band, payment_eligible, cfg) AS rated) r
$$;

-- Is `day` a working day, given its ref.holidays kind (NULL when not listed)? Saturdays and
-- Sundays are off unless LAM_BU (a working Saturday); LE and BU days are off. The SQL twin of
-- kpi_pipeline.domain.calendar.WorkingCalendar.is_working_day.
CREATE OR REPLACE FUNCTION kpi.is_working_day(day date, kind text)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE kind
        WHEN 'LE' THEN false
        WHEN 'BU' THEN false
        WHEN 'LAM_BU' THEN true
        ELSE extract(isodow FROM day) < 6
    END
$$;

-- Working days d with a < d <= b (0 when b <= a): days overdue from due date a to day b.
-- The SQL twin of kpi_pipeline.domain.calendar.WorkingCalendar.working_days_between.
CREATE OR REPLACE FUNCTION kpi.working_days_between(a date, b date)
RETURNS integer LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT count(*)::integer
    FROM generate_series(a + 1, b, interval '1 day') AS g(day)
    LEFT JOIN ref.holidays h ON h.day = g.day::date
    WHERE kpi.is_working_day(g.day::date, h.kind)
$$;

-- Every day of [a, b] with the running count of working days from a: for a <= x <= y in the
-- range, cum(y) - cum(x) = kpi.working_days_between(x, y). Lets a set of dossiers get their
-- working days overdue with two joins instead of one calendar walk each.
CREATE OR REPLACE FUNCTION kpi.working_day_index(a date, b date)
RETURNS TABLE (day date, cum bigint) LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT g.day::date,
           count(*) FILTER (WHERE kpi.is_working_day(g.day::date, h.kind)) OVER (ORDER BY g.day)
    FROM generate_series(a, b, interval '1 day') AS g(day)
    LEFT JOIN ref.holidays h ON h.day = g.day::date
$$;

-- How many periods of p_step start in [p_start, p_end). IMMUTABLE: in a statement whose window
-- is given, the planner evaluates it once, as a constant.
CREATE OR REPLACE FUNCTION kpi.period_count(p_start date, p_end date, p_step interval)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT count(*)::integer
    FROM generate_series(p_start::timestamp, p_end::timestamp - interval '1 day', p_step)
$$;

-- The periods of [p_start, p_end), each with its half-open local-time window.
-- The periods are numbered by an integer series of kpi.period_count's length, not generated as
-- timestamps: the planner knows the length of an integer series with constant bounds (1 for a
-- Friday, 52 for a year of weeks), where it takes any timestamp series for 1,000 periods and
-- plans every join of the periods' dossiers for a thousand times their number (issue 17).
CREATE OR REPLACE FUNCTION kpi.periods(p_start date, p_end date, p_step interval)
RETURNS TABLE (period_start date, period_end date, window_start timestamptz, window_end timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT g::date, (g + p_step)::date,
           g AT TIME ZONE kpi.local_tz(), (g + p_step) AT TIME ZONE kpi.local_tz()
    FROM generate_series(0, kpi.period_count(p_start, p_end, p_step) - 1) AS i(n)
    CROSS JOIN LATERAL (SELECT p_start::timestamp + i.n * p_step) AS s(g)
$$;

-- Every unit valid in each period (a ref.units version overlapping it; valid_to inclusive).
-- When two versions of a unit overlap one period (a change inside the period), the later one
-- gives its name, level and parent: the unit as it stood at the period's end.
CREATE OR REPLACE FUNCTION kpi.period_units(p_start date, p_end date, p_step interval)
RETURNS TABLE (period_start date, unit_code text, unit_name text, unit_level text, parent_code text)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (p.period_start, u.unit_code)
           p.period_start, u.unit_code, u.unit_name, u.unit_level, u.parent_code
    FROM kpi.periods(p_start, p_end, p_step) p
    JOIN ref.units u
      ON u.valid_from < p.period_end AND (u.valid_to IS NULL OR u.valid_to >= p.period_start)
    ORDER BY p.period_start, u.unit_code, u.valid_from DESC
$$;

-- Roll-up membership per period: (ancestor, member) for every unit and each of its
-- descendants, itself included, in the hierarchy valid in the period. A unit that no root
-- (unit without parent: the province) reaches in the period - its parent has no version
-- then, or it has no version itself but still has dossiers (an old unit's open dossiers) -
-- is attached to every root, so that the province roll-up covers everything.
CREATE OR REPLACE FUNCTION kpi.period_rollup_members(p_start date, p_end date, p_step interval)
RETURNS TABLE (period_start date, ancestor_code text, unit_code text)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE units AS (
        SELECT * FROM kpi.period_units(p_start, p_end, p_step)
    ),
    tree (period_start, ancestor_code, unit_code, depth) AS (
        SELECT u.period_start, u.unit_code, u.unit_code, 0 FROM units u
        UNION ALL
        SELECT t.period_start, t.ancestor_code, c.unit_code, t.depth + 1
        FROM tree t
        JOIN units c ON c.period_start = t.period_start AND c.parent_code = t.unit_code
        WHERE t.depth < 10 AND c.unit_code <> t.ancestor_code  -- guards against cycles
    ),
    roots AS (
        SELECT u.period_start, u.unit_code FROM units u WHERE u.parent_code IS NULL
    ),
    stray AS (
        SELECT p.period_start, k.unit_code
        FROM kpi.periods(p_start, p_end, p_step) p
        CROSS JOIN (SELECT DISTINCT unit_code FROM ref.units) k
        EXCEPT
        SELECT t.period_start, t.unit_code
        FROM tree t JOIN roots r ON r.period_start = t.period_start AND r.unit_code = t.ancestor_code
    )
    SELECT t.period_start, t.ancestor_code, t.unit_code FROM tree t
    UNION
    SELECT s.period_start, r.unit_code, s.unit_code
    FROM stray s JOIN roots r ON r.period_start = s.period_start
$$;

-- When a dossier stopped being open: finished or returned (9, 10) at NgayKetThucXuLy;
-- refused, withdrawn or suspended (3, 7, 8) at NgayKetThucXuLy when set, else at its last
-- change (the latest version's NgayCapNhat: the status cannot be older than that); NULL while open.
CREATE OR REPLACE FUNCTION kpi.closed_at(status smallint, finished_at timestamptz,
                                         returned_at timestamptz, updated_at timestamptz)
RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN status IN (9, 10) THEN coalesce(finished_at, returned_at, updated_at)
        WHEN status IN (3, 7, 8) THEN coalesce(finished_at, updated_at)
    END
$$;

-- When a dossier stopped being open ('infinity' while it is open): the overdue events read
-- the dossiers open at some point of the period through this index, not the whole history,
-- so a Friday run costs the same on four years of history as on one (kpi.overdue_open).
-- An expression index: change kpi.closed_at and this index must be rebuilt (REINDEX).
CREATE INDEX IF NOT EXISTS dossiers_open_until_idx ON staging.dossiers
    ((coalesce(kpi.closed_at(status, finished_at, returned_at, updated_at), 'infinity')));

-- A dossier's latest national payment transaction (by NgayCapNhat; ties: latest payment,
-- then highest MaGiaoDich), and whether any of its transactions succeeded.
CREATE OR REPLACE FUNCTION kpi.latest_payment(p_ma_ho_so text)
RETURNS TABLE (transaction_id text, status text, paid_at timestamptz, updated_at timestamptz,
               any_success boolean)
LANGUAGE sql STABLE AS $$
    SELECT p.transaction_id, p.status, p.paid_at, p.updated_at,
           EXISTS (SELECT 1 FROM staging.payments s
                   WHERE s.ma_ho_so = p_ma_ho_so AND s.status = 'THANH_CONG')
    FROM staging.payments p
    WHERE p.ma_ho_so = p_ma_ho_so
    ORDER BY p.updated_at DESC, p.paid_at DESC NULLS LAST, p.transaction_id DESC
    LIMIT 1
$$;

-- Why the national portal sees a dossier behind one of our KPI figures differently, and both
-- sides' values, for the reconciliation and score drill-downs (NULL reason: no difference).
-- `on_time` rows are finished dossiers (status 9 or 10), so a national status other than 9/10
-- (or none) is a status mismatch; the window is the period's [start, end).
CREATE OR REPLACE FUNCTION kpi.dossier_mismatch(
    kpi text, synced boolean, w_start timestamptz, w_end timestamptz,
    status smallint, channel smallint, finished_at timestamptz, due_at timestamptz,
    payment_method text, n_status smallint, n_channel smallint, n_finished_at timestamptz,
    n_due_at timestamptz, n_payment_status text)
RETURNS TABLE (reason text, provincial_value text, national_value text)
LANGUAGE sql STABLE AS $$
    SELECT CASE
            WHEN NOT synced THEN 'missing_from_sync'
            WHEN kpi = 'on_time' AND coalesce(n_status NOT IN (9, 10), true)
                THEN 'status_mismatch'
            WHEN kpi = 'on_time' AND (n_finished_at IS NULL
                 OR n_finished_at < w_start OR n_finished_at >= w_end)
                THEN 'finished_date_mismatch'
            WHEN kpi = 'on_time'
                 AND (n_finished_at <= n_due_at) IS DISTINCT FROM (finished_at <= due_at)
                THEN 'on_time_mismatch'
            WHEN kpi = 'online' AND n_channel IS DISTINCT FROM channel
                THEN 'channel_mismatch'
            WHEN kpi = 'online_payment'
                 AND coalesce(payment_method = 'TRUC_TUYEN', false)
                     <> coalesce(n_payment_status = 'THANH_CONG', false)
                THEN 'payment_mismatch'
        END,
        CASE kpi
            WHEN 'on_time' THEN concat('status=', status,
                ' finished=', to_char(finished_at AT TIME ZONE kpi.local_tz(), 'YYYY-MM-DD HH24:MI'),
                ' due=', to_char(due_at AT TIME ZONE kpi.local_tz(), 'YYYY-MM-DD HH24:MI'))
            WHEN 'online' THEN concat('channel=', channel)
            ELSE concat('payment=', coalesce(payment_method, 'none'))
        END,
        CASE WHEN synced THEN CASE kpi
            WHEN 'on_time' THEN concat('status=', n_status,
                ' finished=', coalesce(to_char(n_finished_at AT TIME ZONE kpi.local_tz(), 'YYYY-MM-DD HH24:MI'), 'none'),
                ' due=', coalesce(to_char(n_due_at AT TIME ZONE kpi.local_tz(), 'YYYY-MM-DD HH24:MI'), 'none'))
            WHEN 'online' THEN concat('channel=', n_channel)
            ELSE concat('latest_transaction=', coalesce(n_payment_status, 'none'))
        END END
$$;

-- Whether a dossier counts as received in the period of its NgayTiepNhan (not refused at
-- intake, 3) and as finished in the period of its NgayKetThucXuLy (finished or returned, 9 or
-- 10). Rules of their own, which dossier_events applies, so that the sync reconciliation can
-- place its few mismatching dossiers in their weeks by the same rules (issue 17).
CREATE OR REPLACE FUNCTION kpi.counts_as_received(status smallint)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT status <> 3
$$;

CREATE OR REPLACE FUNCTION kpi.counts_as_finished(status smallint)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT status IN (9, 10)
$$;

-- Whether a received dossier counts as paid online (kpi-tables.md): payment-eligible, and its
-- latest national transaction (kpi.latest_payment) succeeded. A rule of its own so that the
-- lists of unpaid and mismatching dossiers, which look up that transaction for their columns
-- anyway, apply it there rather than have dossier_events look it up a second time (issue 17).
CREATE OR REPLACE FUNCTION kpi.counts_as_paid_online(payment_eligible boolean, latest_status text)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(payment_eligible AND latest_status = 'THANH_CONG', false)
$$;

-- Overdue and open at a period's end (kpi-tables.md, overdue_open): received and due before the
-- end, and not closed by it (kpi.closed_at). One row per (period, dossier), with the details
-- the overdue lists show: dossier_events' `overdue` rows, and kpi.overdue_dossier_rows's.
-- The candidates are the dossiers open at the first end or later, received and due before the
-- last end, and not closed by their due time: dossiers_open_until_idx's range, so that a
-- Friday run reads the open dossiers, not the history. A dossier's periods are a run of
-- consecutive ones, from the first whose end is after its due (and receipt) time to the last
-- whose end is not after it closed: found by width_bucket in the sorted ends (the number of
-- ends at or before a time), not by comparing every candidate with every period (125,216 x 52
-- on 52 weeks at scale 1.0, issue 17).
CREATE OR REPLACE FUNCTION kpi.overdue_open(p_start date, p_end date, p_step interval)
RETURNS TABLE (period_start date, period_end date, ma_ho_so text, unit_code text,
               procedure_code text, channel smallint, status smallint,
               received_at timestamptz, due_at timestamptz)
LANGUAGE sql STABLE AS $$
    WITH p AS MATERIALIZED (
        SELECT *, row_number() OVER (ORDER BY window_end)::int AS n
        FROM kpi.periods(p_start, p_end, p_step)
    ),
    bounds AS MATERIALIZED (
        SELECT min(window_end) AS first_end, max(window_end) AS last_end,
               array_agg(window_end ORDER BY window_end) AS ends
        FROM p
    ),
    candidates AS MATERIALIZED (
        SELECT c.* FROM (
            SELECT d.ma_ho_so, d.unit_code, d.procedure_code, d.channel, d.status,
                   d.received_at, d.due_at,
                   kpi.closed_at(d.status, d.finished_at, d.returned_at, d.updated_at) AS closed_at
            FROM staging.dossiers d
            WHERE coalesce(kpi.closed_at(d.status, d.finished_at, d.returned_at, d.updated_at),
                           'infinity') >= (SELECT first_end FROM bounds)
              AND d.due_at < (SELECT last_end FROM bounds)
              AND d.received_at < (SELECT last_end FROM bounds)
            OFFSET 0
        ) c
        WHERE c.closed_at IS NULL OR c.closed_at > c.due_at
    )
    SELECT p.period_start, p.period_end, o.ma_ho_so, o.unit_code, o.procedure_code, o.channel,
           o.status, o.received_at, o.due_at
    FROM candidates o
    CROSS JOIN bounds b
    CROSS JOIN LATERAL generate_series(
        width_bucket(greatest(o.due_at, o.received_at), b.ends) + 1,
        CASE WHEN o.closed_at IS NULL THEN cardinality(b.ends)
             ELSE width_bucket(o.closed_at, b.ends) END) AS k(n)
    JOIN p ON p.n = k.n
$$;

-- What each dossier (staging.dossiers: one row, its latest version) counts for in each period,
-- as 0/1 flags; one row per (period, dossier, event): `received` rows carry the intake flags,
-- `finished` rows the processing ones, `overdue` rows overdue_open. The counting rules of
-- kpi-tables.md live here and in the rule functions above that it applies
-- (kpi.counts_as_received / _finished / _paid_online, kpi.overdue_open), and nowhere else.
CREATE OR REPLACE FUNCTION kpi.dossier_events(p_start date, p_end date, p_step interval)
RETURNS TABLE (
    period_start date, event text, ma_ho_so text, unit_code text, procedure_code text,
    received int, received_online int, online_eligible int, online_eligible_received_online int,
    finished int, finished_on_time int, finished_late int, finished_late_subjective int,
    payment_eligible int, paid_online int, digitised int, overdue_open int, level4 boolean)
LANGUAGE sql STABLE AS $$
    WITH p AS MATERIALIZED (
        SELECT * FROM kpi.periods(p_start, p_end, p_step)
    ),
    -- received: NgayTiepNhan in the window, not refused at intake (3). One received_at index
    -- range per period; the payment look-up then runs on those dossiers only.
    rcv_dossiers AS MATERIALIZED (
        SELECT p.period_start, d.ma_ho_so, d.unit_code, d.procedure_code, d.channel, d.digitised
        FROM p
        JOIN staging.dossiers d
          ON d.received_at >= p.window_start AND d.received_at < p.window_end
        WHERE kpi.counts_as_received(d.status)
    ),
    rcv AS (
        SELECT r.*,
               coalesce(pr.service_level IN (3, 4) AND pr.integrated, false) AS online_eligible,
               coalesce(pr.has_fee AND pr.online_payment, false) AS payment_eligible,
               coalesce(pr.service_level = 4 OR pr.fully_online, false) AS level4,
               -- looked up for payment-eligible dossiers only (CASE: never for the others)
               CASE WHEN pr.has_fee AND pr.online_payment THEN
                   (SELECT l.status FROM kpi.latest_payment(r.ma_ho_so) l)
               END AS payment_status
        FROM rcv_dossiers r
        LEFT JOIN ref.procedures pr ON pr.procedure_code = r.procedure_code
    )
    -- The union in a subquery of its own, not the WITH's body: planned as an append of its
    -- arms, a column the caller does not read is not computed (the payment look-up behind
    -- paid_online, for the unpaid list and the payment reconciliation, which read
    -- payment_eligible and look up the latest transaction themselves: 627,391 look-ups on 52
    -- weeks at scale 1.0, issue 17). A union that is the WITH's body is planned whole.
    SELECT * FROM (
        SELECT r.period_start, 'received', r.ma_ho_so, r.unit_code, r.procedure_code,
               1, (r.channel = 2)::int, r.online_eligible::int,
               (r.online_eligible AND r.channel = 2)::int,
               0, 0, 0, 0,
               r.payment_eligible::int,
               kpi.counts_as_paid_online(r.payment_eligible, r.payment_status)::int,
               r.digitised::int, 0, r.level4
        FROM rcv r
        UNION ALL
        -- finished: NgayKetThucXuLy in the window, status 9 or 10; on time: finished_at <= due_at
        SELECT p.period_start, 'finished', d.ma_ho_so, d.unit_code, d.procedure_code,
               0, 0, 0, 0,
               1, (d.finished_at <= d.due_at)::int, (d.finished_at > d.due_at)::int,
               coalesce(d.finished_at > d.due_at AND d.late_reason = 'CHU_QUAN', false)::int,
               0, 0, 0, 0, false
        FROM p
        JOIN staging.dossiers d
          ON d.finished_at >= p.window_start AND d.finished_at < p.window_end
        WHERE kpi.counts_as_finished(d.status)
        UNION ALL
        -- overdue open at the window's end (the rule: kpi.overdue_open)
        SELECT o.period_start, 'overdue', o.ma_ho_so, o.unit_code, o.procedure_code,
               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, false
        FROM kpi.overdue_open(p_start, p_end, p_step) o
    ) e
$$;

-- One row of kpi.unit_procedure_events, as a type: the cumulative periods pass the events they
-- sum from their months (insert_unit_kpi_cumulative.sql) to kpi.unit_kpi_event_map_rows.
DO $$
BEGIN
    CREATE TYPE kpi.unit_procedure_event AS (
        period_start date, unit_code text, procedure_code text,
        received bigint, received_online bigint, online_eligible bigint,
        online_eligible_received_online bigint, finished bigint, finished_on_time bigint,
        finished_late_subjective bigint, payment_eligible bigint, paid_online bigint,
        digitised bigint, overdue_open bigint, any_received boolean,
        any_received_level4 boolean);
EXCEPTION WHEN duplicate_object THEN NULL;
END
$$;

-- kpi.dossier_events summed per (period, unit, procedure): the unit tables' counts (and
-- finished_late, the procedure drill-down's), and whether the procedure had a dossier received
-- (at level 4) there, so that the distinct procedure counts group a few rows per unit instead
-- of sorting every event. What kpi.unit_procedure_weekly / _monthly store.
CREATE OR REPLACE FUNCTION kpi.unit_procedure_counts(p_start date, p_end date, p_step interval)
RETURNS TABLE (
    period_start date, unit_code text, procedure_code text,
    received bigint, received_online bigint, online_eligible bigint,
    online_eligible_received_online bigint, finished bigint, finished_on_time bigint,
    finished_late bigint, finished_late_subjective bigint, payment_eligible bigint,
    paid_online bigint, digitised bigint, overdue_open bigint, any_received boolean,
    any_received_level4 boolean)
LANGUAGE sql STABLE AS $$
    SELECT e.period_start, e.unit_code, e.procedure_code,
           sum(e.received), sum(e.received_online), sum(e.online_eligible),
           sum(e.online_eligible_received_online), sum(e.finished), sum(e.finished_on_time),
           sum(e.finished_late), sum(e.finished_late_subjective), sum(e.payment_eligible),
           sum(e.paid_online), sum(e.digitised), sum(e.overdue_open),
           bool_or(e.received = 1), bool_or(e.received = 1 AND e.level4)
    FROM kpi.dossier_events(p_start, p_end, p_step) e
    GROUP BY e.period_start, e.unit_code, e.procedure_code
$$;

-- kpi.unit_procedure_counts as kpi.unit_procedure_event rows (without finished_late).
CREATE OR REPLACE FUNCTION kpi.unit_procedure_events(p_start date, p_end date, p_step interval)
RETURNS TABLE (
    period_start date, unit_code text, procedure_code text,
    received bigint, received_online bigint, online_eligible bigint,
    online_eligible_received_online bigint, finished bigint, finished_on_time bigint,
    finished_late_subjective bigint, payment_eligible bigint, paid_online bigint,
    digitised bigint, overdue_open bigint, any_received boolean, any_received_level4 boolean)
LANGUAGE sql STABLE AS $$
    SELECT c.period_start, c.unit_code, c.procedure_code,
           c.received, c.received_online, c.online_eligible, c.online_eligible_received_online,
           c.finished, c.finished_on_time, c.finished_late_subjective, c.payment_eligible,
           c.paid_online, c.digitised, c.overdue_open, c.any_received, c.any_received_level4
    FROM kpi.unit_procedure_counts(p_start, p_end, p_step) c
$$;

-- The stored counts (create_kpi_counts.sql) of the periods beginning in [p_start, p_end):
-- kpi.unit_procedure_weekly's for p_source 'weekly', kpi.unit_procedure_monthly's for
-- 'monthly', none otherwise (NULL: the caller counts the dossiers).
CREATE OR REPLACE FUNCTION kpi.stored_unit_procedure_counts(p_start date, p_end date,
                                                            p_source text)
RETURNS SETOF kpi.unit_procedure_weekly
LANGUAGE sql STABLE AS $$
    SELECT * FROM kpi.unit_procedure_weekly s
    WHERE p_source = 'weekly' AND s.period_start >= p_start AND s.period_start < p_end
    UNION ALL
    SELECT * FROM kpi.unit_procedure_monthly s
    WHERE p_source = 'monthly' AND s.period_start >= p_start AND s.period_start < p_end
$$;

-- The rows of kpi.unit_kpi_weekly / kpi.unit_kpi_monthly and of their twins on today's map
-- (without computed_at) for every period of the range, on the maps in p_maps, from one event
-- set: a cumulative period counted on both maps reads its dossiers once.
-- `as_then`: every unit valid in the period, scope `unit` (its own dossiers) and `rollup`
-- (itself and its descendants; sums of numerators and denominators); lineage_partial NULL.
-- `current` (docs/REFORM-2025.md): the units in force today (latest version of every unit
-- with an open end) in every period; a dossier counts for the unit its receiving unit maps to
-- (ref.unit_current_map); a unit code with no current unit (unknown, or no successor) is
-- attached to the province's roll-up, so the province total of every period equals the total
-- as it was; lineage_partial: some of the unit's dossiers came through a split unit's default
-- successor.
-- Level-4 share: procedures_received = distinct procedures with at least one dossier received
-- by the unit in the period; procedures_level4 = those offered at level 4 or fully online
-- (MucDo 4 or ToanTrinh); a roll-up sums them over its units (unit x procedure pairs).
--
-- The events, one row per unit and procedure of each period, come from the dossiers (p_events
-- and p_source NULL), are given (p_events: a cumulative period sums them from its months instead
-- of reading its dossiers again), or are stored (p_source 'weekly' / 'monthly': the periods'
-- rows of kpi.unit_procedure_weekly / _monthly, counted once for the unit tables on both maps
-- and the drill-downs).
-- Before p_source (issue 17), the function took six arguments.
DROP FUNCTION IF EXISTS kpi.unit_kpi_event_map_rows(date, date, interval, jsonb, text[],
                                                    kpi.unit_procedure_event[]);
CREATE OR REPLACE FUNCTION kpi.unit_kpi_event_map_rows(p_start date, p_end date,
                                                       p_step interval, p_cfg jsonb,
                                                       p_maps text[],
                                                       p_events kpi.unit_procedure_event[],
                                                       p_source text DEFAULT NULL)
RETURNS TABLE (
    unit_map text,
    period_start date, unit_code text, unit_name text, unit_level text, parent_code text,
    scope text,
    received bigint, received_online bigint, online_eligible bigint,
    online_eligible_received_online bigint, finished bigint, finished_on_time bigint,
    payment_eligible bigint, paid_online bigint, digitised bigint, overdue_open bigint,
    on_time_rate numeric, online_rate numeric, online_payment_rate numeric,
    digitisation_rate numeric,
    on_time_band text, online_band text, online_payment_band text, overall_band text,
    finished_late_subjective bigint, procedures_received bigint, procedures_level4 bigint,
    level4_share numeric, level4_band text, digitisation_band text,
    lineage_partial boolean)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE ev AS MATERIALIZED (
        SELECT * FROM kpi.unit_procedure_events(p_start, p_end, p_step)
        WHERE p_events IS NULL AND p_source IS NULL
        UNION ALL
        SELECT * FROM unnest(p_events)
        UNION ALL
        SELECT s.period_start, s.unit_code, s.procedure_code, s.received, s.received_online,
               s.online_eligible, s.online_eligible_received_online, s.finished,
               s.finished_on_time, s.finished_late_subjective, s.payment_eligible, s.paid_online,
               s.digitised, s.overdue_open, s.any_received, s.any_received_level4
        FROM kpi.stored_unit_procedure_counts(p_start, p_end, p_source) s
    ),
    -- the map of the period's time
    units AS (
        SELECT * FROM kpi.period_units(p_start, p_end, p_step)
    ),
    then_own AS (
        SELECT e.period_start, e.unit_code,
               sum(e.received)::bigint AS received,
               sum(e.received_online)::bigint AS received_online,
               sum(e.online_eligible)::bigint AS online_eligible,
               sum(e.online_eligible_received_online)::bigint AS online_eligible_received_online,
               sum(e.finished)::bigint AS finished,
               sum(e.finished_on_time)::bigint AS finished_on_time,
               sum(e.payment_eligible)::bigint AS payment_eligible,
               sum(e.paid_online)::bigint AS paid_online,
               sum(e.digitised)::bigint AS digitised,
               sum(e.overdue_open)::bigint AS overdue_open,
               sum(e.finished_late_subjective)::bigint AS finished_late_subjective,
               -- ev has one row per (period, unit, procedure): no DISTINCT (and no sort)
               count(e.procedure_code) FILTER (WHERE e.any_received) AS procedures_received,
               count(e.procedure_code) FILTER (WHERE e.any_received_level4) AS procedures_level4
        FROM ev e
        GROUP BY e.period_start, e.unit_code
    ),
    then_scoped AS (
        SELECT o.period_start, o.unit_code, 'unit' AS scope,
               o.received, o.received_online, o.online_eligible,
               o.online_eligible_received_online, o.finished, o.finished_on_time,
               o.payment_eligible, o.paid_online, o.digitised, o.overdue_open,
               o.finished_late_subjective, o.procedures_received, o.procedures_level4
        FROM then_own o
        UNION ALL
        SELECT m.period_start, m.ancestor_code, 'rollup',
               sum(o.received), sum(o.received_online), sum(o.online_eligible),
               sum(o.online_eligible_received_online), sum(o.finished), sum(o.finished_on_time),
               sum(o.payment_eligible), sum(o.paid_online), sum(o.digitised),
               sum(o.overdue_open), sum(o.finished_late_subjective),
               sum(o.procedures_received), sum(o.procedures_level4)
        FROM kpi.period_rollup_members(p_start, p_end, p_step) m
        JOIN then_own o ON o.period_start = m.period_start AND o.unit_code = m.unit_code
        GROUP BY m.period_start, m.ancestor_code
    ),
    then_counts AS (
        SELECT u.period_start, u.unit_code, u.unit_name, u.unit_level, u.parent_code, sc.scope,
               coalesce(s.received, 0)::bigint AS received,
               coalesce(s.received_online, 0)::bigint AS received_online,
               coalesce(s.online_eligible, 0)::bigint AS online_eligible,
               coalesce(s.online_eligible_received_online, 0)::bigint
                   AS online_eligible_received_online,
               coalesce(s.finished, 0)::bigint AS finished,
               coalesce(s.finished_on_time, 0)::bigint AS finished_on_time,
               coalesce(s.payment_eligible, 0)::bigint AS payment_eligible,
               coalesce(s.paid_online, 0)::bigint AS paid_online,
               coalesce(s.digitised, 0)::bigint AS digitised,
               coalesce(s.overdue_open, 0)::bigint AS overdue_open,
               coalesce(s.finished_late_subjective, 0)::bigint AS finished_late_subjective,
               coalesce(s.procedures_received, 0)::bigint AS procedures_received,
               coalesce(s.procedures_level4, 0)::bigint AS procedures_level4
        FROM units u
        CROSS JOIN (VALUES ('unit'), ('rollup')) AS sc(scope)
        LEFT JOIN then_scoped s
          ON s.period_start = u.period_start AND s.unit_code = u.unit_code AND s.scope = sc.scope
    ),
    -- today's map
    today AS (
        SELECT DISTINCT ON (u.unit_code) u.unit_code, u.unit_name, u.unit_level, u.parent_code
        FROM ref.units u
        WHERE u.valid_to IS NULL
        ORDER BY u.unit_code, u.valid_from DESC
    ),
    tree (ancestor_code, unit_code, depth) AS (
        SELECT t.unit_code, t.unit_code, 0 FROM today t
        UNION ALL
        SELECT tr.ancestor_code, c.unit_code, tr.depth + 1
        FROM tree tr JOIN today c ON c.parent_code = tr.unit_code
        WHERE tr.depth < 10 AND c.unit_code <> tr.ancestor_code
    ),
    cur_events AS (
        SELECT e.*, coalesce(m.current_unit_code, e.unit_code) AS current_code,
               coalesce(m.lineage_partial, false) AS partial
        FROM ev e
        LEFT JOIN ref.unit_current_map m ON m.unit_code = e.unit_code
    ),
    cur_own AS (
        SELECT e.period_start, e.current_code AS unit_code,
               sum(e.received)::bigint AS received,
               sum(e.received_online)::bigint AS received_online,
               sum(e.online_eligible)::bigint AS online_eligible,
               sum(e.online_eligible_received_online)::bigint AS online_eligible_received_online,
               sum(e.finished)::bigint AS finished,
               sum(e.finished_on_time)::bigint AS finished_on_time,
               sum(e.payment_eligible)::bigint AS payment_eligible,
               sum(e.paid_online)::bigint AS paid_online,
               sum(e.digitised)::bigint AS digitised,
               sum(e.overdue_open)::bigint AS overdue_open,
               sum(e.finished_late_subjective)::bigint AS finished_late_subjective,
               count(DISTINCT e.procedure_code) FILTER (WHERE e.any_received)
                   AS procedures_received,
               count(DISTINCT e.procedure_code) FILTER (WHERE e.any_received_level4)
                   AS procedures_level4,
               bool_or(e.partial) AS lineage_partial
        FROM cur_events e
        GROUP BY e.period_start, e.current_code
    ),
    cur_members AS (
        SELECT tr.ancestor_code, tr.unit_code FROM tree tr
        UNION
        -- codes that are not a unit of today's map: under every root (the province)
        SELECT r.unit_code, o.unit_code
        FROM (SELECT DISTINCT o.unit_code FROM cur_own o) o
        CROSS JOIN (SELECT t.unit_code FROM today t WHERE t.parent_code IS NULL) r
        WHERE NOT EXISTS (SELECT 1 FROM today t WHERE t.unit_code = o.unit_code)
    ),
    cur_scoped AS (
        SELECT o.period_start, o.unit_code, 'unit' AS scope,
               o.received, o.received_online, o.online_eligible,
               o.online_eligible_received_online, o.finished, o.finished_on_time,
               o.payment_eligible, o.paid_online, o.digitised, o.overdue_open,
               o.finished_late_subjective, o.procedures_received, o.procedures_level4,
               o.lineage_partial
        FROM cur_own o
        UNION ALL
        SELECT o.period_start, m.ancestor_code, 'rollup',
               sum(o.received), sum(o.received_online), sum(o.online_eligible),
               sum(o.online_eligible_received_online), sum(o.finished), sum(o.finished_on_time),
               sum(o.payment_eligible), sum(o.paid_online), sum(o.digitised),
               sum(o.overdue_open), sum(o.finished_late_subjective),
               sum(o.procedures_received), sum(o.procedures_level4), bool_or(o.lineage_partial)
        FROM cur_members m
        JOIN cur_own o ON o.unit_code = m.unit_code
        GROUP BY o.period_start, m.ancestor_code
    ),
    cur_counts AS (
        SELECT p.period_start, t.unit_code, t.unit_name, t.unit_level, t.parent_code, sc.scope,
               coalesce(s.received, 0)::bigint AS received,
               coalesce(s.received_online, 0)::bigint AS received_online,
               coalesce(s.online_eligible, 0)::bigint AS online_eligible,
               coalesce(s.online_eligible_received_online, 0)::bigint
                   AS online_eligible_received_online,
               coalesce(s.finished, 0)::bigint AS finished,
               coalesce(s.finished_on_time, 0)::bigint AS finished_on_time,
               coalesce(s.payment_eligible, 0)::bigint AS payment_eligible,
               coalesce(s.paid_online, 0)::bigint AS paid_online,
               coalesce(s.digitised, 0)::bigint AS digitised,
               coalesce(s.overdue_open, 0)::bigint AS overdue_open,
               coalesce(s.finished_late_subjective, 0)::bigint AS finished_late_subjective,
               coalesce(s.procedures_received, 0)::bigint AS procedures_received,
               coalesce(s.procedures_level4, 0)::bigint AS procedures_level4,
               coalesce(s.lineage_partial, false) AS lineage_partial
        FROM kpi.periods(p_start, p_end, p_step) p
        CROSS JOIN today t
        CROSS JOIN (VALUES ('unit'), ('rollup')) AS sc(scope)
        LEFT JOIN cur_scoped s
          ON s.period_start = p.period_start AND s.unit_code = t.unit_code
         AND s.scope = sc.scope
    ),
    counts AS (
        SELECT 'as_then'::text AS unit_map, c.*, NULL::boolean AS lineage_partial
        FROM then_counts c
        WHERE 'as_then' = ANY (p_maps)
        UNION ALL
        SELECT 'current', c.*
        FROM cur_counts c
        WHERE 'current' = ANY (p_maps)
    )
    SELECT c.unit_map, c.period_start, c.unit_code, c.unit_name, c.unit_level, c.parent_code, c.scope,
           c.received, c.received_online, c.online_eligible, c.online_eligible_received_online,
           c.finished, c.finished_on_time, c.payment_eligible, c.paid_online, c.digitised,
           c.overdue_open,
           c.finished_on_time::numeric / nullif(c.finished, 0),
           c.online_eligible_received_online::numeric / nullif(c.online_eligible, 0),
           c.paid_online::numeric / nullif(c.payment_eligible, 0),
           c.digitised::numeric / nullif(c.received, 0),
           b.on_time_band, b.online_band, b.online_payment_band,
           kpi.worst_band(b.on_time_band, b.online_band, b.online_payment_band),
           c.finished_late_subjective, c.procedures_received, c.procedures_level4,
           c.procedures_level4::numeric / nullif(c.procedures_received, 0),
           kpi.band_for(c.procedures_level4, c.procedures_received, p_cfg, 'level4_share'),
           kpi.band_for(c.digitised, c.received, p_cfg, 'digitisation'),
           c.lineage_partial
    FROM counts c
    CROSS JOIN LATERAL (
        SELECT kpi.band_for(c.finished_on_time, c.finished, p_cfg, 'on_time') AS on_time_band,
               kpi.band_for(c.online_eligible_received_online, c.online_eligible, p_cfg, 'online')
                   AS online_band,
               kpi.band_for(c.paid_online, c.payment_eligible, p_cfg, 'online_payment')
                   AS online_payment_band
    ) b
$$;

-- Its name before the events could be given; no statement calls it any more.
DROP FUNCTION IF EXISTS kpi.unit_kpi_map_rows(date, date, interval, jsonb, text[]);

-- The as-then rows (kpi.unit_kpi_event_map_rows) from the stored counts of p_source.
-- Before p_source (issue 17), it took four arguments and counted the dossiers.
DROP FUNCTION IF EXISTS kpi.unit_kpi_rows(date, date, interval, jsonb);
CREATE OR REPLACE FUNCTION kpi.unit_kpi_rows(p_start date, p_end date, p_step interval, p_cfg jsonb,
                                             p_source text)
RETURNS TABLE (
    period_start date, unit_code text, unit_name text, unit_level text, parent_code text,
    scope text,
    received bigint, received_online bigint, online_eligible bigint,
    online_eligible_received_online bigint, finished bigint, finished_on_time bigint,
    payment_eligible bigint, paid_online bigint, digitised bigint, overdue_open bigint,
    on_time_rate numeric, online_rate numeric, online_payment_rate numeric,
    digitisation_rate numeric,
    on_time_band text, online_band text, online_payment_band text, overall_band text,
    finished_late_subjective bigint, procedures_received bigint, procedures_level4 bigint,
    level4_share numeric, level4_band text, digitisation_band text)
LANGUAGE sql STABLE AS $$
    SELECT r.period_start, r.unit_code, r.unit_name, r.unit_level, r.parent_code, r.scope,
           r.received, r.received_online, r.online_eligible, r.online_eligible_received_online,
           r.finished, r.finished_on_time, r.payment_eligible, r.paid_online, r.digitised,
           r.overdue_open, r.on_time_rate, r.online_rate, r.online_payment_rate,
           r.digitisation_rate, r.on_time_band, r.online_band, r.online_payment_band,
           r.overall_band, r.finished_late_subjective, r.procedures_received, r.procedures_level4,
           r.level4_share, r.level4_band, r.digitisation_band
    FROM kpi.unit_kpi_event_map_rows(p_start, p_end, p_step, p_cfg, ARRAY['as_then'], NULL,
                                     p_source) r
$$;

-- Drill-down: per period, unit and scope, the procedures contributing most late dossiers
-- (finished after NgayHenTra) and most not-online dossiers (online-eligible, received in
-- person or by post), ranked 1.. by count (ties by procedure code); the top p_top of each
-- ranking are kept. A rank is NULL when the procedure has no such dossier. Counted from the
-- stored counts of p_source (kpi.stored_unit_procedure_counts).
-- Before p_source (issue 17), it took four arguments and counted the dossiers.
DROP FUNCTION IF EXISTS kpi.drilldown_procedure_rows(date, date, interval, integer);
CREATE OR REPLACE FUNCTION kpi.drilldown_procedure_rows(p_start date, p_end date, p_step interval,
                                                        p_top integer, p_source text)
RETURNS TABLE (
    period_start date, unit_code text, scope text, procedure_code text, procedure_name text,
    finished bigint, finished_late bigint, late_rank integer,
    online_eligible bigint, online_eligible_not_online bigint, not_online_rank integer)
LANGUAGE sql STABLE AS $$
    WITH own AS (
        SELECT c.period_start, c.unit_code, c.procedure_code, c.finished, c.finished_late,
               c.online_eligible, c.online_eligible - c.online_eligible_received_online AS not_online
        FROM kpi.stored_unit_procedure_counts(p_start, p_end, p_source) c
    ),
    scoped AS (
        SELECT o.period_start, o.unit_code, 'unit' AS scope, o.procedure_code,
               o.finished, o.finished_late, o.online_eligible, o.not_online
        FROM own o
        UNION ALL
        SELECT m.period_start, m.ancestor_code, 'rollup', o.procedure_code,
               sum(o.finished), sum(o.finished_late), sum(o.online_eligible), sum(o.not_online)
        FROM kpi.period_rollup_members(p_start, p_end, p_step) m
        JOIN own o ON o.period_start = m.period_start AND o.unit_code = m.unit_code
        GROUP BY m.period_start, m.ancestor_code, o.procedure_code
    ),
    ranked AS (
        SELECT s.*,
               CASE WHEN s.finished_late > 0 THEN row_number() OVER (
                   PARTITION BY s.period_start, s.unit_code, s.scope
                   ORDER BY s.finished_late DESC, s.procedure_code) END AS late_rank,
               CASE WHEN s.not_online > 0 THEN row_number() OVER (
                   PARTITION BY s.period_start, s.unit_code, s.scope
                   ORDER BY s.not_online DESC, s.procedure_code) END AS not_online_rank
        FROM scoped s
        JOIN kpi.period_units(p_start, p_end, p_step) u
          ON u.period_start = s.period_start AND u.unit_code = s.unit_code
        -- a procedure with neither a late nor a not-online dossier has no rank, and would rank
        -- after every one that has, in both orders: it is left out before the ranking sorts
        -- (two thirds of the rows at scale 0.25)
        WHERE s.finished_late > 0 OR s.not_online > 0
    )
    SELECT r.period_start, r.unit_code, r.scope, r.procedure_code, pr.procedure_name,
           r.finished::bigint, r.finished_late::bigint, r.late_rank::integer,
           r.online_eligible::bigint, r.not_online::bigint, r.not_online_rank::integer
    FROM ranked r
    LEFT JOIN ref.procedures pr ON pr.procedure_code = r.procedure_code
    WHERE r.late_rank <= p_top OR r.not_online_rank <= p_top
$$;

-- Overdue open dossiers per period, with days overdue in working days: working days after the
-- due date up to the period's last day (= kpi.working_days_between(due date, last day), here
-- through the running index of kpi.working_day_index).
-- parent_code is the unit's parent in the period (a district's list = its own + its communes').
CREATE OR REPLACE FUNCTION kpi.overdue_dossier_rows(p_start date, p_end date, p_step interval)
RETURNS TABLE (
    period_start date, unit_code text, parent_code text, ma_ho_so text, procedure_code text,
    procedure_name text, channel smallint, status smallint, received_at timestamptz,
    due_at timestamptz, days_overdue integer)
LANGUAGE sql STABLE AS $$
    WITH
    -- the overdue rows with their dossiers' details (kpi.overdue_open: the rule behind
    -- dossier_events' `overdue` rows), so the candidates are read once, not again by key
    overdue AS MATERIALIZED (
        SELECT o.period_start, o.unit_code, o.ma_ho_so, o.procedure_code, o.channel, o.status,
               o.received_at, o.due_at,
               (o.due_at AT TIME ZONE kpi.local_tz())::date AS due_day,
               o.period_end - 1 AS last_day
        FROM kpi.overdue_open(p_start, p_end, p_step) o
    ),
    cal AS MATERIALIZED (
        SELECT c.day, c.cum
        FROM kpi.working_day_index((SELECT min(due_day) FROM overdue), p_end) c
    )
    SELECT o.period_start, o.unit_code, u.parent_code, o.ma_ho_so, o.procedure_code,
           pr.procedure_name, o.channel, o.status, o.received_at, o.due_at,
           (c_last.cum - c_due.cum)::integer
    FROM overdue o
    JOIN cal c_due ON c_due.day = o.due_day
    JOIN cal c_last ON c_last.day = o.last_day
    LEFT JOIN kpi.period_units(p_start, p_end, p_step) u
      ON u.period_start = o.period_start AND u.unit_code = o.unit_code
    LEFT JOIN ref.procedures pr ON pr.procedure_code = o.procedure_code
$$;
