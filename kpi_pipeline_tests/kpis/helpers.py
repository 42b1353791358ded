"""Terse hand-made staging/ref rows and real materialisations for the KPI tests.

Timestamps are written as local (Asia/Ho_Chi_Minh) ISO strings: "2024-01-05 00:00:00".
"""

from __future__ import annotations

from datetime import date, datetime

import psycopg
from dagster import materialize

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline_tests.file_resources import file_resources
from kpi_pipeline_tests.history import record_complete_history

# The run tags of a partition range run (as orchestration/runner.py sets them).
ASSET_PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
ASSET_PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"


def ts(value: str | None) -> datetime | None:
    if value is None:
        return None
    text = value if " " in value or "T" in value else value + " 00:00:00"
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


class Seed:
    """Inserts rows into ref.* and staging.* of a test database (autocommit)."""

    def __init__(self, url: str):
        self.url = url
        self.conn = psycopg.connect(url, autocommit=True)

    def close(self) -> None:
        self.conn.close()

    def unit(self, code, level, parent=None, name=None, valid_from="2022-01-01", valid_to=None):
        self.conn.execute(
            "INSERT INTO ref.units (unit_code, valid_from, valid_to, unit_name, unit_level,"
            " parent_code) VALUES (%s, %s, %s, %s, %s, %s)",
            (
                code,
                date.fromisoformat(valid_from),
                valid_to and date.fromisoformat(valid_to),
                name or f"Unit {code}",
                level,
                parent,
            ),
        )

    def province(self) -> None:
        """49 (province) > SO1 (department), H1 > X1, X2; H2 > X3; EMPTY (commune of H2)."""
        self.unit("49", "TINH", name="Tỉnh Quảng Nam")
        self.unit("SO1", "SO_NGANH", "49")
        self.unit("H1", "HUYEN", "49")
        self.unit("X1", "XA", "H1")
        self.unit("X2", "XA", "H1")
        self.unit("H2", "HUYEN", "49")
        self.unit("X3", "XA", "H2")
        self.unit("EMPTY", "XA", "H2")

    def procedure(
        self,
        code,
        service_level=3,
        integrated=True,
        has_fee=False,
        online_payment=False,
        fully_online=False,
        unit_level="XA",
        days=5,
    ):
        self.conn.execute(
            "INSERT INTO ref.procedures (procedure_code, procedure_name, unit_level, service_level,"
            " fully_online, integrated, has_fee, online_payment, processing_days)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                code,
                f"Procedure {code}",
                unit_level,
                service_level,
                fully_online,
                integrated,
                has_fee,
                online_payment,
                days,
            ),
        )

    def dossier(
        self,
        code,
        unit,
        procedure,
        received,
        due,
        finished=None,
        status=None,
        channel=1,
        digitised=False,
        late_reason=None,
        payment_method=None,
        payment_tx=None,
        updated=None,
    ):
        if status is None:
            status = 9 if finished else 4
        updated = updated or finished or received
        self.conn.execute(
            "INSERT INTO staging.dossiers (ma_ho_so, procedure_code, unit_code, channel, digitised,"
            " received_at, due_at, finished_at, status, late_reason, payment_method, payment_tx,"
            " updated_at, source_partition, run_id)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'test', 'test')"
            " ON CONFLICT (ma_ho_so) DO UPDATE SET procedure_code = EXCLUDED.procedure_code,"
            " unit_code = EXCLUDED.unit_code, channel = EXCLUDED.channel,"
            " digitised = EXCLUDED.digitised, received_at = EXCLUDED.received_at,"
            " due_at = EXCLUDED.due_at, finished_at = EXCLUDED.finished_at,"
            " status = EXCLUDED.status, late_reason = EXCLUDED.late_reason,"
            " payment_method = EXCLUDED.payment_method, payment_tx = EXCLUDED.payment_tx,"
            " updated_at = EXCLUDED.updated_at",
            (
                code,
                procedure,
                unit,
                channel,
                digitised,
                ts(received),
                ts(due),
                ts(finished),
                status,
                late_reason,
                payment_method,
                payment_tx,
                ts(updated),
            ),
        )

    def payment(self, tx, dossier, status, updated, paid=None, amount=50_000):
        self.conn.execute(
            "INSERT INTO staging.payments (transaction_id, ma_ho_so, amount, paid_at, status,"
            " updated_at, source_partition, run_id) VALUES (%s, %s, %s, %s, %s, %s, 'test', 'test')",
            (tx, dossier, amount, ts(paid or updated), status, ts(updated)),
        )

    def sync(
        self,
        dossier,
        status,
        channel=1,
        unit=None,
        procedure=None,
        received=None,
        due=None,
        finished=None,
        synced="2024-01-01 00:00:00",
    ):
        self.conn.execute(
            "INSERT INTO staging.sync_records (ma_ho_so, procedure_code, unit_code, status, channel,"
            " received_at, due_at, finished_at, synced_at, updated_at, source_partition, run_id)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'test', 'test')",
            (
                dossier,
                procedure,
                unit,
                status,
                channel,
                ts(received),
                ts(due),
                ts(finished),
                ts(synced),
                ts(synced),
            ),
        )

    def sync_like(self, dossier: str, **changes) -> None:
        """A national record mirroring the provincial dossier, with `changes` applied."""
        row = self.conn.execute(
            "SELECT unit_code, procedure_code, status, channel, received_at, due_at, finished_at"
            " FROM staging.dossiers WHERE ma_ho_so = %s",
            (dossier,),
        ).fetchone()
        rec = dict(
            zip(
                ("unit", "procedure", "status", "channel", "received", "due", "finished"),
                row,
                strict=True,
            )
        )
        rec.update(changes)
        self.conn.execute(
            "INSERT INTO staging.sync_records (ma_ho_so, procedure_code, unit_code, status, channel,"
            " received_at, due_at, finished_at, synced_at, updated_at, source_partition, run_id)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, now(), now(), 'test', 'test')",
            (
                dossier,
                rec["procedure"],
                rec["unit"],
                rec["status"],
                rec["channel"],
                _as_ts(rec["received"]),
                _as_ts(rec["due"]),
                _as_ts(rec["finished"]),
            ),
        )

    def chiso(self, month, unit, on_time=None, online=None, online_payment=None):
        self.conn.execute(
            "INSERT INTO staging.chiso (month, unit_code, on_time_pct, online_pct,"
            " online_payment_pct, run_id) VALUES (%s, %s, %s, %s, %s, 'test')",
            (date.fromisoformat(month), unit, on_time, online, online_payment),
        )

    def holiday(self, day, kind="LE", name="holiday"):
        d = date.fromisoformat(day)
        self.conn.execute(
            "INSERT INTO ref.holidays (day, year, name, kind) VALUES (%s, %s, %s, %s)",
            (d, d.year, name, kind),
        )


