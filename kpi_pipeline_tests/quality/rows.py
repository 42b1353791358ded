"""Hand-made warehouse rows for the quality tests: a small province, a holiday calendar with
every kind of day, dossiers whose due dates come from the Python `WorkingCalendar`, and KPI
rows. Timestamps are local (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import psycopg

from kpi_pipeline.domain.calendar import TZ, WorkingCalendar
from kpi_pipeline_tests.kpis.helpers import COUNTS

# The checked week: Friday 26 April 2024 .. Friday 3 May 2024. Monday 29 April is a
# compensatory day off (BU), 30 April and 1 May are holidays (LE), and Saturday 4 May is a
# working Saturday (LAM_BU) - as the government arranged it in 2024.
WEEK = "2024-04-26"
WEEK_START = date(2024, 4, 26)
HOLIDAYS = {
    date(2024, 2, 8): "BU",
    date(2024, 2, 9): "LE",
    date(2024, 2, 12): "LE",
    date(2024, 2, 13): "LE",
    date(2024, 2, 14): "LE",
    date(2024, 4, 18): "LE",  # Hung Kings' day
    date(2024, 4, 29): "BU",
    date(2024, 4, 30): "LE",
    date(2024, 5, 1): "LE",
    date(2024, 5, 4): "LAM_BU",
}
CALENDAR = WorkingCalendar(HOLIDAYS)
PROCEDURE_DAYS = {"P0": 0, "P3": 3, "P5": 5, "P15": 15}


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url, autocommit=True)


def seed_reference(conn: psycopg.Connection) -> None:
    """49 (province) > SO1 (department), H1 (district) > X1, X2 (communes); procedures P0, P3,
    P5, P15 with their processing days; the holidays above."""
    units = [
        ("49", "TINH", None),
        ("SO1", "SO_NGANH", "49"),
        ("H1", "HUYEN", "49"),
        ("X1", "XA", "H1"),
        ("X2", "XA", "H1"),
    ]
    for code, level, parent in units:
        conn.execute(
            "INSERT INTO ref.units (unit_code, valid_from, unit_name, unit_level, parent_code)"
            " VALUES (%s, '2022-01-01', %s, %s, %s)",
            (code, f"Unit {code}", level, parent),
        )
    for code, days in PROCEDURE_DAYS.items():
        conn.execute(
            "INSERT INTO ref.procedures (procedure_code, procedure_name, unit_level, service_level,"
            " fully_online, integrated, has_fee, online_payment, processing_days)"
            " VALUES (%s, %s, 'XA', 3, false, true, true, true, %s)",
            (code, f"Procedure {code}", days),
        )
    for day, kind in HOLIDAYS.items():
        conn.execute(
            "INSERT INTO ref.holidays (day, year, name, kind) VALUES (%s, %s, %s, %s)",
            (day, day.year, f"{kind} {day}", kind),
        )


def dossier(
    code: str | None,
    received: str = "2024-04-26 09:30:00",
    procedure: str = "P5",
    unit: str = "X1",
    push_working_days: int = 0,
    **overrides,
) -> dict:
    """A dossier whose due date is `WorkingCalendar.due_at` (+ `push_working_days`)."""
    received_at = ts(received)
    due_at = CALENDAR.due_at(received_at, PROCEDURE_DAYS.get(procedure, 5) + push_working_days)
    row = {
        "ma_ho_so": code,
        "procedure_code": procedure,
        "unit_code": unit,
        "channel": 2,
        "digitised": True,
        "received_at": received_at,
        "due_at": due_at,
        "finished_at": None,
        "returned_at": None,
        "status": 4,
        "late_reason": None,
        "payment_method": None,
        "payment_amount": None,
        "paid_at": None,
        "payment_tx": None,
        "updated_at": received_at + timedelta(hours=1),
    }
    row.update(overrides)
    return row


DOSSIER_COLUMNS = list(dossier("x"))


def insert_dossiers(conn: psycopg.Connection, rows: list[dict], partition_key: str = WEEK) -> None:
    """Rows into staging.dossier_versions (the partition) and staging.dossiers (current)."""
    cols = ", ".join(DOSSIER_COLUMNS)
    values = ", ".join(f"%({c})s" for c in DOSSIER_COLUMNS)
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO staging.dossier_versions (partition_key, {cols}, run_id)"
            f" VALUES ('{partition_key}', {values}, 'test')",
            rows,
        )
    current = {r["ma_ho_so"]: r for r in rows if r["ma_ho_so"] is not None}
    insert_current(conn, list(current.values()), partition_key, skip_existing=True)


def received_history(
    conn: psycopg.Connection, unit: str, weeks: int, per_week: int, before: date = WEEK_START
) -> None:
    """`per_week` dossiers received by `unit` in each of the `weeks` weeks before `before`,
    spread over the weekdays (current rows only: the volume check reads staging.dossiers)."""
    rows = []
    for w in range(1, weeks + 1):
        friday = before - timedelta(days=7 * w)
        for i in range(per_week):
            day = friday + timedelta(days=(0, 3, 4, 5, 6)[i % 5])  # Fri, Mon..Thu
            rows.append(dossier(f"H-{unit}-{friday}-{i}", received=f"{day} 10:00:00", unit=unit))
    insert_current(conn, rows, "history")


def insert_current(
    conn: psycopg.Connection, rows: list[dict], source_partition: str, skip_existing=False
) -> None:
    """Rows into staging.dossiers; `skip_existing` keeps a current row already there."""
    cols = ", ".join(DOSSIER_COLUMNS)
    values = ", ".join(f"%({c})s" for c in DOSSIER_COLUMNS)
    conflict = " ON CONFLICT (ma_ho_so) DO NOTHING" if skip_existing else ""
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO staging.dossiers ({cols}, source_partition, run_id)"
            f" VALUES ({values}, '{source_partition}', 'test'){conflict}",
            rows,
        )


def relax(conn: psycopg.Connection, table: str) -> None:
    """Drop `table`'s primary key, unique and check constraints and NOT NULLs: a bad partition
    the database itself would refuse, to show the suite catches it on its own."""
    schema, name = table.split(".")
    for (con,) in conn.execute(
        "SELECT conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
        " JOIN pg_namespace n ON n.oid = t.relnamespace"
        " WHERE n.nspname = %s AND t.relname = %s AND c.contype IN ('p', 'u', 'c')",
        (schema, name),
    ).fetchall():
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{con}"')
    for (col,) in conn.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = %s AND is_nullable = 'NO'",
        (schema, name),
    ).fetchall():
        conn.execute(f'ALTER TABLE {table} ALTER COLUMN "{col}" DROP NOT NULL')


def insert_raw(conn: psycopg.Connection, payloads: list[dict], partition_key: str = WEEK) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO raw.provincial_dossiers (partition_key, page, payload, run_id, fetched_at)"
            " VALUES (%s, 1, %s, 'test', now())",
            [(partition_key, json.dumps(p)) for p in payloads],
        )


# -- KPI tables -----------------------------------------------------------------------------

KPI_RATES = {
    "on_time_rate": ("finished_on_time", "finished"),
    "online_rate": ("online_eligible_received_online", "online_eligible"),
    "online_payment_rate": ("paid_online", "payment_eligible"),
    "digitisation_rate": ("digitised", "received"),
}
KPI_BANDS = ["on_time_band", "online_band", "online_payment_band", "overall_band"]


def kpi_row(period_start: str, unit: str, scope: str = "unit", **counts) -> dict:
    """A consistent KPI row: counts (default 10 received, everything else derived), exact rates."""
    c = {k: 0 for k in COUNTS}
    c.update(received=10, received_online=6, online_eligible=8)
    c.update(online_eligible_received_online=5, finished=4, finished_on_time=3)
    c.update(payment_eligible=2, paid_online=1, digitised=7)
    c.update(counts)
    row = {
        "period_start": date.fromisoformat(period_start),
        "unit_code": unit,
        "unit_name": f"Unit {unit}",
        "unit_level": {"49": "TINH", "SO1": "SO_NGANH", "H1": "HUYEN"}.get(unit, "XA"),
        "parent_code": {"49": None, "SO1": "49", "H1": "49"}.get(unit, "H1"),
        "scope": scope,
        **c,
    }
    from decimal import Decimal

    for rate, (num, den) in KPI_RATES.items():
        row[rate] = Decimal(c[num]) / Decimal(c[den]) if c[den] else None
    for band in KPI_BANDS:
        row[band] = "green"
    row["computed_at"] = datetime.now(TZ)
    return row


def kpi_rows_for(period_start: str, units=("49", "SO1", "H1", "X1", "X2")) -> list[dict]:
    """Both scopes for every unit: the roll-up equals the own counts times the unit's size."""
    rows = []
    for u in units:
        rows.append(kpi_row(period_start, u, "unit"))
        factor = {"49": 5, "H1": 3}.get(u, 1)
        rows.append(
            kpi_row(
                period_start,
                u,
                "rollup",
                **{k: v * factor for k, v in kpi_row(period_start, u).items() if k in COUNTS},
            )
        )
    return rows


