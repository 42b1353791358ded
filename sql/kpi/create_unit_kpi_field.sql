-- Breakdown by field (lĩnh vực: ref.procedures.field_code) per month: the roll-up of the
-- province and of every district or commune directly below it (scope `rollup`: the unit and
-- its descendants), counted by kpi.dossier_events (the contract's rules): districts before the
-- 2025 reform, communes after it. Created after create_kpi_functions.sql (file order).
CREATE TABLE IF NOT EXISTS kpi.unit_kpi_field_monthly (
    period_start                     date NOT NULL,   -- the 1st of the month
    unit_code                        text NOT NULL,   -- the province, a district or a commune under the province
    unit_name                        text NOT NULL,
    unit_level                       text NOT NULL,
    field_code                       text NOT NULL,   -- '' when the procedure has no field (or is unknown)
    field_name                       text,
    received                         bigint NOT NULL,
    received_online                  bigint NOT NULL,
    online_eligible                  bigint NOT NULL,
    online_eligible_received_online  bigint NOT NULL,
    finished                         bigint NOT NULL,
    finished_on_time                 bigint NOT NULL,
    finished_late_subjective         bigint NOT NULL,
    payment_eligible                 bigint NOT NULL,
    paid_online                      bigint NOT NULL,
    digitised                        bigint NOT NULL,
    overdue_open                     bigint NOT NULL,
    on_time_rate                     numeric CHECK (on_time_rate BETWEEN 0 AND 1),
    online_rate                      numeric CHECK (online_rate BETWEEN 0 AND 1),
    online_payment_rate              numeric CHECK (online_payment_rate BETWEEN 0 AND 1),
    on_time_band                     text,
    online_band                      text,
    online_payment_band              text,
    computed_at                      timestamptz NOT NULL,
    PRIMARY KEY (period_start, unit_code, field_code)
);
