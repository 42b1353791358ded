"""The end-of-peak-month report's HTML in a real headless Chromium (one launch for the module)."""

from __future__ import annotations

import unicodedata

import pytest
from PIL import Image

from kpi_pipeline.reports.render import render_peak_month
from kpi_pipeline_tests.reports import samples
from kpi_pipeline_tests.reports.browser import open_page


@pytest.fixture(scope="module")
def page(chromium, tmp_path_factory):
    out = tmp_path_factory.mktemp("peak-html")
    html = out / "bao-cao-thang-cao-diem.html"
    html.write_bytes(render_peak_month(samples.peak_report(), version="1")["html"])
    return open_page(chromium, html, out, size=(1400, 1200))


def test_rendered_and_vietnamese(page):
    assert page.dom.find("html").get("lang") == "vi"
    img = Image.open(page.screenshot).convert("RGB")
    assert len(img.getcolors(maxcolors=1 << 20)) > 300
    text = page.dom.find("body").text()
    for phrase in (
        "Báo cáo kết thúc tháng cao điểm",
        "Tháng 6/2024",
        "Tháng 3/2024",
        "Không có hồ sơ trễ hạn do nguyên nhân chủ quan",
        "Đạt",
        "Không đạt",
        "Không phát sinh",
        "Sở Tư pháp",
    ):
        assert phrase in text, phrase
    assert unicodedata.is_normalized("NFC", page.html)


def test_units_meeting_and_missing_targets(page):
    rows = page.dom.by_id("peak-unit-table").find("tbody").find_all("tr")
    by_unit = {r.get("data-unit"): r for r in rows}

    def status(code, target):
        return by_unit[code].find("td", data_target=target).get("data-status")

    assert (status("000.00.10.H47", "online"), status("000.00.10.H47", "late")) == ("met", "met")
    assert status("000.00.10.H47", "all") == "met"
    assert status("000.00.10.H47", "previous") == "missed"  # March: 36/40 online, 1 late
    assert status("000.00.15.H47", "online") == "missed"
    assert status("000.00.15.H47", "previous") == "met"
    assert (status("000.00.46.H47", "online"), status("000.00.46.H47", "late")) == (
        "missed",
        "missed",
    )
    assert (status("000.46.21.H47", "online"), status("000.46.21.H47", "late")) == ("met", "missed")
    assert status("000.46.21.H47", "previous") == "none"  # no March figures
    assert status("000.46.22.H47", "all") == "no_data"
    # missed first, no data last
    assert [r.get("data-status") for r in rows] == ["missed", "missed", "missed", "met", "no_data"]


def test_change_against_previous_peak_month(page):
    row = page.dom.by_id("peak-unit-table").find("tr", data_unit="000.00.46.H47")
    changes = [td.get("data-change") for td in row.find_all("td", data_change=True)]
    assert float(changes[0]) == pytest.approx(0.2)  # 10/50 -> 20/50 online
    assert changes[1] == "-3"  # 7 -> 4 late for subjective reasons
    cards = {c.get("data-target"): c for c in page.dom.find_all("div", class_="card")}
    assert cards["online"].find("div", data_units_met=True).get("data-units-met") == "2"
    assert "(Tháng 3/2024: 1)" in cards["online"].text()
