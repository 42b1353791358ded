-- Raw landing: the untouched JSON of every record fetched, with load metadata.
-- A partition (week or month key) is replaced whole, in one transaction, on every pull.
CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE IF NOT EXISTS raw.provincial_dossiers (
    partition_key text NOT NULL,
    page          integer NOT NULL,
    payload       jsonb NOT NULL,
    run_id        text NOT NULL,
    fetched_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS provincial_dossiers_partition_idx ON raw.provincial_dossiers (partition_key);

CREATE TABLE IF NOT EXISTS raw.national_sync (
    partition_key text NOT NULL,
    page          integer NOT NULL,
    payload       jsonb NOT NULL,
    run_id        text NOT NULL,
    fetched_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS national_sync_partition_idx ON raw.national_sync (partition_key);

CREATE TABLE IF NOT EXISTS raw.national_payments (
    partition_key text NOT NULL,
    page          integer NOT NULL,
    payload       jsonb NOT NULL,
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
