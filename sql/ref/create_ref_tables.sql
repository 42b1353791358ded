-- Reference data: units (versioned), procedures, the holiday calendar.
CREATE SCHEMA IF NOT EXISTS ref;

-- One row per unit version; versions are added or closed, never overwritten.
CREATE TABLE IF NOT EXISTS ref.units (
    unit_code    text NOT NULL,          -- MaDonVi
    valid_from   date NOT NULL,          -- HieuLucTu
    valid_to     date,                   -- HieuLucDen (inclusive), null = still valid
    unit_name    text NOT NULL,
    unit_level   text NOT NULL,          -- TINH, SO_NGANH, HUYEN, XA
    parent_code  text,                   -- MaDonViCha
    gso_code     text,                   -- MaHanhChinh
    first_seen_run text,
    loaded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_code, valid_from)
);

-- Unit versions the portal stopped listing (its `/donvi` lists every version, so a version it
-- no longer lists was withdrawn): moved here by merge_units.sql, whole, with when and by which
-- run, so that a corrected unit list heals ref.units; listed again, a version moves back.
CREATE TABLE IF NOT EXISTS ref.units_delisted (
    unit_code    text NOT NULL,
    valid_from   date NOT NULL,
    valid_to     date,
    unit_name    text NOT NULL,
    unit_level   text NOT NULL,
    parent_code  text,
    gso_code     text,
    first_seen_run text,
    loaded_at    timestamptz NOT NULL,
    delisted_run text NOT NULL,
    delisted_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS units_delisted_key_idx ON ref.units_delisted (unit_code, valid_from);

CREATE TABLE IF NOT EXISTS ref.procedures (
    procedure_code   text PRIMARY KEY,   -- MaTTHC
    procedure_name   text NOT NULL,
    field_code       text,
    field_name       text,
    unit_level       text NOT NULL,      -- CapThucHien: TINH, HUYEN, XA
    service_level    smallint NOT NULL,  -- MucDo 2, 3, 4
    fully_online     boolean NOT NULL,   -- ToanTrinh
    integrated       boolean NOT NULL,   -- TichHopDVCQG
    has_fee          boolean NOT NULL,   -- CoPhiLePhi
    online_payment   boolean NOT NULL,   -- ThanhToanTrucTuyen
    processing_days  integer NOT NULL,   -- ThoiHanGiaiQuyet, working days
    loaded_at        timestamptz NOT NULL DEFAULT now()
);

-- Days off (LE, BU) and working Saturdays (LAM_BU).
CREATE TABLE IF NOT EXISTS ref.holidays (
    day        date PRIMARY KEY,
    year       integer NOT NULL,
    name       text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('LE', 'BU', 'LAM_BU')),
    loaded_at  timestamptz NOT NULL DEFAULT now()
);
