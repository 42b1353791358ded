"""Report models from the warehouse: the KPI tables (published contract and the project's
additions) and reference data. SQL text lives in `sql/reports/`.

Drill-down of red units is read by `read_red_unit_drilldowns` alone, from the KPI drill-down
tables (`kpi.drilldown_procedures_*`, `kpi.overdue_dossiers_*`): nothing here recomputes it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import fields, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from kpi_pipeline.domain.calendar import month_window, week_window
from kpi_pipeline.domain.kpi_config import KpiConfig, load_kpi_config
from kpi_pipeline.domain.provinces import REFORM_DAY
from kpi_pipeline.reports.geo import deployment_places, place_units
from kpi_pipeline.reports.indicators_queries import weekly_indicators
from kpi_pipeline.reports.labels import vi_sort_key
from kpi_pipeline.reports.model import (
    HEADLINE,
    HEATMAP_WEEKS,
    LEVEL_ORDER,
    TREND_WEEKS,
    HeatmapRow,
    OverdueDossier,
    PeakMonthReportData,
    PeakUnitResult,
    PeakUnitRow,
    ProcedureCount,
    ProvinceMap,
    RedUnitDrilldown,
    TrendPoint,
    UnitRow,
    WeeklyReportData,
    previous_peak_month,
)
from kpi_pipeline.settings import province_code as default_province_code
from kpi_pipeline.warehouse.db import sql_text

TOP_PROCEDURES = 5
TOP_OVERDUE = 20


class MissingKpiData(LookupError):
    """The KPI table has no row for the period asked: its KPI partition is not materialised."""


# -- the Friday report ----------------------------------------------------------------------


def weekly_report_data(
    conn: psycopg.Connection,
    week_start: date,
    *,
    generated_at: datetime,
    provisional: bool = False,
    province_code: str | None = None,
    config: KpiConfig | None = None,
) -> WeeklyReportData:
    week_window(week_start)  # validates: a Friday
    config = config or load_kpi_config()
    trend_weeks = _weeks_ending(week_start, TREND_WEEKS)
    heat_weeks = _weeks_ending(week_start, HEATMAP_WEEKS)

    province_rows = _province_weekly(conn, "kpi.unit_kpi_weekly", trend_weeks[0], week_start)
    if week_start not in province_rows:
        raise MissingKpiData(
            f"kpi.unit_kpi_weekly has no province roll-up for the week {week_start}:"
            " materialise kpi/unit_kpi_weekly for it first"
        )
    province = _unit_row(province_rows[week_start])
    # A trend across the reform is drawn on today's map (the structures differ on each side).
    on_current_map = trend_weeks[0] < REFORM_DAY <= week_start + timedelta(days=6)
    if on_current_map:
        province_rows = _province_weekly(
            conn, "kpi.unit_kpi_weekly_current_map", trend_weeks[0], week_start
        )
    trend = tuple(_trend_point(w, province_rows.get(w)) for w in trend_weeks)

    rollups = {
        r["unit_code"]: _unit_row(r)
        for r in _rows(conn, "reports/select_district_rollups_weekly", period_start=week_start)
    }
    units = [
        replace(u, rollup=rollups.get(u.unit_code)) if u.unit_level == "HUYEN" else u
        for u in (
            _unit_row(r)
            for r in _rows(conn, "reports/select_unit_rows_weekly", period_start=week_start)
        )
    ]
    last_week, last_year = week_start - timedelta(days=7), week_start - timedelta(weeks=52)
    compare = _province_weekly(
        conn,
        # across the reform the province is compared on today's map (its structure then differs)
        "kpi.unit_kpi_weekly_current_map"
        if last_year < REFORM_DAY <= week_start + timedelta(days=6)
        else "kpi.unit_kpi_weekly",
        last_year,
        week_start,
    )
    bands: dict[str, dict[date, str | None]] = defaultdict(dict)
    for r in _rows(
        conn, "reports/select_overall_bands_weekly", first=heat_weeks[0], last=week_start
    ):
        bands[r["unit_code"]][r["period_start"]] = r["overall_band"]
    heatmap = tuple(
        HeatmapRow(
            u.unit_code,
            u.unit_name,
            u.unit_level,
            tuple(bands[u.unit_code].get(w) for w in heat_weeks),
        )
        for u in hierarchical_order(units)
    )
    red = [u for u in units if u.rated_band == "red"]
    province_code = province_code or default_province_code()
    return WeeklyReportData(
        week_start=week_start,
        province_code=province_code,
        province_name=_province_name(province.unit_name),
        province=province,
        trend=trend,
        units=tuple(units),
        heatmap_weeks=heat_weeks,
        heatmap=heatmap,
        drilldowns=read_red_unit_drilldowns(conn, week_start, red),
        generated_at=generated_at,
        provisional=provisional,
        map=province_map(conn, units, week_start + timedelta(days=6), province_code),
        trend_on_current_map=on_current_map,
        two_tier=not any(u.unit_level == "HUYEN" for u in units),
        province_last_week=_unit_row(compare[last_week]) if last_week in compare else None,
        province_last_year=_unit_row(compare[last_year]) if last_year in compare else None,
        targets={k: config.targets[k] for k in HEADLINE},
        min_volume=config.min_volume,
        indicators=weekly_indicators(conn, week_start, province, units),
    )


def _province_weekly(conn: psycopg.Connection, table: str, first: date, last: date) -> dict:
    """The province roll-up rows by week; of two roots in a week (the reform's, 2025-06-27),
    the new province (last in the SQL's order)."""
    rows = _rows(
        conn,
        "reports/select_province_weekly",
        {"table": sql.Identifier(*table.split("."))},
        first=first,
        last=last,
    )
    return {r["period_start"]: r for r in rows}


def province_map(
    conn: psycopg.Connection, units: Sequence[UnitRow], day: date, province_code: str
) -> ProvinceMap:
    """The units on the province map, by the GSO codes of their versions valid on `day`."""
    gso = {
        r["unit_code"]: r["gso_code"]
        for r in _rows(
            conn, "reports/select_unit_gso_codes", units=[u.unit_code for u in units], day=day
        )
    }
    return place_units(units, gso, deployment_places(province_code, day))


def read_red_unit_drilldowns(
    conn: psycopg.Connection,
    week_start: date,
    red_units: Sequence[UnitRow],
    period: str = "week",
) -> tuple[RedUnitDrilldown, ...]:
    """Why each red unit is red, for the week starting `week_start` (or, with
    `period="month"`, the month starting then: the end-of-peak-month alerts).

    The one place drill-down is read (the Friday report and the alerts): the KPI tables
    `kpi.drilldown_procedures_weekly|monthly` (scope `unit`; their top `TOP_PROCEDURES` by
    late and by not-online dossiers) and `kpi.overdue_dossiers_weekly|monthly` (the
    `TOP_OVERDUE` longest overdue, with the total).
    """
    if not red_units:
        return ()
    _window(period, week_start)  # validates: a Friday, or the 1st
    suffix = "weekly" if period == "week" else "monthly"
    tables = {
        "procedures": sql.Identifier("kpi", f"drilldown_procedures_{suffix}"),
        "overdue": sql.Identifier("kpi", f"overdue_dossiers_{suffix}"),
    }
    params = {
        "units": [u.unit_code for u in red_units],
        "period_start": week_start,
        "top": TOP_PROCEDURES,
    }
    late: dict[str, list[ProcedureCount]] = defaultdict(list)
    for r in _rows(conn, "reports/select_drilldown_late_procedures", tables, **params):
        late[r["unit_code"]].append(_procedure_count(r))
    non_online: dict[str, list[ProcedureCount]] = defaultdict(list)
    for r in _rows(conn, "reports/select_drilldown_non_online_procedures", tables, **params):
        non_online[r["unit_code"]].append(_procedure_count(r))
    overdue: dict[str, list[OverdueDossier]] = defaultdict(list)
    overdue_total: dict[str, int] = {}
    for r in _rows(
        conn, "reports/select_drilldown_overdue_dossiers", tables, **{**params, "top": TOP_OVERDUE}
    ):
        overdue[r["unit_code"]].append(
            OverdueDossier(
                r["ma_ho_so"],
                r["procedure_code"],
                r["procedure_name"],
                r["received_at"],
                r["due_at"],
                int(r["days_overdue"]),
            )
        )
        overdue_total[r["unit_code"]] = int(r["total"])
    return tuple(
        RedUnitDrilldown(
            unit_code=u.unit_code,
            unit_name=u.unit_name,
            late_procedures=tuple(late[u.unit_code]),
            non_online_procedures=tuple(non_online[u.unit_code]),
            overdue_dossiers=tuple(overdue[u.unit_code]),
            overdue_total=overdue_total.get(u.unit_code, 0),
        )
        for u in sorted(
            red_units, key=lambda u: (LEVEL_ORDER.get(u.unit_level, 9), vi_sort_key(u.unit_name))
        )
    )


# -- the alerts: a period's unit rows and the previous period's bands ---------------------------


def unit_rows(conn: psycopg.Connection, period: str, period_start: date) -> list[UnitRow]:
    """Every unit's own figures (scope `unit`, the province excluded) for a week or month; []
    when the KPI table has no row for it."""
    _window(period, period_start)  # validates: a Friday, or the 1st
    name = (
        "reports/select_unit_rows_weekly"
        if period == "week"
        else "reports/select_unit_rows_monthly"
    )
    return [_unit_row(r) for r in _rows(conn, name, period_start=period_start)]


def overall_bands(
    conn: psycopg.Connection, period: str, period_start: date
) -> dict[str, str | None]:
    """{unit_code: overall_band} of every unit with a KPI row for the week or month."""
    name = (
        "reports/select_overall_bands_weekly"
        if period == "week"
        else "reports/select_overall_bands_monthly"
    )
    return {
        r["unit_code"]: r["overall_band"]
        for r in _rows(conn, name, first=period_start, last=period_start)
    }


def _window(period: str, start: date):
    if period == "week":
        return week_window(start)
    if period == "month":
        return month_window(start)
    raise ValueError(f"unknown period {period!r}: week or month")


# -- the end-of-peak-month report -------------------------------------------------------------


def peak_month_report_data(
    conn: psycopg.Connection,
    month: date,
    *,
    generated_at: datetime,
    provisional: bool = False,
    province_code: str | None = None,
) -> PeakMonthReportData:
    province, units = _peak_results(conn, month)
    if province is None:
        raise MissingKpiData(
            f"kpi.unit_kpi_monthly has no province roll-up for {month:%Y-%m}:"
            " materialise kpi/unit_kpi_monthly for it first"
        )
    previous = previous_peak_month(month)
    # Across the reform (June 2025 -> September 2025) the units differ on each side: the
    # previous peak month is read on today's map, its dossiers attributed to today's units.
    on_current_map = previous < REFORM_DAY <= month
    previous_province, previous_units = _peak_results(
        conn,
        previous,
        "kpi.unit_kpi_monthly_current_map" if on_current_map else "kpi.unit_kpi_monthly",
    )
    if on_current_map and previous_province is None and _peak_results(conn, previous)[0]:
        raise MissingKpiData(
            f"kpi.unit_kpi_monthly_current_map has no province roll-up for {previous:%Y-%m}:"
            " the comparison across the 2025 reform is on today's map; materialise"
            " kpi/unit_kpi_monthly_current_map for it first"
        )
    rows = tuple(PeakUnitRow(u, previous_units.get(code)) for code, u in units.items())
    return PeakMonthReportData(
        month=month,
        province_code=province_code or default_province_code(),
        province_name=_province_name(province.unit_name),
        province=province,
        units=rows,
        previous_province=previous_province,
        generated_at=generated_at,
        provisional=provisional,
        comparison_on_current_map=on_current_map,
    )


def _peak_results(
    conn: psycopg.Connection, month: date, table: str = "kpi.unit_kpi_monthly"
) -> tuple[PeakUnitResult | None, dict[str, PeakUnitResult]]:
    """(province, {unit_code: unit}) for `month` in `table`; (None, {}) when it has no rows."""
    province, units = None, {}
    for r in _rows(
        conn,
        "reports/select_peak_rows_monthly",
        {"table": sql.Identifier(*table.split("."))},
        period_start=month,
    ):
        result = PeakUnitResult(
            unit_code=r["unit_code"],
            unit_name=r["unit_name"],
            unit_level=r["unit_level"],
            parent_code=r["parent_code"],
            online_eligible=int(r["online_eligible"]),
            online_eligible_received_online=int(r["online_eligible_received_online"]),
            finished=int(r["finished"]),
            finished_late=int(r["finished_late"]),
            late_subjective=int(r["late_subjective"]),
        )
        if r["is_province"]:
            province = result
        else:
            units[result.unit_code] = result
    return province, units


# -- helpers ---------------------------------------------------------------------------------


def hierarchical_order(units: Iterable[UnitRow]) -> list[UnitRow]:
    """Departments, then each district followed by its communes, then any other unit; by name."""
    units = list(units)
    by_name = sorted(units, key=lambda u: vi_sort_key(u.unit_name))
    districts = [u for u in by_name if u.unit_level == "HUYEN"]
    out = [u for u in by_name if u.unit_level == "SO_NGANH"]
    for d in districts:
        out.append(d)
        out += [u for u in by_name if u.unit_level == "XA" and u.parent_code == d.unit_code]
    placed = {u.unit_code for u in out}
    rest = [u for u in units if u.unit_code not in placed]
    return out + sorted(
        rest, key=lambda u: (LEVEL_ORDER.get(u.unit_level, 9), vi_sort_key(u.unit_name))
    )


def _weeks_ending(last: date, n: int) -> tuple[date, ...]:
    return tuple(last - timedelta(weeks=n - 1 - i) for i in range(n))


def _rows(conn: psycopg.Connection, name: str, tables: dict | None = None, **params) -> list[dict]:
    """The rows of `sql/<name>.sql`; `tables` fills its `{placeholders}` (identifiers)."""
    query = sql.SQL(sql_text(name)).format(**tables) if tables else sql_text(name)
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, params)
        return cur.fetchall()


_UNIT_FIELDS = {f.name for f in fields(UnitRow)}


def _unit_row(r: dict) -> UnitRow:
    return UnitRow(**{k: _plain(v) for k, v in r.items() if k in _UNIT_FIELDS})


def _trend_point(week: date, r: dict | None) -> TrendPoint:
    if r is None:
        return TrendPoint(week)
    return TrendPoint(
        week, _plain(r["on_time_rate"]), _plain(r["online_rate"]), _plain(r["online_payment_rate"])
    )


def _procedure_count(r: dict) -> ProcedureCount:
    return ProcedureCount(
        r["procedure_code"], r["procedure_name"], int(r["count"]), int(r["total"])
    )


def _plain(v):
    """numeric -> float (rates), bigint stays int; the bands come computed from the tables."""
    return float(v) if isinstance(v, Decimal) else v


def _province_name(unit_name: str) -> str:
    """'UBND tỉnh Quảng Nam' -> 'tỉnh Quảng Nam': the reports put 'Ủy ban nhân dân' in front."""
    return re.sub(r"^(UBND|Ủy ban nhân dân|ỦY BAN NHÂN DÂN)\s+", "", unit_name.strip())
