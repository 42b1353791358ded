-- Records that could not be conformed, kept whole with the rule they broke.
CREATE SCHEMA IF NOT EXISTS quarantine;

CREATE TABLE IF NOT EXISTS quarantine.records (
    source          text NOT NULL,       -- provincial_dossiers, national_sync, national_payments, ...
    partition_key   text NOT NULL,
    record_key      text,                -- MaHoSo / MaGiaoDich as received
    rule            text NOT NULL,       -- e.g. unknown_unit, unparseable_date
    detail          text,
    payload         jsonb NOT NULL,
    run_id          text NOT NULL,
    quarantined_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS records_source_partition_idx ON quarantine.records (source, partition_key);
