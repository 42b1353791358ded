"""The Friday report's HTML, opened in a real headless Chromium (one launch for the module)."""

from __future__ import annotations

import base64
import io
import unicodedata
from dataclasses import replace

import pytest
from PIL import Image

from kpi_pipeline.reports import labels as L
from kpi_pipeline.reports.chart import trend_png
from kpi_pipeline.reports.model import BAND_ORDER
from kpi_pipeline.reports.render import render_weekly
from kpi_pipeline.reports.render_html import BAND_LETTERS, weekly_html
from kpi_pipeline_tests.reports import samples
from kpi_pipeline_tests.reports.browser import open_page

VIETNAMESE = [
    "Báo cáo tuần",
    "Tỷ lệ giải quyết đúng hạn",
    "Tỷ lệ hồ sơ trực tuyến",
    "Tỷ lệ thanh toán trực tuyến",
    "Đơn vị",
    "Xanh",
    "Vàng",
    "Cam",
    "Đỏ",
    "Chưa có dữ liệu",
    "Huyện Nam Trà My",
    "Ủy ban nhân dân Tỉnh Quảng Nam",
    "Tuần từ Thứ Sáu 07/06/2024 đến hết Thứ Năm 13/06/2024",
]


@pytest.fixture(scope="module")
def report():
    return samples.weekly_report()


@pytest.fixture(scope="module")
def page(report, chromium, tmp_path_factory):
    out = tmp_path_factory.mktemp("weekly-html")
    html = out / "bao-cao-tuan.html"
    html.write_bytes(render_weekly(report, version="1")["html"])
    return open_page(chromium, html, out)


def test_screenshot_is_a_real_rendering(page):
    img = Image.open(page.screenshot).convert("RGB")
    assert img.size == (1400, 2000)
    assert page.screenshot.stat().st_size > 50_000
    colours = img.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 500  # text, chart and tables, not a blank page
    present = {c for _, c in colours}
    for band in ("green", "yellow", "orange", "red"):
        rgb = tuple(int(L.BAND_COLOURS[band][i : i + 2], 16) for i in (0, 2, 4))
        assert rgb in present, f"no {band} cell painted"


def test_document_is_vietnamese_utf8(page):
    root = page.dom.find("html")
    assert root.get("lang") == "vi"
    assert page.dom.find("meta", charset="utf-8")
    assert "Báo cáo tuần" in page.dom.find("title").text()


def test_vietnamese_text_intact_and_nfc(page):
    text = page.dom.find("body").text()
    for phrase in VIETNAMESE:
        assert phrase in text, phrase
    assert unicodedata.is_normalized("NFC", page.html)
    assert "\ufffd" not in page.html and "Ã" not in page.html  # no replacement or mojibake


def test_unit_table_lists_every_unit_with_coloured_band_cells(page, report):
    rows = page.dom.by_id("unit-table").find("tbody").find_all("tr")
    assert {r.get("data-unit") for r in rows} == {u[0] for u in samples.UNITS}
    model = {u.unit_code: u for u in report.units}
    for row in rows:
        u = model[row.get("data-unit")]
        cells = {c.get("data-kpi"): c for c in row.find_all("td", data_band=True)}
        expected = {
            "on_time": u.on_time_band,
            "online": u.online_band,
            "online_payment": u.online_payment_band,
            "overall": u.overall_band,
        }
        for kpi, band in expected.items():
            key = band or "none"
            assert cells[kpi].get("data-band") == key, (u.unit_code, kpi)
            assert f"band-{key}" in cells[kpi].classes
        assert cells["overall"].text().strip() == L.BAND_LABELS[u.overall_band]


def test_red_and_orange_units_come_first(page):
    rows = page.dom.by_id("unit-table").find("tbody").find_all("tr")
    bands = [r.get("data-band") for r in rows]
    assert bands[:4] == ["red", "red", "orange", "orange"]
    assert bands[-1] == "none"
    ranks = [BAND_ORDER[None if b == "none" else b] for b in bands]
    assert ranks == sorted(ranks)


