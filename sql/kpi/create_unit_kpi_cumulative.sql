-- Cumulative periods (quarter and year to date through a month, and the same periods of the
-- year before: kpi_pipeline/domain/cumulative.py), counted by the contract's rules over the
-- whole period at once (kpi.unit_kpi_event_map_rows on both maps at once, with the period as
-- one step): received, finished ... are the period's, overdue_open is at the period's end.
-- The contract tables are not touched. Created after create_kpi_tables_current_map.sql.
CREATE TABLE IF NOT EXISTS kpi.unit_kpi_cumulative (
    anchor_month                     date NOT NULL,   -- the partition: the month the period runs through
    period_kind                      text NOT NULL CHECK (period_kind IN ('quarter', 'year_to_date')),
    year_offset                      smallint NOT NULL CHECK (year_offset IN (0, -1)), -- -1: same period a year before
    unit_map                         text NOT NULL CHECK (unit_map IN ('as_then', 'current')),
    period_start                     date NOT NULL,
    period_end                       date NOT NULL,   -- exclusive
    complete                         boolean NOT NULL, -- the period reaches its quarter's / year's end
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
    finished_late_subjective         bigint NOT NULL,
    procedures_received              bigint NOT NULL,
    procedures_level4                bigint NOT NULL,
    level4_share                     numeric CHECK (level4_share BETWEEN 0 AND 1),
    level4_band                      text,
    digitisation_band                text,
    lineage_partial                  boolean,         -- current map only, as in *_current_map
    computed_at                      timestamptz NOT NULL,
    CHECK (period_start < period_end),
    PRIMARY KEY (anchor_month, period_kind, year_offset, unit_map, unit_code, scope)
);
