-- The level-4 / full-online share of the procedure catalogue per month and level of
-- government (CapThucHien: the portal's catalogue is per level, not per unit), counted against
-- the procedure versions in force on the month's last day (ref.procedure_versions): a level
-- change counts from its date on, the months before keep the level they had. Unlike
-- unit_kpi_*.level4_share (procedures with dossiers received, on today's catalogue) this is the
-- whole catalogue a unit of that level offers (seed 003 §2e).
CREATE TABLE IF NOT EXISTS kpi.procedure_catalogue_monthly (
    period_start                 date NOT NULL,   -- the 1st of the month
    unit_level                   text NOT NULL,   -- TINH (departments), HUYEN, XA
    procedures                   bigint NOT NULL, -- in the catalogue on the month's last day
    procedures_level4            bigint NOT NULL, -- of them MucDo 4 or ToanTrinh
    procedures_online_eligible   bigint NOT NULL, -- of them MucDo 3/4 and integrated nationally
    level4_share                 numeric CHECK (level4_share BETWEEN 0 AND 1),
    level4_band                  text,
    computed_at                  timestamptz NOT NULL,
    PRIMARY KEY (period_start, unit_level)
);