def test_band_counts(page):
    spans = page.dom.by_id("band-counts").find_all("span", data_band=True)
    assert {s.get("data-band"): int(s.get("data-count")) for s in spans} == {
        "red": 2,
        "orange": 2,
        "yellow": 2,
        "green": 3,
        "low_volume": 0,
        "none": 1,
    }


def test_heatmap_has_units_by_13_weeks_with_their_bands(page, report):
    table = page.dom.by_id("heatmap")
    weeks = [th.get("data-week") for th in table.find("thead").find_all("th", class_="week")]
    assert weeks == [w.isoformat() for w in report.heatmap_weeks] and len(weeks) == 13
    rows = table.find("tbody").find_all("tr")
    assert len(rows) == len(samples.UNITS)
    for row in rows:
        # a cell per week, in the header's order; the band is its class (kept small: 13 cells
        # a unit make most of a full-size report), the report week framed
        cells = [c for c in row.find_all("td") if "name" not in c.classes]
        assert len(cells) == 13
        expected = samples.heatmap_bands(
            row.get("data-unit"),
            next(u[4] for u in samples.UNITS if u[0] == row.get("data-unit")),
        )
        assert all(f"band-{b or 'none'}" in c.classes for c, b in zip(cells, expected, strict=True))
        assert [c.text() for c in cells] == [BAND_LETTERS[b] for b in expected]
        assert ["cur" in c.classes for c in cells] == [False] * 12 + [True]


def test_trend_chart_is_embedded_png(page):
    img = page.dom.by_id("trend-chart")
    src = img.get("src")
    assert src.startswith("data:image/png;base64,")
    png = base64.b64decode(src.split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(png)).size[0] > 600


def test_opens_offline_nothing_external(page):
    for el in page.dom.iter():
        for attr in ("src", "href"):
            value = el.get(attr) or ""
            assert not value.startswith(("http:", "https:", "//")), (el.tag, value)
    # the one script is inline (the district filter, printing the summary): none loaded
    assert [s.get("src") for s in page.dom.find_all("script")] == [None]
    assert not page.dom.find_all("link", rel="stylesheet")


def test_red_units_have_their_drill_down(page):
    blocks = page.dom.find("section", id="drilldown").find_all("div", class_="drilldown")
    assert [b.get("data-unit") for b in blocks] == ["000.00.46.H47", "000.46.21.H47"]
    first = blocks[0]
    assert "Đăng ký khai sinh" in first.find("table", class_="late-procedures").text()
    overdue = first.find("table", class_="overdue-dossiers").find("tbody").find_all("tr")
    assert [r.get("data-days-overdue") for r in overdue] == ["15", "6"]
    assert "Hồ sơ quá hạn chưa giải quyết đến hết tuần: 7" in first.text()


# -- without a browser -------------------------------------------------------------------------


def test_decomposed_input_is_rendered_composed(report):
    nfd = unicodedata.normalize("NFD", "Xã Trà Tập")
    units = tuple(
        replace(u, unit_name=nfd) if u.unit_code == "000.46.22.H47" else u for u in report.units
    )
    html = weekly_html(replace(report, units=units), trend_png(report.trend))
    assert "Xã Trà Tập" in html and nfd not in html


def test_provisional_report_says_so(report):
    html = weekly_html(replace(report, provisional=True), trend_png(report.trend))
    assert 'data-provisional="true"' in html and "Số liệu tạm tính" in html
    assert "data-provisional" not in weekly_html(report, trend_png(report.trend))


def test_names_are_escaped(report):
    units = tuple(
        replace(u, unit_name="Xã <b>A</b> & B") if u.unit_code == "000.46.22.H47" else u
        for u in report.units
    )
    html = weekly_html(replace(report, units=units), trend_png(report.trend))
    assert "Xã &lt;b&gt;A&lt;/b&gt; &amp; B" in html
