-- Raw landing: the untouched JSON of every record fetched, with load metadata.
-- A partition (week or month key) is replaced whole, in one transaction, on every pull.
-- The weekly tables keep the JSON as text (keys sorted, hashed: ingestion/loader.py): COPY
-- into jsonb cost 2.5x as much (10.9 against 4.2 µs a record, issue 17), and staging reads
-- the typed columns below; the few readers of the JSON itself (records the loader left
-- untyped, quarantine, the raw suite) cast it.
CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE IF NOT EXISTS raw.provincial_dossiers (
    partition_key text NOT NULL,
    page          integer NOT NULL,
    payload       text NOT NULL,      -- the record's JSON as received (see below)
    run_id        text NOT NULL,
    fetched_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS provincial_dossiers_partition_idx ON raw.provincial_dossiers (partition_key);

CREATE TABLE IF NOT EXISTS raw.national_sync (
    partition_key text NOT NULL,
    page          integer NOT NULL,
    payload       text NOT NULL,      -- the record's JSON as received (see below)
    run_id        text NOT NULL,
    fetched_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS national_sync_partition_idx ON raw.national_sync (partition_key);

CREATE TABLE IF NOT EXISTS raw.national_payments (
    partition_key text NOT NULL,
    page          integer NOT NULL,
    payload       text NOT NULL,      -- the record's JSON as received (see below)
    run_id        text NOT NULL,
    fetched_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS national_payments_partition_idx ON raw.national_payments (partition_key);

-- Monthly partitions (key 'YYYY-MM-01').
CREATE TABLE IF NOT EXISTS raw.national_chiso (
    partition_key text NOT NULL,
    page          integer NOT NULL,
    payload       jsonb NOT NULL,
    run_id        text NOT NULL,
    fetched_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS national_chiso_partition_idx ON raw.national_chiso (partition_key);

-- The change windows of each weekly source the warehouse holds (kpi_pipeline/domain/history.py):
-- one row per source and week, replaced in the transaction that replaces the week's raw rows.
CREATE TABLE IF NOT EXISTS raw.coverage (
    source        text NOT NULL,         -- the raw table
    partition_key text NOT NULL,         -- the Friday opening the change window
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    pulled_at     timestamptz NOT NULL,  -- when the window's first request was sent
    records       integer NOT NULL,
    run_id        text NOT NULL,
    conformed_at  timestamptz,           -- when staging last conformed the window's rows
    PRIMARY KEY (source, partition_key)
);

-- What the loader reads off each record as it lands it (kpi_pipeline/ingestion/typed_fields.py):
-- the content hash (md5 of the JSON with sorted keys) and, for a record whose typing is plain,
-- its fields typed (`typed` true; timestamps as local wall-clock time). Conform reads these
-- instead of the JSON; rows without them (landed before, or not plain) are read from the JSON.
ALTER TABLE raw.provincial_dossiers
    ADD COLUMN IF NOT EXISTS content_hash   text,
    ADD COLUMN IF NOT EXISTS typed          boolean,
    ADD COLUMN IF NOT EXISTS ma_ho_so       text,
    ADD COLUMN IF NOT EXISTS procedure_code text,
    ADD COLUMN IF NOT EXISTS unit_code      text,
    ADD COLUMN IF NOT EXISTS channel        smallint,
    ADD COLUMN IF NOT EXISTS status         smallint,
    ADD COLUMN IF NOT EXISTS digitised      boolean,
    ADD COLUMN IF NOT EXISTS received_local timestamp,
    ADD COLUMN IF NOT EXISTS due_local      timestamp,
    ADD COLUMN IF NOT EXISTS finished_local timestamp,
    ADD COLUMN IF NOT EXISTS returned_local timestamp,
    ADD COLUMN IF NOT EXISTS updated_local  timestamp,
    ADD COLUMN IF NOT EXISTS late_reason    text,
    ADD COLUMN IF NOT EXISTS payment_method text,
    ADD COLUMN IF NOT EXISTS payment_amount bigint,
    ADD COLUMN IF NOT EXISTS paid_local     timestamp,
    ADD COLUMN IF NOT EXISTS payment_tx     text;

ALTER TABLE raw.national_sync
    ADD COLUMN IF NOT EXISTS content_hash   text,
    ADD COLUMN IF NOT EXISTS typed          boolean,
    ADD COLUMN IF NOT EXISTS ma_ho_so       text,
    ADD COLUMN IF NOT EXISTS procedure_code text,
    ADD COLUMN IF NOT EXISTS unit_code      text,
    ADD COLUMN IF NOT EXISTS status         smallint,
    ADD COLUMN IF NOT EXISTS channel        smallint,
    ADD COLUMN IF NOT EXISTS received_local timestamp,
    ADD COLUMN IF NOT EXISTS due_local      timestamp,
    ADD COLUMN IF NOT EXISTS finished_local timestamp,
    ADD COLUMN IF NOT EXISTS synced_local   timestamp,
    ADD COLUMN IF NOT EXISTS updated_local  timestamp;

ALTER TABLE raw.national_payments
    ADD COLUMN IF NOT EXISTS content_hash   text,
    ADD COLUMN IF NOT EXISTS typed          boolean,
    ADD COLUMN IF NOT EXISTS transaction_id text,
    ADD COLUMN IF NOT EXISTS ma_ho_so       text,
    ADD COLUMN IF NOT EXISTS amount         bigint,
    ADD COLUMN IF NOT EXISTS paid_local     timestamp,
    ADD COLUMN IF NOT EXISTS status         text,
    ADD COLUMN IF NOT EXISTS updated_local  timestamp;

-- Warehouses made before the weekly tables held their JSON as text: converted once (the
-- text is jsonb's own rendering, so a record's content hash in conform stays the same).
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['provincial_dossiers', 'national_sync', 'national_payments'] LOOP
        IF (SELECT data_type FROM information_schema.columns
            WHERE table_schema = 'raw' AND table_name = t AND column_name = 'payload') = 'jsonb'
        THEN
            EXECUTE format('ALTER TABLE raw.%I ALTER COLUMN payload TYPE text', t);
        END IF;
    END LOOP;
END $$;
