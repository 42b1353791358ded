"""Hand-made warehouse rows for the query and asset tests.

`kpi.unit_kpi_weekly` / `kpi.unit_kpi_monthly` are created from the published contract's
columns (shared/docs/kpi-tables.md) when the schema does not have them yet. The drill-down
tables are never hand-made: `fill_drilldown` computes them from staging with the KPI assets'
own SQL.
"""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

import psycopg

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline_tests.kpis.helpers import COUNTS

ADDED = ("finished_late_subjective",)  # project additions to the KPI tables that rows carry
COLUMNS = (
    "period_start",
    "unit_code",
    "unit_name",
    "unit_level",
    "parent_code",
    "scope",
    *COUNTS,
    "on_time_rate",
    "online_rate",
    "online_payment_rate",
    "digitisation_rate",
    "on_time_band",
    "online_band",
    "online_payment_band",
    "overall_band",
    "computed_at",
)


def _ddl(table: str) -> str:
    counts = ",\n".join(f"    {c} bigint NOT NULL" for c in COUNTS)
    return f"""
CREATE SCHEMA IF NOT EXISTS kpi;
CREATE TABLE IF NOT EXISTS kpi.{table} (
    period_start date NOT NULL,
    unit_code text NOT NULL,
    unit_name text NOT NULL,
    unit_level text NOT NULL,
    parent_code text,
    scope text NOT NULL,
{counts},
    on_time_rate numeric, online_rate numeric, online_payment_rate numeric,
    digitisation_rate numeric,
    on_time_band text, online_band text, online_payment_band text, overall_band text,
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (period_start, unit_code, scope)
);"""


def ensure_kpi_tables(conn: psycopg.Connection) -> None:
    conn.execute(_ddl("unit_kpi_weekly"))
    conn.execute(_ddl("unit_kpi_monthly"))


# -- KPI rows: counts in, rates and bands by the contract's rules ------------------------------

TARGETS = {
    "on_time": (Fraction(90, 100), False),
    "online": (Fraction(50, 100), True),
    "online_payment": (Fraction(25, 100), True),
}
WORST = ("red", "orange", "yellow", "green")


def band(num: int, den: int, kpi: str) -> str | None:
    """Contract bands: green at the target, yellow/orange within 10/20 points; strict targets
    have strict edges."""
    if not den:
        return None
    rate, (target, strict) = Fraction(num, den), TARGETS[kpi]

    def meets(edge):
        return rate > edge if strict else rate >= edge

    for name, below in (("green", 0), ("yellow", 10), ("orange", 20)):
        if meets(target - Fraction(below, 100)):
            return name
    return "red"


def kpi_row(period: date, unit: tuple, scope: str = "unit", **counts) -> dict:
    code, name, level, parent = unit
    c = {k: counts.get(k, 0) for k in COUNTS}
    c["received"] = max(c["received"], c["online_eligible"], c["payment_eligible"])

    def rate(n, d):
        return None if not d else Fraction(n, d)

    bands = {
        "on_time_band": band(c["finished_on_time"], c["finished"], "on_time"),
        "online_band": band(c["online_eligible_received_online"], c["online_eligible"], "online"),
        "online_payment_band": band(c["paid_online"], c["payment_eligible"], "online_payment"),
    }
    present = [b for b in bands.values() if b]
    overall = min(present, key=WORST.index) if present else None
    return {
        "period_start": period,
        "unit_code": code,
        "unit_name": name,
        "unit_level": level,
        "parent_code": parent,
        "scope": scope,
        **c,
        "on_time_rate": _num(rate(c["finished_on_time"], c["finished"])),
        "online_rate": _num(rate(c["online_eligible_received_online"], c["online_eligible"])),
        "online_payment_rate": _num(rate(c["paid_online"], c["payment_eligible"])),
        "digitisation_rate": _num(rate(c["digitised"], c["received"])),
        **bands,
        "overall_band": overall,
        "computed_at": datetime(2024, 7, 1, tzinfo=TZ),
        **{k: counts.get(k, 0) for k in ADDED},
    }


