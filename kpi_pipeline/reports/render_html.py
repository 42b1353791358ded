"""Self-contained HTML reports from the report models (Jinja2 templates, inline CSS).

Pure: model in, text out. The chart is embedded as a base64 `data:` URI and the little script
(the district filter, printing the summary page) is inline, so a report is one file that opens
offline and can be mailed as is: nothing is fetched from a network.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from kpi_pipeline.domain.headline import HEADLINE_KPIS, headline_figures
from kpi_pipeline.reports import indicators_labels as IL
from kpi_pipeline.reports import labels as L
from kpi_pipeline.reports.indicators_model import MonthlyReportData
from kpi_pipeline.reports.map import map_svg
from kpi_pipeline.reports.model import NO_DATA, PeakMonthReportData, WeeklyReportData
from kpi_pipeline.reports.summary import weekly_summary

TEMPLATES = Path(__file__).resolve().parent / "templates"
BAND_LETTERS = {"green": "X", "yellow": "V", "orange": "C", "red": "Đ", "low_volume": "Í", None: ""}
OVERDUE_LISTED = 5  # overdue dossiers listed per red unit in the HTML (the workbook: all read)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        pct=L.pct,
        points=L.points,
        signed=L.signed,
        number=L.number,
        day=L.day,
        day_month=L.day_month,
        moment=L.moment,
        weekday_day=L.weekday_day,
        month_label=L.month_label,
        lower_month_label=lambda d: L.month_label(d).lower(),
    )
    env.globals.update(
        band_labels=L.BAND_LABELS,
        band_meanings=L.BAND_MEANINGS,
        band_letters=BAND_LETTERS,
        level_labels=L.LEVEL_LABELS,
        kpi_labels=L.KPI_LABELS,
        headline_kpis=HEADLINE_KPIS,
        kpi_targets=L.KPI_TARGET_TEXT,
        trend_on_current_map_note=L.TREND_ON_CURRENT_MAP,
        status_labels=L.PEAK_STATUS_LABELS,
        colours={("none" if k is None else k): v for k, v in L.BAND_COLOURS.items()},
    )
    return env


def weekly_html(data: WeeklyReportData, chart_png: bytes, version: str | None = None) -> str:
    """The Friday report as one HTML document (`chart_png` from `chart.trend_png`)."""
    p = data.province
    headline = headline_figures(p)
    html = (
        environment()
        .get_template("weekly.html.j2")
        .render(
            r=data,
            province_name=data.province_name,
            generated_at=data.generated_at,
            provisional=data.provisional,
            version=version,
            headline=headline,
            counts=data.band_counts(),
            units_by_code={u.unit_code: u for u in data.units},
            s=weekly_summary(data),
            min_volume=data.min_volume,
            districts=hierarchical_districts(data),
            overdue_listed=OVERDUE_LISTED,
            chart_b64=base64.b64encode(chart_png).decode("ascii"),
            # built by map.map_svg, which escapes every text it writes
            map_svg=Markup(map_svg(data.map, title=map_title(data))) if data.map else None,
        )
    )
    return L.nfc(compact(html))


def compact(html: str) -> str:
    """Without the templates' indentation (a third of a full-size report; no <pre> in it)."""
    return _INDENT.sub("\n", html)


_INDENT = re.compile(r"\n[ \t]+")


def hierarchical_districts(data: WeeklyReportData) -> list:
    """The districts of the week, by name: the filter's options (none after the reform)."""
    return sorted(
        (u for u in data.units if u.unit_level == "HUYEN"), key=lambda u: L.vi_sort_key(u.unit_name)
    )


def map_title(data: WeeklyReportData) -> str:
    return (
        f"Xếp loại chung các đơn vị tuần {L.day(data.week_start)} – {L.day(data.week_end)}"
        f" — {data.province_name}"
    )


def peak_month_html(data: PeakMonthReportData, version: str | None = None) -> str:
    """The end-of-peak-month report as one HTML document."""
    p, before = data.province, data.previous_province
    summary = data.summary()

    def assessed(attr):
        return sum(1 for r in data.units if getattr(r.current, attr) != NO_DATA)

    online_detail = (
        f"{L.number(p.online_eligible_received_online)}/{L.number(p.online_eligible)} hồ sơ"
        " tiếp nhận trực tuyến"
    )
    late_detail = (
        f"trễ hạn do chủ quan, trên {L.number(p.finished)} hồ sơ đã giải quyết"
        f" ({L.number(p.finished_late)} hồ sơ trễ hạn)"
    )
    if before is not None:
        online_detail += f" · {L.month_label(data.previous_month)}: {L.pct(before.online_rate)}"
        late_detail += (
            f" · {L.month_label(data.previous_month)}: {L.number(before.late_subjective)}"
        )
    targets = [
        {
            "key": "online",
            "text": L.PEAK_TARGET_TEXT["online"],
            "status": p.online_target,
            "headline": L.pct(p.online_rate),
            "detail": online_detail,
            "met": summary["online"]["met"],
            "assessed": assessed("online_target"),
            "previous_met": summary["online"]["previous_met"],
        },
        {
            "key": "late",
            "text": L.PEAK_TARGET_TEXT["late"],
            "status": p.late_target,
            "headline": f"{L.number(p.late_subjective)} hồ sơ",
            "detail": late_detail,
            "met": summary["late"]["met"],
            "assessed": assessed("late_target"),
            "previous_met": summary["late"]["previous_met"],
        },
    ]
    html = (
        environment()
        .get_template("peak_month.html.j2")
        .render(
            r=data,
            province_name=data.province_name,
            generated_at=data.generated_at,
            provisional=data.provisional,
            version=version,
            targets=targets,
            summary=summary,
            has_previous=summary["all"]["previous_met"] is not None,
            comparison_on_current_map_note=L.COMPARISON_ON_CURRENT_MAP,
        )
    )
    return L.nfc(html)


# -- the monthly report (issue 15) ------------------------------------------------------------


def _score(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}".replace(".", ",")


def _score_signed(v: float | None) -> str:
    return "—" if v is None else f"{v:+.2f}".replace(".", ",")


def _published(v: float | None) -> str:
    """A published percentage (chiso: one decimal): 92.5 -> '92,5%'."""
    return "—" if v is None else f"{v:.1f}%".replace(".", ",")


def monthly_html(data: MonthlyReportData, version: str | None = None) -> str:
    """The monthly report (periods against last year, 766-style score, fields) as one document."""
    env = environment()
    env.filters.update(score=_score, score_signed=_score_signed, published=_published)
    html = env.get_template("monthly.html.j2").render(
        r=data,
        province_name=data.province_name,
        generated_at=data.generated_at,
        provisional=data.provisional,
        version=version,
        kind_titles=IL.KIND_TITLES,
        cumulative_note=IL.CUMULATIVE_NOTE,
        current_map_note=IL.CURRENT_MAP_NOTE,
        as_then_note=IL.AS_THEN_NOTE,
        no_previous=IL.NO_PREVIOUS,
        no_field=IL.NO_FIELD,
        score_title=IL.SCORE_TITLE,
        score_note=data.score_note,
        catalogue_note=IL.CATALOGUE_NOTE,
        catalogue_levels=IL.CATALOGUE_LEVELS,
    )
    return L.nfc(html)
