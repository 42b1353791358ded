-- Staging: conformed records. `*_versions` hold what each weekly partition conformed;
-- the current tables hold each key's latest known version across all partitions, and are
-- what the KPI assets read.
CREATE SCHEMA IF NOT EXISTS staging;

-- `yyyyMMddHHmmss` in local time (kpi.local_tz()) -> timestamptz; NULL when empty or not a real instant.
-- Every month has a 28th: only a later day is checked against its month (a third of the cost
-- of a staging timestamp was that check, and the sync parses millions).
CREATE OR REPLACE FUNCTION staging.parse_portal_ts(s text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN s ~ '^(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])[0-5]\d[0-5]\d$'
         AND (substr(s, 7, 2) COLLATE "C" <= '28'
              OR extract(month FROM make_date(substr(s, 1, 4)::int, substr(s, 5, 2)::int, 1)
                                    + (substr(s, 7, 2)::int - 1)) = substr(s, 5, 2)::int)
        THEN (make_date(substr(s, 1, 4)::int, substr(s, 5, 2)::int, substr(s, 7, 2)::int)
              + make_time(substr(s, 9, 2)::int, substr(s, 11, 2)::int, substr(s, 13, 2)::int))
             AT TIME ZONE kpi.local_tz()
    END
$$;

-- The columns of a conformed dossier, shared by the versions and the current table.
CREATE TABLE IF NOT EXISTS staging.dossier_versions (
    partition_key   text NOT NULL,
    ma_ho_so        text NOT NULL,       -- MaHoSo
    procedure_code  text NOT NULL,       -- MaTTHC
    unit_code       text NOT NULL,       -- MaDonVi
    channel         smallint NOT NULL,   -- KenhThucHien: 1 in person, 2 online, 3 postal
    digitised       boolean NOT NULL,    -- SoHoa
    received_at     timestamptz NOT NULL,
    due_at          timestamptz NOT NULL,
    finished_at     timestamptz,
    returned_at     timestamptz,
    status          smallint NOT NULL,   -- TrangThaiHoSo 1..10
    late_reason     text,                -- KHACH_QUAN, CHU_QUAN
    payment_method  text,                -- TRUC_TUYEN, TRUC_TIEP
    payment_amount  bigint,
    paid_at         timestamptz,
    payment_tx      text,                -- MaGiaoDich
    updated_at      timestamptz NOT NULL, -- NgayCapNhat
    run_id          text NOT NULL,
    PRIMARY KEY (partition_key, ma_ho_so)
);
CREATE INDEX IF NOT EXISTS dossier_versions_key_idx ON staging.dossier_versions (ma_ho_so);

CREATE TABLE IF NOT EXISTS staging.dossiers (
    ma_ho_so        text PRIMARY KEY,
    procedure_code  text NOT NULL,
    unit_code       text NOT NULL,
    channel         smallint NOT NULL,
    digitised       boolean NOT NULL,
    received_at     timestamptz NOT NULL,
    due_at          timestamptz NOT NULL,
    finished_at     timestamptz,
    returned_at     timestamptz,
    status          smallint NOT NULL,
    late_reason     text,
    payment_method  text,
    payment_amount  bigint,
    paid_at         timestamptz,
    payment_tx      text,
    updated_at      timestamptz NOT NULL,
    source_partition text NOT NULL,
    run_id          text NOT NULL
);
CREATE INDEX IF NOT EXISTS dossiers_received_idx ON staging.dossiers (received_at);
CREATE INDEX IF NOT EXISTS dossiers_finished_idx ON staging.dossiers (finished_at);
CREATE INDEX IF NOT EXISTS dossiers_unit_idx ON staging.dossiers (unit_code);

CREATE TABLE IF NOT EXISTS staging.sync_record_versions (
    partition_key   text NOT NULL,
    ma_ho_so        text NOT NULL,
    procedure_code  text,
    unit_code       text,
    status          smallint,
    channel         smallint,
    received_at     timestamptz,
    due_at          timestamptz,
    finished_at     timestamptz,
    synced_at       timestamptz,         -- NgayDongBo
    updated_at      timestamptz NOT NULL,
    run_id          text NOT NULL,
    PRIMARY KEY (partition_key, ma_ho_so)
);
CREATE INDEX IF NOT EXISTS sync_record_versions_key_idx ON staging.sync_record_versions (ma_ho_so);

CREATE TABLE IF NOT EXISTS staging.sync_records (
    ma_ho_so        text PRIMARY KEY,
    procedure_code  text,
    unit_code       text,
    status          smallint,
    channel         smallint,
    received_at     timestamptz,
    due_at          timestamptz,
    finished_at     timestamptz,
    synced_at       timestamptz,
    updated_at      timestamptz NOT NULL,
    source_partition text NOT NULL,
    run_id          text NOT NULL
);

CREATE TABLE IF NOT EXISTS staging.payment_versions (
    partition_key   text NOT NULL,
    transaction_id  text NOT NULL,       -- MaGiaoDich
    ma_ho_so        text NOT NULL,
    amount          bigint,
    paid_at         timestamptz,
    status          text NOT NULL,       -- THANH_CONG, THAT_BAI, HOAN_TIEN
    updated_at      timestamptz NOT NULL,
    run_id          text NOT NULL,
    PRIMARY KEY (partition_key, transaction_id)
);
CREATE INDEX IF NOT EXISTS payment_versions_key_idx ON staging.payment_versions (transaction_id);

CREATE TABLE IF NOT EXISTS staging.payments (
    transaction_id  text PRIMARY KEY,
    ma_ho_so        text NOT NULL,
    amount          bigint,
    paid_at         timestamptz,
    status          text NOT NULL,
    updated_at      timestamptz NOT NULL,
    source_partition text NOT NULL,
    run_id          text NOT NULL
);
CREATE INDEX IF NOT EXISTS payments_dossier_idx ON staging.payments (ma_ho_so);

-- The national portal's published monthly figures, percentages with one decimal.
CREATE TABLE IF NOT EXISTS staging.chiso (
    month               date NOT NULL,
    unit_code           text NOT NULL,
    on_time_pct         numeric(5, 1),
    online_pct          numeric(5, 1),
    online_payment_pct  numeric(5, 1),
    run_id              text NOT NULL,
    PRIMARY KEY (month, unit_code)
);
