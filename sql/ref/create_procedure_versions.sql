-- Every version of each procedure's catalogue entry (issue 15): ref.procedures holds the
-- catalogue as last served; a change of level, integration or payment adds a version here
-- from the day it takes effect (the item's HieuLucTu when the portal sends one, else the day
-- the change was loaded), so a period is counted against the versions in force then and a
-- level change never rewrites the past. valid_to is the last day in force (inclusive), null
-- while in force. Maintained by ref/merge_procedures.sql.
CREATE SCHEMA IF NOT EXISTS ref;

CREATE TABLE IF NOT EXISTS ref.procedure_versions (
    procedure_code   text NOT NULL,
    valid_from       date NOT NULL,
    valid_to         date,
    procedure_name   text NOT NULL,
    field_code       text,
    unit_level       text NOT NULL,
    service_level    smallint NOT NULL,
    fully_online     boolean NOT NULL,
    integrated       boolean NOT NULL,
    has_fee          boolean NOT NULL,
    online_payment   boolean NOT NULL,
    first_seen_run   text NOT NULL,
    loaded_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (procedure_code, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