def insert_kpi(conn: psycopg.Connection, table: str, rows: list[dict]) -> None:
    """Rows into kpi.<table>; a column the contract does not name (the project may add columns)
    that is NOT NULL without a default gets 0 or false."""
    extra = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'kpi' AND table_name = %s AND is_nullable = 'NO'"
        " AND column_default IS NULL",
        (table,),
    ).fetchall()
    fill = {c: (False if t == "boolean" else 0) for c, t in extra if c not in rows[0]}
    cols = [*rows[0], *fill]
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO kpi.{table} ({', '.join(cols)})"
            f" VALUES ({', '.join(f'%({c})s' for c in cols)})",
            [{**r, **fill} for r in rows],
        )


def week_params(first: str = WEEK, weeks: int = 1) -> dict:
    """What `checks.period_params` gives a check on the weekly partitions `first` + `weeks`."""
    start = date.fromisoformat(first)
    last = start + timedelta(days=7 * (weeks - 1))
    return {
        "first_key": first,
        "last_key": last.isoformat(),
        "start": start,
        "end": start + timedelta(days=7 * weeks),
        "step": "7 days",
    }


def month_params(first: str) -> dict:
    start = date.fromisoformat(first)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return {"first_key": first, "last_key": first, "start": start, "end": end, "step": "1 month"}


