-- Published KPI tables (kpi-tables.md is the contract for unit_kpi_weekly / unit_kpi_monthly:
-- their contract columns come first, in its order; project additions follow). Every table
-- is replaced per partition window (delete the window's periods, insert) in one transaction.
CREATE SCHEMA IF NOT EXISTS kpi;

CREATE TABLE IF NOT EXISTS kpi.unit_kpi_weekly (
    period_start                     date NOT NULL,   -- the Friday opening the week
    unit_code                        text NOT NULL,   -- MaDonVi
    unit_name                        text NOT NULL,
    unit_level                       text NOT NULL,   -- TINH, SO_NGANH, HUYEN, XA
    parent_code                      text,            -- null for the province
    scope                            text NOT NULL CHECK (scope IN ('unit', 'rollup')),
    received                         bigint NOT NULL,
    received_online                  bigint NOT NULL,
    online_eligible                  bigint NOT NULL,
    online_eligible_received_online  bigint NOT NULL,
    finished                         bigint NOT NULL,
    finished_on_time                 bigint NOT NULL,
    payment_eligible                 bigint NOT NULL,
    paid_online                      bigint NOT NULL,
    digitised                        bigint NOT NULL,
    overdue_open                     bigint NOT NULL,
    on_time_rate                     numeric CHECK (on_time_rate BETWEEN 0 AND 1),
    online_rate                      numeric CHECK (online_rate BETWEEN 0 AND 1),
    online_payment_rate              numeric CHECK (online_payment_rate BETWEEN 0 AND 1),
    digitisation_rate                numeric CHECK (digitisation_rate BETWEEN 0 AND 1),
    on_time_band                     text,
    online_band                      text,
    online_payment_band              text,
    overall_band                     text,
    computed_at                      timestamptz NOT NULL,
    -- project additions
    finished_late_subjective         bigint NOT NULL, -- finished late, LyDoTreHan = CHU_QUAN
    procedures_received              bigint NOT NULL, -- distinct procedures with dossiers received (roll-up: summed)
    procedures_level4                bigint NOT NULL, -- ... of them at level 4 or fully online
    level4_share                     numeric CHECK (level4_share BETWEEN 0 AND 1),
    level4_band                      text,
    digitisation_band                text,
    PRIMARY KEY (period_start, unit_code, scope)
);

CREATE TABLE IF NOT EXISTS kpi.unit_kpi_monthly (
    period_start                     date NOT NULL,   -- the 1st of the month
    unit_code                        text NOT NULL,
    unit_name                        text NOT NULL,
    unit_level                       text NOT NULL,
    parent_code                      text,
    scope                            text NOT NULL CHECK (scope IN ('unit', 'rollup')),
    received                         bigint NOT NULL,
    received_online                  bigint NOT NULL,
    online_eligible                  bigint NOT NULL,
    online_eligible_received_online  bigint NOT NULL,
    finished                         bigint NOT NULL,
    finished_on_time                 bigint NOT NULL,
    payment_eligible                 bigint NOT NULL,
    paid_online                      bigint NOT NULL,
    digitised                        bigint NOT NULL,
    overdue_open                     bigint NOT NULL,
    on_time_rate                     numeric CHECK (on_time_rate BETWEEN 0 AND 1),
    online_rate                      numeric CHECK (online_rate BETWEEN 0 AND 1),
    online_payment_rate              numeric CHECK (online_payment_rate BETWEEN 0 AND 1),
    digitisation_rate                numeric CHECK (digitisation_rate BETWEEN 0 AND 1),
    on_time_band                     text,
    online_band                      text,
    online_payment_band              text,
    overall_band                     text,
    computed_at                      timestamptz NOT NULL,
    -- project additions
    finished_late_subjective         bigint NOT NULL,
    procedures_received              bigint NOT NULL,
    procedures_level4                bigint NOT NULL,
    level4_share                     numeric CHECK (level4_share BETWEEN 0 AND 1),
    level4_band                      text,
    digitisation_band                text,
    peak_month                       boolean NOT NULL, -- March, June, September, December (config)
    peak_online_band                 text,             -- online rate against the peak target (100%); null outside peak months
    peak_late_subjective_ok          boolean,          -- finished_late_subjective <= the peak maximum (0); null outside peak months
    PRIMARY KEY (period_start, unit_code, scope)
);

-- The minimum-volume rule (kpi.yaml `min_volume`, kpi.low_volume): added columns, the contract
-- bands unchanged. One flag per headline KPI, as their denominators differ (finished,
-- online-eligible, payment-eligible); overall_band_rated is the worst band of the KPIs not
-- low volume; low_volume: the unit has dossiers in some headline KPI, each of them low volume.
-- Null in rows computed before the rule existed (rematerialise the partition).
ALTER TABLE kpi.unit_kpi_weekly
    ADD COLUMN IF NOT EXISTS on_time_low_volume boolean,
    ADD COLUMN IF NOT EXISTS online_low_volume boolean,
    ADD COLUMN IF NOT EXISTS online_payment_low_volume boolean,
    ADD COLUMN IF NOT EXISTS overall_band_rated text,
    ADD COLUMN IF NOT EXISTS low_volume boolean;
ALTER TABLE kpi.unit_kpi_monthly
    ADD COLUMN IF NOT EXISTS on_time_low_volume boolean,
    ADD COLUMN IF NOT EXISTS online_low_volume boolean,
    ADD COLUMN IF NOT EXISTS online_payment_low_volume boolean,
    ADD COLUMN IF NOT EXISTS overall_band_rated text,
    ADD COLUMN IF NOT EXISTS low_volume boolean;

-- Drill-down: the procedures behind a unit's late and not-online dossiers, per period and scope.
CREATE TABLE IF NOT EXISTS kpi.drilldown_procedures_weekly (
    period_start                date NOT NULL,
    unit_code                   text NOT NULL,
    scope                       text NOT NULL CHECK (scope IN ('unit', 'rollup')),
    procedure_code              text NOT NULL,
    procedure_name              text,
    finished                    bigint NOT NULL,
    finished_late               bigint NOT NULL,
    late_rank                   integer,          -- 1 = most late dossiers; null when none
    online_eligible             bigint NOT NULL,
    online_eligible_not_online  bigint NOT NULL,
    not_online_rank             integer,          -- 1 = most not-online dossiers; null when none
    computed_at                 timestamptz NOT NULL,
    PRIMARY KEY (period_start, unit_code, scope, procedure_code)
);

CREATE TABLE IF NOT EXISTS kpi.drilldown_procedures_monthly (
    LIKE kpi.drilldown_procedures_weekly INCLUDING ALL
);

-- Drill-down: every overdue open dossier at the period's end, by its receiving unit.
CREATE TABLE IF NOT EXISTS kpi.overdue_dossiers_weekly (
    period_start    date NOT NULL,
    unit_code       text NOT NULL,
    parent_code     text,             -- the unit's parent in the period
    ma_ho_so        text NOT NULL,
    procedure_code  text NOT NULL,
    procedure_name  text,
    channel         smallint NOT NULL,
    status          smallint NOT NULL, -- latest known TrangThaiHoSo
    received_at     timestamptz NOT NULL,
    due_at          timestamptz NOT NULL,
    days_overdue    integer NOT NULL,  -- working days after the due date, to the period's last day
    computed_at     timestamptz NOT NULL,
    PRIMARY KEY (period_start, ma_ho_so)
);

CREATE TABLE IF NOT EXISTS kpi.overdue_dossiers_monthly (
    LIKE kpi.overdue_dossiers_weekly INCLUDING ALL
);

-- Reconciliation with the national sync: dossiers received or finished in the week that the
-- national portal does not hold, or holds with another status or channel.
CREATE TABLE IF NOT EXISTS kpi.reconciliation_sync_weekly (
    period_start           date NOT NULL,
    unit_code              text NOT NULL,
    parent_code            text,
    ma_ho_so               text NOT NULL,
    procedure_code         text NOT NULL,
    issue                  text NOT NULL
        CHECK (issue IN ('missing_from_sync', 'status_mismatch', 'channel_mismatch')),
    provincial_status      smallint NOT NULL,
    national_status        smallint,
    provincial_channel     smallint NOT NULL,
    national_channel       smallint,
    provincial_updated_at  timestamptz NOT NULL,
    national_synced_at     timestamptz,
    computed_at            timestamptz NOT NULL,
    PRIMARY KEY (period_start, ma_ho_so)
);

-- Reconciliation of online payments, dossiers received in the week: the provincial record
-- says TRUC_TUYEN but the latest national transaction is not THANH_CONG (or there is none),
-- or the national side confirms a payment the provincial record does not call online.
CREATE TABLE IF NOT EXISTS kpi.reconciliation_payments_weekly (
    period_start           date NOT NULL,
    unit_code              text NOT NULL,
    parent_code            text,
    ma_ho_so               text NOT NULL,
    procedure_code         text NOT NULL,
    payment_eligible       boolean NOT NULL,
    counts_as_paid_online  boolean NOT NULL,   -- what unit_kpi_* counted
    issue                  text NOT NULL CHECK (issue IN (
        'no_national_transaction', 'national_not_successful', 'not_online_in_provincial')),
    provincial_method      text,               -- ThanhToan.HinhThuc
    provincial_tx          text,               -- ThanhToan.MaGiaoDich
    provincial_paid_at     timestamptz,
    national_tx            text,               -- latest national transaction
    national_status        text,
    national_updated_at    timestamptz,
    national_any_success   boolean NOT NULL,   -- some national transaction succeeded
    computed_at            timestamptz NOT NULL,
    PRIMARY KEY (period_start, ma_ho_so)
);

-- Our monthly rates against the national portal's published ones (staging.chiso), per unit
-- and KPI; flagged when they differ by more than the tolerance (0.5 pp).
CREATE TABLE IF NOT EXISTS kpi.reconciliation_chiso_monthly (
    period_start  date NOT NULL,
    unit_code     text NOT NULL,
    unit_name     text,              -- null for a unit only the national portal knows
    kpi           text NOT NULL CHECK (kpi IN ('on_time', 'online', 'online_payment')),
    scope         text NOT NULL,     -- which unit_kpi_monthly rows were compared
    numerator     bigint,
    denominator   bigint,
    own_pct       numeric,           -- 100 * numerator / denominator, 4 decimals
    chiso_pct     numeric,           -- as published (one decimal)
    diff_pp       numeric,           -- own - chiso, percentage points, 4 decimals
    flagged       boolean NOT NULL,  -- |diff| > tolerance, compared exactly
    computed_at   timestamptz NOT NULL,
    PRIMARY KEY (period_start, unit_code, kpi)
);

-- The dossiers that explain a flagged difference: ours and the national portal's views differ.
CREATE TABLE IF NOT EXISTS kpi.reconciliation_chiso_dossiers_monthly (
    period_start       date NOT NULL,
    unit_code          text NOT NULL,   -- the compared unit (flagged row)
    kpi                text NOT NULL,
    ma_ho_so           text NOT NULL,
    dossier_unit_code  text,
    procedure_code     text,
    reason             text NOT NULL CHECK (reason IN (
        'missing_from_sync', 'status_mismatch', 'finished_date_mismatch', 'on_time_mismatch',
        'finished_only_nationally', 'channel_mismatch', 'payment_mismatch')),
    provincial_value   text,
    national_value     text,
    computed_at        timestamptz NOT NULL,
    PRIMARY KEY (period_start, unit_code, kpi, ma_ho_so)
);
