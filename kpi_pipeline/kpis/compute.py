"""Running the KPI SQL for a partition window, and the metadata the assets publish.

The counting rules, roll-ups and bands live in SQL (`sql/kpi/`): `create_kpi_functions.sql`
holds the shared building blocks; each published table has a `delete_<table>.sql` and an
`insert_<table>.sql`, one statement each, covering every period of the window at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.domain.kpi_config import KpiConfig
from kpi_pipeline.warehouse.db import sql_text

STEPS = {"week": "7 days", "month": "1 month"}


@dataclass(frozen=True)
class PeriodRange:
    """The periods [start, end) of a partition window (one partition or a backfill range)."""

    start: date
    end: date

    @classmethod
    def from_window(cls, start: datetime, end: datetime, kind: str) -> PeriodRange:
        if kind not in STEPS:
            raise ValueError(f"unknown period kind {kind!r}")
        local_start, local_end = start.astimezone(TZ), end.astimezone(TZ)
        for ts in (local_start, local_end):
            if ts.time() != time(0):
                raise ValueError(f"partition window bound {ts.isoformat()} is not local midnight")
        if local_end <= local_start:
            raise ValueError(f"empty partition window {start} .. {end}")
        return cls(local_start.date(), local_end.date())

    def params(self, config: KpiConfig) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "cfg": config.sql_json(),
            "top": config.top_procedures,
        }


def replace_table(conn, table: str, periods: PeriodRange, config: KpiConfig) -> int:
    """Delete the window's rows of `kpi.<table>` and insert them anew; returns rows inserted.

    Runs on the caller's connection: the caller holds the transaction.
    """
    params = periods.params(config)
    # two runs replacing the same table's windows wait for each other instead of colliding
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"kpi.{table}",))
    conn.execute(sql_text(f"kpi/delete_{table}"), params)
    rows = conn.execute(sql_text(f"kpi/insert_{table}"), params).rowcount
    # Later statements of the same transaction read this table (the chiso dossiers read the
    # flagged comparisons): plan them on its real size, uncommitted rows included.
    conn.execute(f"ANALYZE kpi.{table}")
    return rows


def _last_period(conn, table: str, periods: PeriodRange) -> date | None:
    return conn.execute(
        f"SELECT max(period_start) FROM kpi.{table} WHERE period_start >= %s AND period_start < %s",
        (periods.start, periods.end),
    ).fetchone()[0]


def _pct(value) -> str:
    return "-" if value is None else f"{value:.1f}%"


def unit_kpi_metadata(conn, table: str, periods: PeriodRange, rows: int) -> dict:
    """Counts of units by overall band, the province's rates and the red units, for the last
    period of the window (the one a report shows); plain values, the asset wraps them."""
    last = _last_period(conn, table, periods)
    meta: dict = {
        "rows": rows,
        "periods": conn.execute(
            f"SELECT count(DISTINCT period_start) FROM kpi.{table}"
            " WHERE period_start >= %s AND period_start < %s",
            (periods.start, periods.end),
        ).fetchone()[0],
        "last_period": last.isoformat() if last else None,
    }
    if last is None:
        return meta
    by_band = dict(
        conn.execute(
            f"SELECT coalesce(overall_band, 'no_data'), count(*) FROM kpi.{table}"
            " WHERE period_start = %s AND scope = 'unit' GROUP BY 1",
            (last,),
        ).fetchall()
    )
    meta["units_by_band"] = {
        b: by_band.get(b, 0) for b in ("green", "yellow", "orange", "red", "no_data")
    }
    province = conn.execute(
        f"SELECT unit_code, round(100 * on_time_rate, 2), round(100 * online_rate, 2),"
        f" round(100 * online_payment_rate, 2), round(100 * digitisation_rate, 2), overall_band"
        f" FROM kpi.{table} WHERE period_start = %s AND scope = 'rollup' AND parent_code IS NULL"
        f" ORDER BY (unit_level = 'TINH') DESC, unit_code LIMIT 1",
        (last,),
    ).fetchone()
    if province:
        code, on_time, online, payment, digitised, overall = province
        meta["province"] = {
            "unit_code": code,
            "on_time_pct": on_time,
            "online_pct": online,
            "online_payment_pct": payment,
            "digitisation_pct": digitised,
            "overall_band": overall,
        }
    red = conn.execute(
        f"SELECT unit_code, unit_name, unit_level, 100 * on_time_rate, on_time_band,"
        f" 100 * online_rate, online_band, 100 * online_payment_rate, online_payment_band"
        f" FROM kpi.{table} WHERE period_start = %s AND scope = 'unit' AND overall_band = 'red'"
        f" ORDER BY unit_level, unit_code",
        (last,),
    ).fetchall()
    meta["red_units_md"] = red_units_markdown(last, red)
    return meta


def red_units_markdown(period: date, red: list[tuple], limit: int = 30) -> str:
    if not red:
        return f"No red unit in the period starting {period.isoformat()}."
    lines = [
        f"**{len(red)} red unit(s)**, period starting {period.isoformat()} (own dossiers)",
        "",
        "| unit | name | level | on time | online | online payment |",
        "|---|---|---|---|---|---|",
    ]
    for code, name, level, ot, otb, on, onb, pay, payb in red[:limit]:
        lines.append(
            f"| {code} | {name} | {level} | {_pct(ot)} ({otb or 'no data'})"
            f" | {_pct(on)} ({onb or 'no data'}) | {_pct(pay)} ({payb or 'no data'}) |"
        )
    if len(red) > limit:
        lines.append(f"\n... and {len(red) - limit} more")
    return "\n".join(lines)


def count_by(conn, table: str, column: str, periods: PeriodRange) -> dict[str, int]:
    """Row counts of the window by `column` (e.g. issue, reason)."""
    return {
        str(k): n
        for k, n in conn.execute(
            f"SELECT {column}, count(*) FROM kpi.{table}"
            " WHERE period_start >= %s AND period_start < %s GROUP BY 1 ORDER BY 1",
            (periods.start, periods.end),
        ).fetchall()
    }
