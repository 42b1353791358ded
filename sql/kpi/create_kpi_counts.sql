-- The contract's counts per period, unit and procedure (kpi.unit_procedure_counts): one pass
-- over the dossiers of a window (the payment look-ups included), which the unit tables on both
-- maps and the drill-downs of the same period kind then read instead of counting the dossiers
-- each again (issue 17: four counts of the same dossiers were most of a weekly recompute).
-- A unit and procedure has a row in a period when it has a received, finished or overdue
-- dossier there. Created before create_kpi_functions.sql (file order): functions read them.
CREATE SCHEMA IF NOT EXISTS kpi;

CREATE TABLE IF NOT EXISTS kpi.unit_procedure_weekly (
    period_start                     date NOT NULL,
    unit_code                        text NOT NULL,   -- the receiving unit (MaDonVi)
    procedure_code                   text NOT NULL,
    received                         bigint NOT NULL,
    received_online                  bigint NOT NULL,
    online_eligible                  bigint NOT NULL,
    online_eligible_received_online  bigint NOT NULL,
    finished                         bigint NOT NULL,
    finished_on_time                 bigint NOT NULL,
    finished_late                    bigint NOT NULL, -- after NgayHenTra (none without one)
    finished_late_subjective         bigint NOT NULL,
    payment_eligible                 bigint NOT NULL,
    paid_online                      bigint NOT NULL,
    digitised                        bigint NOT NULL,
    overdue_open                     bigint NOT NULL,
    any_received                     boolean NOT NULL, -- a dossier received here
    any_received_level4              boolean NOT NULL, -- ... of a level-4 procedure
    computed_at                      timestamptz NOT NULL,
    PRIMARY KEY (period_start, unit_code, procedure_code)
);

CREATE TABLE IF NOT EXISTS kpi.unit_procedure_monthly (
    LIKE kpi.unit_procedure_weekly INCLUDING ALL
);
