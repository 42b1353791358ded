"""The Friday workbook at full size is print-ready: opened with openpyxl (print settings,
charts, text cells) and printed to PDF by LibreOffice (the summary sheet is one page)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from openpyxl.chart import LineChart

from kpi_pipeline.reports import labels as L
from kpi_pipeline.reports.render_html import weekly_html
from kpi_pipeline.reports.render_xlsx import SHEET_SUMMARY, SHEET_TREND, weekly_xlsx
from kpi_pipeline_tests.reports.devtools import pdf_pages
from kpi_pipeline_tests.reports.full_size import build
from kpi_pipeline_tests.reports.office import to_pdf

WEEK = date(2024, 11, 15)


@pytest.fixture(scope="module")
def report():
    return build(WEEK)


@pytest.fixture(scope="module")
def xlsx(report) -> bytes:
    return weekly_xlsx(report)


@pytest.fixture(scope="module")
def wb(xlsx):
    return load_workbook(io.BytesIO(xlsx))


def test_every_sheet_prints_a4_landscape_fit_to_width_with_repeated_headers(wb):
    for ws in wb.worksheets:
        ps = ws.page_setup
        assert (ps.paperSize, ps.orientation) == (9, "landscape"), ws.title  # 9: A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ps.fitToWidth == 1, ws.title
        if ws.title == SHEET_SUMMARY:
            assert ps.fitToHeight == 1  # one page
        else:
            assert ps.fitToHeight == 0 and ws.print_title_rows == "$1:$1", ws.title
            assert ws.freeze_panes is not None, ws.title


def test_trend_is_a_native_line_chart_of_three_rates(wb, report):
    ws = wb[SHEET_TREND]
    assert len(ws._charts) == 1 and isinstance(ws._charts[0], LineChart)
    assert len(ws._charts[0].series) == 3
    rows = list(ws.iter_rows(min_row=2, max_row=1 + len(report.trend), values_only=True))
    assert [r[1] for r in rows] == [float(L.rounded_rate(t.on_time_rate)) for t in report.trend]


def test_text_cells_are_text_and_rates_round_as_the_html(wb, report):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    assert c.data_type == "s", (ws.title, c.coordinate)
    units = wb["Đơn vị"]
    codes = [r[0] for r in units.iter_rows(min_row=2, values_only=True)]
    assert codes == [u.unit_code for u in report.units] and all(isinstance(c, str) for c in codes)
    # one rounding rule: 9/16 = 56.25% is 56,3% in the HTML and 0.563 (56.3%) in the workbook
    assert L.pct(9 / 16) == "56,3%" and L.rounded_rate(9 / 16) == L.rounded_rate(0.5625)
    html = weekly_html(report, b"")
    summary = wb[SHEET_SUMMARY]
    on_time = next(
        r for r in summary.iter_rows(values_only=True) if r[0] == L.KPI_LABELS["on_time"]
    )
    assert f"{on_time[1] * 100:.1f}%".replace(".", ",") == L.pct(report.province.on_time_rate)
    assert L.pct(report.province.on_time_rate) in html


def test_summary_sheet_prints_on_one_page_in_libreoffice(xlsx, soffice, tmp_path):
    wb = load_workbook(io.BytesIO(xlsx))
    for ws in wb.worksheets[1:]:
        wb.remove(ws)
    only = tmp_path / "tong-hop.xlsx"
    wb.save(only)
    assert pdf_pages(to_pdf(soffice, only, tmp_path)) == 1
