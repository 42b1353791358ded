-- Drill-down behind the online payment rate (issue 15): per week and unit (its own dossiers),
-- the procedures whose dossiers were payable online (payment-eligible, kpi-tables.md) but not
-- paid online, and those dossiers. Created after create_kpi_tables.sql (file order).
CREATE TABLE IF NOT EXISTS kpi.drilldown_payments_weekly (
    period_start      date NOT NULL,
    unit_code         text NOT NULL,
    procedure_code    text NOT NULL,
    procedure_name    text,
    payment_eligible  bigint NOT NULL,
    paid_online       bigint NOT NULL,
    not_paid_online   bigint NOT NULL,   -- payment_eligible - paid_online
    not_paid_rank     integer,           -- 1 = most not paid online (ties by code); null when none
    computed_at       timestamptz NOT NULL,
    PRIMARY KEY (period_start, unit_code, procedure_code)
);

-- Every payment-eligible dossier received in the week that does not count as paid online.
CREATE TABLE IF NOT EXISTS kpi.unpaid_online_dossiers_weekly (
    period_start       date NOT NULL,
    unit_code          text NOT NULL,
    parent_code        text,            -- the unit's parent in the period
    ma_ho_so           text NOT NULL,
    procedure_code     text NOT NULL,
    procedure_name     text,
    received_at        timestamptz NOT NULL,
    provincial_method  text,            -- ThanhToan.HinhThuc as the provincial portal holds it
    national_status    text,            -- latest national transaction's TrangThai; null: none
    computed_at        timestamptz NOT NULL,
    PRIMARY KEY (period_start, ma_ho_so)
);
