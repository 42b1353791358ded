"""Every file of a report, rendered from its model: the bytes to write, by file suffix."""

from __future__ import annotations

from kpi_pipeline.reports import labels as L
from kpi_pipeline.reports.chart import trend_png
from kpi_pipeline.reports.indicators_model import MonthlyReportData
from kpi_pipeline.reports.map import map_png
from kpi_pipeline.reports.model import PeakMonthReportData, WeeklyReportData
from kpi_pipeline.reports.render_html import map_title, monthly_html, peak_month_html, weekly_html
from kpi_pipeline.reports.render_xlsx import monthly_xlsx, peak_month_xlsx, weekly_xlsx

MAP_SUFFIX = "ban-do.png"  # the map's file: <stem>.ban-do.png


def render_weekly(data: WeeklyReportData, version: str | None = None) -> dict[str, bytes]:
    """{'html': …, 'xlsx': …, 'png': …} for the Friday report, and the province map
    ('ban-do.png') when the model has one."""
    png = trend_png(
        data.trend,
        title=f"Xu hướng 12 tuần đến tuần {L.day(data.week_start)} — {data.province_name}"
        + (" (theo địa giới hiện nay)" if data.trend_on_current_map else ""),
    )
    map_file = map_png(data.map, title=map_title(data)) if data.map else None
    files = {
        "html": weekly_html(data, png, version=version).encode("utf-8"),
        "xlsx": weekly_xlsx(data, map_file),
        "png": png,
    }
    if map_file:
        files[MAP_SUFFIX] = map_file
    return files


def render_peak_month(data: PeakMonthReportData, version: str | None = None) -> dict[str, bytes]:
    """{'html': …, 'xlsx': …} for the end-of-peak-month report."""
    return {
        "html": peak_month_html(data, version=version).encode("utf-8"),
        "xlsx": peak_month_xlsx(data),
    }


BAND_MARKS = {
    "green": "🟢",
    "yellow": "🟡",
    "orange": "🟠",
    "red": "🔴",
    "low_volume": "▫️",
    None: "⚪",
}


def weekly_markdown(data: WeeklyReportData, top: int = 15) -> str:
    """The top of the unit table (worst first), for the Dagster UI."""
    p = data.province
    counts = data.band_counts()
    lines = [
        f"**Báo cáo tuần {L.day(data.week_start)} – {L.day(data.week_end)}**"
        + (" (tạm tính)" if data.provisional else ""),
        "",
        f"Toàn tỉnh: đúng hạn {L.pct(p.on_time_rate)}, trực tuyến {L.pct(p.online_rate)},"
        f" thanh toán trực tuyến {L.pct(p.online_payment_rate)}.",
        "",
        " · ".join(
            f"{BAND_MARKS[b]} {L.BAND_LABELS[b]}: {counts[b]}"
            for b in ("red", "orange", "yellow", "green", "low_volume", None)
        ),
        "",
        "| # | Đơn vị | Đúng hạn | Trực tuyến | Thanh toán TT | Xếp loại |",
        "|---|---|---|---|---|---|",
    ]
    for i, u in enumerate(data.units[:top], start=1):
        lines.append(
            f"| {i} | {_md(u.unit_name)} | {L.pct(u.on_time_rate)} | {L.pct(u.online_rate)}"
            f" | {L.pct(u.online_payment_rate)}"
            f" | {BAND_MARKS[u.shown_overall]} {L.BAND_LABELS[u.shown_overall]} |"
        )
    if len(data.units) > top:
        lines.append(f"\n… và {len(data.units) - top} đơn vị khác.")
    return "\n".join(lines)


def peak_month_markdown(data: PeakMonthReportData, top: int = 15) -> str:
    """Who met the peak-month targets (missed first), for the Dagster UI."""
    s = data.summary()
    prev = L.month_label(data.previous_month)

    def then(key):
        n = s[key]["previous_met"]
        return "" if n is None else f" ({prev}: {n})"

    lines = [
        f"**Báo cáo kết thúc tháng cao điểm {L.month_label(data.month)}**"
        + (" (tạm tính)" if data.provisional else ""),
        "",
        f"- Đạt chỉ tiêu trực tuyến 100%: {s['online']['met']} đơn vị{then('online')}",
        f"- Không có hồ sơ trễ hạn do chủ quan: {s['late']['met']} đơn vị{then('late')}",
        f"- Đạt cả hai chỉ tiêu: {s['all']['met']} đơn vị{then('all')}",
        *([f"- {L.COMPARISON_ON_CURRENT_MAP}"] if data.comparison_on_current_map else []),
        "",
        "| # | Đơn vị | Tỷ lệ trực tuyến | Trễ do chủ quan | Kết quả |",
        "|---|---|---|---|---|",
    ]
    for i, r in enumerate(data.units[:top], start=1):
        u = r.current
        lines.append(
            f"| {i} | {_md(u.unit_name)} | {L.pct(u.online_rate)} | {u.late_subjective}"
            f" | {L.PEAK_STATUS_LABELS[u.overall]} |"
        )
    if len(data.units) > top:
        lines.append(f"\n… và {len(data.units) - top} đơn vị khác.")
    return "\n".join(lines)


def _md(text: str) -> str:
    return L.nfc(text).replace("|", "\\|")


def render_monthly(data: MonthlyReportData, version: str | None = None) -> dict[str, bytes]:
    """{'html': …, 'xlsx': …} for the monthly report (issue 15)."""
    return {
        "html": monthly_html(data, version=version).encode("utf-8"),
        "xlsx": monthly_xlsx(data),
    }


def monthly_markdown(data: MonthlyReportData) -> str:
    """The periods' headline rates against the year before, for the Dagster UI."""
    lines = [
        f"**Báo cáo {L.month_label(data.month).lower()}**"
        + (" (tạm tính)" if data.provisional else ""),
        "",
        "| Kỳ | Đúng hạn | Trực tuyến | Thanh toán TT | Cùng kỳ: đúng hạn |",
        "|---|---|---|---|---|",
    ]
    for c in data.comparisons:
        f, p = c.current, c.previous
        lines.append(
            f"| {f.label} | {L.pct(f.on_time_rate)} | {L.pct(f.online_rate)}"
            f" | {L.pct(f.online_payment_rate)} | {L.pct(p.on_time_rate) if p else '—'} |"
        )
    if data.score_province is not None and data.score_province.score is not None:
        lines += ["", f"Điểm 766 (dự án tính, gần đúng): {data.score_province.score:.2f}/100"]
    return "\n".join(lines)
