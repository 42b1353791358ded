"""Running the KPI SQL for a partition window, and the metadata the assets publish.

The counting rules, roll-ups and bands live in SQL (`sql/kpi/`): `create_kpi_functions.sql`
holds the shared building blocks; each published table has an `insert_<table>.sql`, one
statement covering every period of the window at once, and the window's old rows go by the one
`delete_periods.sql`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from kpi_pipeline.domain.calendar import PERIOD_STEPS, TZ
from kpi_pipeline.domain.kpi_config import KpiConfig
from kpi_pipeline.warehouse.db import sql_text, statement, transaction_lock


@dataclass(frozen=True)
class PeriodRange:
    """The periods [start, end) of a partition window (one partition or a backfill range), of
    one kind (`PERIOD_STEPS`): the window alone cannot tell four Friday weeks from a February
    that starts on a Friday, so the caller, which knows its partitions, names it."""

    start: date
    end: date
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in PERIOD_STEPS:
            raise ValueError(f"unknown period kind {self.kind!r}")

    @property
    def step(self) -> str:
        """The period length as a PostgreSQL interval: the insert statements' `step`."""
        return PERIOD_STEPS[self.kind]

    @classmethod
    def from_window(cls, start: datetime, end: datetime, kind: str) -> PeriodRange:
        local_start, local_end = start.astimezone(TZ), end.astimezone(TZ)
        for ts in (local_start, local_end):
            if ts.time() != time(0):
                raise ValueError(f"partition window bound {ts.isoformat()} is not local midnight")
        if local_end <= local_start:
            raise ValueError(f"empty partition window {start} .. {end}")
        return cls(local_start.date(), local_end.date(), kind)

    def params(self, config: KpiConfig) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "step": self.step,
            "cfg": config.sql_json(),
            "top": config.top_procedures,
        }


def replace_table(conn, table: str, periods: PeriodRange, config: KpiConfig) -> int:
    """Delete the window's rows of `kpi.<table>` and insert them anew; returns rows inserted.

    Runs on the caller's connection: the caller holds the transaction.
    """
    params = periods.params(config)
    # two runs replacing the same table's windows wait for each other instead of colliding
    transaction_lock(conn, f"kpi.{table}")
    delete_periods(conn, f"kpi.{table}", params)
    rows = conn.execute(sql_text(f"kpi/insert_{table}"), params).rowcount
    # Later statements of the same transaction read this table (the chiso dossiers read the
    # flagged comparisons): plan them on its real size, uncommitted rows included.
    conn.execute(statement("warehouse/analyze_table", table=f"kpi.{table}"))
    return rows


def delete_periods(conn, table: str, params: dict, period: str = "period_start") -> None:
    """Delete the rows of `table` whose `period` column begins in [start, end) of `params`."""
    conn.execute(statement("kpi/delete_periods", table=table, period=period), params)


def _window_periods(conn, table: str, periods: PeriodRange) -> tuple[int, date | None]:
    window = {"start": periods.start, "end": periods.end}
    return conn.execute(
        statement("kpi/select_window_periods", table=f"kpi.{table}"), window
    ).fetchone()


def _pct(value) -> str:
    return "-" if value is None else f"{value:.1f}%"


def unit_kpi_metadata(conn, table: str, periods: PeriodRange, rows: int) -> dict:
    """Counts of units by overall band, the province's rates and the red units, for the last
    period of the window (the one a report shows); plain values, the asset wraps them."""
    count, last = _window_periods(conn, table, periods)
    meta: dict = {
        "rows": rows,
        "periods": count,
        "last_period": last.isoformat() if last else None,
    }
    if last is None:
        return meta
    by_band = dict(
        conn.execute(
            statement("kpi/select_units_by_band", table=f"kpi.{table}"), {"period": last}
        ).fetchall()
    )
    meta["units_by_band"] = {
        b: by_band.get(b, 0) for b in ("green", "yellow", "orange", "red", "no_data")
    }
    province = conn.execute(
        statement("kpi/select_province_rates", table=f"kpi.{table}"), {"period": last}
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
        statement("kpi/select_red_units", table=f"kpi.{table}"), {"period": last}
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
            statement("kpi/select_count_by", table=f"kpi.{table}", column=column),
            {"start": periods.start, "end": periods.end},
        ).fetchall()
    }