def _as_ts(value):
    return ts(value) if isinstance(value, str) else value


def with_counts(assets: list) -> list:
    """`assets` with the stored counts they read (kpi/unit_procedure_weekly, _monthly) put
    first when they are missing, as a user materialising them with their upstream would."""
    from kpi_pipeline.kpis.assets import unit_procedure_monthly, unit_procedure_weekly

    present = {k for a in assets for k in a.keys}
    needed = {d for a in assets for deps in a.asset_deps.values() for d in deps}
    counts = [
        c
        for c in (unit_procedure_weekly, unit_procedure_monthly)
        if c.key in needed and c.key not in present
    ]
    return [*counts, *assets]


def run(
    url: str,
    assets: list,
    partition_key: str | None = None,
    start: str | None = None,
    end: str | None = None,
    kpi_file: str = "",
):
    """Materialise `assets` for one partition, or the range [start..end] of partition keys
    (with the KPI configuration in `kpi_file`, else the packaged one)."""
    tags = {}
    if start is not None:
        tags = {ASSET_PARTITION_RANGE_START_TAG: start, ASSET_PARTITION_RANGE_END_TAG: end}
    record_complete_history(url)
    result = materialize(
        with_counts(assets),
        partition_key=partition_key,
        tags=tags,
        resources={
            "warehouse": WarehouseResource(database_url=url),
            **file_resources(kpi_file=kpi_file),
        },
    )
    assert result.success
    return result


def query(url: str, sql: str, params=None) -> list[dict]:
    with psycopg.connect(url) as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        return cur.execute(sql, params).fetchall()


def kpi_row(url: str, table: str, period: str, unit: str, scope: str = "unit") -> dict:
    rows = query(
        url,
        f"SELECT * FROM kpi.{table} WHERE period_start = %s AND unit_code = %s AND scope = %s",
        (date.fromisoformat(period), unit, scope),
    )
    assert len(rows) == 1, rows
    return rows[0]


COUNTS = (
    "received",
    "received_online",
    "online_eligible",
    "online_eligible_received_online",
    "finished",
    "finished_on_time",
    "payment_eligible",
    "paid_online",
    "digitised",
    "overdue_open",
)


def counts(row: dict) -> dict:
    return {k: row[k] for k in COUNTS}
