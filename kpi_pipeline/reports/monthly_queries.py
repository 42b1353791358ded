"""The monthly report's model from the KPI tables (issue 15): the month, the quarter and the
year to date against the same periods a year before (kpi.unit_kpi_monthly and its
_current_map twin, kpi.unit_kpi_cumulative), the 766-style score (kpi.unit_score_monthly) and
the breakdown by field (kpi.unit_kpi_field_monthly). SQL text in `sql/reports/`."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from datetime import date, datetime

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from kpi_pipeline.domain.calendar import month_window
from kpi_pipeline.domain.cumulative import KINDS, quarter_label
from kpi_pipeline.domain.provinces import REFORM_DAY
from kpi_pipeline.domain.score_766 import ScoreConfig, load_score_config
from kpi_pipeline.reports import indicators_labels as IL
from kpi_pipeline.reports import labels as L
from kpi_pipeline.reports.indicators_model import (
    CatalogueRow,
    CumulativeComparison,
    FieldRow,
    MonthlyReportData,
    PeriodFigures,
    ScoreRow,
)
from kpi_pipeline.reports.queries import MissingKpiData, _plain, _province_name, _rows
from kpi_pipeline.settings import province_code as default_province_code
from kpi_pipeline.warehouse.db import sql_text

KIND_LABELS = {"month": "Tháng", "quarter": "Quý", "year_to_date": "Lũy kế từ đầu năm"}


def monthly_report_data(
    conn: psycopg.Connection,
    month: date,
    *,
    generated_at: datetime,
    provisional: bool = False,
    province_code: str | None = None,
    score_config: ScoreConfig | None = None,
) -> MonthlyReportData:
    """The monthly report of `month` from kpi.unit_kpi_monthly (and its _current_map twin),
    kpi.unit_kpi_cumulative, kpi.unit_score_monthly and kpi.unit_kpi_field_monthly;
    `score_config`: the deployment's (the asset passes the `config_files` resource's), else
    the packaged file."""
    score_config = score_config or load_score_config()
    month_window(month)  # validates: a 1st
    now_row = _province_month(conn, "unit_kpi_monthly", month)
    if now_row is None:
        raise MissingKpiData(
            f"kpi.unit_kpi_monthly has no province roll-up for {month:%Y-%m}:"
            " materialise kpi/unit_kpi_monthly for it first"
        )
    before = date(month.year - 1, month.month, 1)
    comparisons = [_month_comparison(conn, month, before, now_row)]
    cumulative: dict[tuple[str, int, str], dict] = {
        (r["period_kind"], r["year_offset"], r["unit_map"]): r
        for r in _rows(conn, "reports/select_province_cumulative", month=month)
    }
    for kind in KINDS:
        on_current = (kind, 0, "current") in cumulative
        unit_map = "current" if on_current else "as_then"
        cur = cumulative.get((kind, 0, unit_map))
        if cur is None:
            continue  # not computed (before the history start): said by its absence
        prev = cumulative.get((kind, -1, unit_map))
        comparisons.append(
            CumulativeComparison(
                kind,
                _figures(_period_label(kind, cur), cur),
                _figures(_period_label(kind, prev), prev) if prev else None,
                on_current,
            )
        )
    score_rows = [
        (r["is_province"], _score(r))
        for r in _rows(
            conn,
            "reports/select_scores_monthly",
            period_start=month,
            scope=score_config.comparison_scope,
        )
    ]
    return MonthlyReportData(
        month=month,
        province_code=province_code or default_province_code(),
        province_name=_province_name(now_row["unit_name"]),
        comparisons=tuple(comparisons),
        scores=tuple(s for is_p, s in score_rows if not is_p),
        score_province=next((s for is_p, s in score_rows if is_p), None),
        fields=tuple(
            _field(r) for r in _rows(conn, "reports/select_fields_monthly", period_start=month)
        ),
        catalogue=tuple(
            CatalogueRow(**{k: _plain(v) for k, v in r.items()})
            for r in _rows(conn, "reports/select_procedure_catalogue_monthly", period_start=month)
        ),
        generated_at=generated_at,
        provisional=provisional,
        score_note=tuple(IL.score_note(score_config)),
    )


def _province_month(conn: psycopg.Connection, table: str, month: date) -> dict | None:
    query = sql.SQL(sql_text("reports/select_province_period_monthly")).format(
        monthly=sql.Identifier("kpi", table)
    )
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, {"period_start": month}).fetchone()


def _month_comparison(
    conn: psycopg.Connection, month: date, before: date, now_row: dict
) -> CumulativeComparison:
    """The month against the same month a year before; on today's map when the two lie on
    either side of the reform (and the month's twin on today's map exists)."""
    current_map_row = (
        _province_month(conn, "unit_kpi_monthly_current_map", month)
        if before < REFORM_DAY <= month
        else None
    )
    # without the twin on today's map, the map of each time (the province totals are equal)
    on_current = current_map_row is not None
    table = "unit_kpi_monthly_current_map" if on_current else "unit_kpi_monthly"
    now_row = current_map_row or now_row
    prev = _province_month(conn, table, before)
    end = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    prev_end = date(end.year - 1, end.month, 1)
    return CumulativeComparison(
        "month",
        _figures(L.month_label(month), {**now_row, "period_end": end, "complete": True}),
        _figures(L.month_label(before), {**prev, "period_end": prev_end, "complete": True})
        if prev
        else None,
        on_current,
    )


def _period_label(kind: str, r: dict) -> str:
    start, end = r["period_start"], r["period_end"]
    last = date(end.year - (end.month == 1), (end.month - 2) % 12 + 1, 1)
    if kind == "quarter":
        text = quarter_label(start)
        return text if r["complete"] else f"{text} (đến hết {L.month_label(last).lower()})"
    if r["complete"]:
        return f"Năm {start.year}"
    if last.month == 6:
        return f"6 tháng đầu năm {start.year}"
    return f"{L.month_label(start)} – {L.month_label(last).lower()}"


_FIGURE_FIELDS = {f.name for f in dataclass_fields(PeriodFigures)} - {"label", "start", "end"}


def _figures(label: str, r: dict) -> PeriodFigures:
    return PeriodFigures(
        label=label,
        start=r["period_start"],
        end=r["period_end"],
        **{k: _plain(r[k]) for k in _FIGURE_FIELDS if k in r},
    )


def _score(r: dict) -> ScoreRow:
    return ScoreRow(**{k: _plain(v) for k, v in r.items() if k != "is_province"})


def _field(r: dict) -> FieldRow:
    return FieldRow(**{k: _plain(v) for k, v in r.items()})