def _num(f: Fraction | None):
    from decimal import Decimal

    return None if f is None else Decimal(f.numerator) / Decimal(f.denominator)


def insert_kpi_rows(conn: psycopg.Connection, table: str, rows: list[dict]) -> None:
    """Contract columns from `rows`; a column the project added to the table (kpi-tables.md:
    "the project may add columns") that is NOT NULL without a default gets the row's value
    when it has one (`ADDED`), else 0 or false."""
    extra = {
        name: _FILLERS[dtype]
        for name, dtype in conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'kpi' AND table_name = %s AND is_nullable = 'NO'"
            " AND column_default IS NULL",
            (table,),
        ).fetchall()
        if name not in COLUMNS and dtype in _FILLERS
    }
    cols = ", ".join([*COLUMNS, *extra])
    values = ", ".join([*(f"%({c})s" for c in COLUMNS), *(f"%(_x_{c})s" for c in extra)])
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO kpi.{table} ({cols}) VALUES ({values})",
            [{**r, **{f"_x_{c}": r.get(c, v) for c, v in extra.items()}} for r in rows],
        )


_FILLERS = {"bigint": 0, "integer": 0, "numeric": 0, "boolean": False}


# -- reference and staging -------------------------------------------------------------------


def insert_units(conn: psycopg.Connection, units: list[tuple], valid_from=date(2020, 1, 1)) -> None:
    """(code, name, level, parent) tuples as one open-ended ref.units version each."""
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO ref.units (unit_code, valid_from, unit_name, unit_level, parent_code)"
            " VALUES (%s, %s, %s, %s, %s)",
            [(code, valid_from, name, level, parent) for code, name, level, parent in units],
        )


def fill_drilldown(conn: psycopg.Connection, period: str, start: date) -> None:
    """kpi.drilldown_procedures_* and kpi.overdue_dossiers_* of one week or month, computed
    from staging and reference data by the KPI assets' own SQL (kpis/compute.replace_table),
    after the period's counts per unit and procedure that the drill-down reads."""
    from kpi_pipeline.domain.calendar import month_window, week_window
    from kpi_pipeline.domain.kpi_config import load_kpi_config
    from kpi_pipeline.kpis.compute import PeriodRange, replace_table

    window = week_window(start) if period == "week" else month_window(start)
    periods = PeriodRange.from_window(window.start, window.end, period)
    suffix = "weekly" if period == "week" else "monthly"
    tables = (
        f"unit_procedure_{suffix}",
        f"drilldown_procedures_{suffix}",
        f"overdue_dossiers_{suffix}",
    )
    for table in tables:
        replace_table(conn, table, periods, load_kpi_config())


def insert_procedures(conn: psycopg.Connection, procedures: list[tuple]) -> None:
    """(code, name, service_level, integrated, has_fee, online_payment)."""
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO ref.procedures (procedure_code, procedure_name, unit_level, service_level,"
            " fully_online, integrated, has_fee, online_payment, processing_days)"
            " VALUES (%s, %s, 'HUYEN', %s, %s = 4, %s, %s, %s, 3)",
            [(c, n, lvl, lvl, integ, fee, pay) for c, n, lvl, integ, fee, pay in procedures],
        )


def insert_dossiers(conn: psycopg.Connection, dossiers: list[dict]) -> None:
    """Dossiers with defaults for what a test does not care about."""
    rows = []
    for d in dossiers:
        rows.append(
            {
                "channel": 1,
                "digitised": False,
                "finished_at": None,
                "status": 4,
                "late_reason": None,
                **d,
            }
        )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO staging.dossiers (ma_ho_so, procedure_code, unit_code, channel, digitised,"
            " received_at, due_at, finished_at, status, late_reason, updated_at, source_partition,"
            " run_id) VALUES (%(ma_ho_so)s, %(procedure_code)s, %(unit_code)s, %(channel)s,"
            " %(digitised)s, %(received_at)s, %(due_at)s, %(finished_at)s, %(status)s,"
            " %(late_reason)s, %(received_at)s, 'test', 'test')",
            rows,
        )


def at(y, m, d, hh=9, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)