def volume_scenario(conn: psycopg.Connection, silent_unit: bool, spike: bool) -> None:
    """Eight weeks of history (20 dossiers a week for X1, X2 and SO1; 1 for H1), then the
    checked week (2 working days: BU and two LE days): X2 receives 4 (the holiday-adjusted
    baseline is 8), X1 8 or nothing, SO1 8 or 40, H1 nothing (too small to judge)."""
    for unit in ("X1", "X2", "SO1"):
        received_history(conn, unit, weeks=8, per_week=20)
    received_history(conn, "H1", weeks=8, per_week=1)
    week = [dossier(f"V-X2-{i}", unit="X2") for i in range(4)]
    week += [dossier(f"V-SO1-{i}", unit="SO1") for i in range(40 if spike else 8)]
    if not silent_unit:
        week += [dossier(f"V-X1-{i}", unit="X1", received="2024-05-02 09:00:00") for i in range(8)]
    insert_dossiers(conn, week)


def insert_sync_records(conn: psycopg.Connection, rows: list[dict], partition_key: str = WEEK):
    cols = ["ma_ho_so", "procedure_code", "unit_code", "status", "channel", "received_at"]
    cols += ["due_at", "finished_at", "synced_at", "updated_at"]
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO staging.sync_record_versions (partition_key, {', '.join(cols)}, run_id)"
            f" VALUES ('{partition_key}', {', '.join(f'%({c})s' for c in cols)}, 'test')",
            [{c: r.get(c) for c in cols} for r in rows],
        )


def sync_record(code: str | None, **overrides) -> dict:
    d = dossier(code)
    d["synced_at"] = d["updated_at"]
    d.update(overrides)
    return d


def payment(tx: str | None, dossier_code: str | None = "G-P5", **overrides) -> dict:
    row = {
        "transaction_id": tx,
        "ma_ho_so": dossier_code,
        "amount": 50_000,
        "paid_at": ts("2024-04-26 11:00:00"),
        "status": "THANH_CONG",
        "updated_at": ts("2024-04-26 11:05:00"),
    }
    row.update(overrides)
    return row


def insert_payments(conn: psycopg.Connection, rows: list[dict], partition_key: str = WEEK):
    cols = ["transaction_id", "ma_ho_so", "amount", "paid_at", "status", "updated_at"]
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO staging.payment_versions (partition_key, {', '.join(cols)}, run_id)"
            f" VALUES ('{partition_key}', {', '.join(f'%({c})s' for c in cols)}, 'test')",
            rows,
        )


def raw_record(code: str | None, **overrides) -> dict:
    record = {
        "MaHoSo": code,
        "MaTTHC": "P5",
        "MaDonVi": "X1",
        "KenhThucHien": 2,
        "SoHoa": True,
        "NgayTiepNhan": "20240426093000",
        "NgayHenTra": "20240508093000",
        "NgayKetThucXuLy": None,
        "TrangThaiHoSo": 4,
        "NgayCapNhat": "20240426103000",
    }
    record.update(overrides)
    return {k: v for k, v in record.items() if v is not ...}


def os_kpi_home() -> str:
    import os

    return os.environ["KPI_HOME"]
