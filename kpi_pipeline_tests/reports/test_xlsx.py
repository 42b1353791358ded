"""The workbooks open with openpyxl, with the sheets and band colours of the HTML."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from kpi_pipeline.reports import labels as L
from kpi_pipeline.reports.render_xlsx import peak_month_xlsx, weekly_xlsx
from kpi_pipeline_tests.reports import samples


def _fill(cell) -> str:
    return cell.fill.fgColor.rgb[-6:].upper()


def _open(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_weekly_workbook_sheets_and_band_fills():
    report = samples.weekly_report()
    wb = _open(weekly_xlsx(report))
    assert wb.sheetnames == ["Tổng hợp", "Đơn vị", "Bản đồ nhiệt", "Chi tiết đơn vị đỏ"]

    ws = wb["Đơn vị"]
    header = [c.value for c in ws[1]]
    col = {name: i for i, name in enumerate(header)}
    rows = list(ws.iter_rows(min_row=2))
    assert [r[0].value for r in rows] == [u.unit_code for u in report.units]  # report order
    by_code = {u.unit_code: u for u in report.units}
    for r in rows:
        u = by_code[r[0].value]
        for name, band in (
            ("Xếp loại chung", u.overall_band),
            (L.KPI_LABELS["on_time"], u.on_time_band),
            (L.KPI_LABELS["online"], u.online_band),
            (L.KPI_LABELS["online_payment"], u.online_payment_band),
        ):
            assert _fill(r[col[name]]) == L.BAND_COLOURS[band], (u.unit_code, name)
        assert r[col["Xếp loại chung"]].value == L.BAND_LABELS[u.overall_band]
        rate = r[col[L.KPI_LABELS["on_time"]]]
        assert rate.value == u.on_time_rate and rate.number_format == "0.0%"


def test_weekly_heatmap_sheet_is_units_by_13_weeks():
    report = samples.weekly_report()
    ws = _open(weekly_xlsx(report))["Bản đồ nhiệt"]
    assert [c.value for c in ws[1]][2:] == [L.day(w) for w in report.heatmap_weeks]
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(report.heatmap)
    for r, h in zip(rows, report.heatmap, strict=True):
        assert r[0].value == h.unit_code
        assert [_fill(c) for c in r[2:]] == [L.BAND_COLOURS[b] for b in h.bands]


def test_weekly_summary_and_red_details():
    report = samples.weekly_report()
    wb = _open(weekly_xlsx(report))
    summary = [[c.value for c in r] for r in wb["Tổng hợp"].iter_rows()]
    assert summary[0][0] == "Báo cáo tuần"
    on_time = next(r for r in summary if r[0] == L.KPI_LABELS["on_time"])
    assert on_time[1] == report.province.on_time_rate and on_time[3] == "Xanh"
    red = [[c.value for c in r] for r in wb["Chi tiết đơn vị đỏ"].iter_rows(min_row=2)]
    assert {r[0] for r in red} == {"000.00.46.H47", "000.46.21.H47"}
    assert [
        "000.00.46.H47",
        "Huyện Nam Trà My",
        "Hồ sơ quá hạn chưa giải quyết",
        "000.00.46.H47-240520-0012",
        "Đăng ký khai sinh",
        "20/05/2024",
        "23/05/2024",
        15,
    ] in red


def test_peak_month_workbook():
    report = samples.peak_report()
    wb = _open(peak_month_xlsx(report))
    assert wb.sheetnames == ["Tổng hợp", "Đơn vị"]
    ws = wb["Đơn vị"]
    header = [c.value for c in ws[1]]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    col = {name: i for i, name in enumerate(header)}
    green, red = L.BAND_COLOURS["green"], L.BAND_COLOURS["red"]
    assert rows["000.00.10.H47"][col["Kết quả chung"]].value == "Đạt"
    assert _fill(rows["000.00.10.H47"][col["Kết quả chung"]]) == green
    assert _fill(rows["000.00.46.H47"][col["Chỉ tiêu 1"]]) == red
    assert rows["000.00.46.H47"][col["Thay đổi (điểm %)"]].value == 20.0
    assert rows["000.00.46.H47"][col["Thay đổi"]].value == -3
