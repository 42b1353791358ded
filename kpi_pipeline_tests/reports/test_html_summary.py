"""The Friday report a leader prints, at full size (every unit of the default deployment), in a
real Chromium driven over the DevTools protocol: one page open for the module."""

from __future__ import annotations

import base64
import re
from datetime import date

import pytest

from kpi_pipeline.reports.chart import trend_png
from kpi_pipeline.reports.render_html import weekly_html
from kpi_pipeline_tests.reports.devtools import A4_LANDSCAPE, open_tab, pdf_pages
from kpi_pipeline_tests.reports.full_size import build

WEEK = date(2024, 11, 15)  # before the reform: districts, so the district filter


@pytest.fixture(scope="module")
def report():
    return build(WEEK)


@pytest.fixture(scope="module")
def tab(report, chromium, tmp_path_factory):
    out = tmp_path_factory.mktemp("summary-html")
    html = out / "bao-cao-tuan.html"
    html.write_text(weekly_html(report, trend_png(report.trend)), encoding="utf-8")
    with open_tab(chromium, html.resolve().as_uri(), out) as t:
        yield t


def _pdf(tab) -> bytes:
    result = tab.send("Page.printToPDF", preferCSSPageSize=True, **A4_LANDSCAPE)
    return base64.b64decode(result["data"])


def test_summary_prints_on_one_a4_landscape_page(tab, report):
    whole = _pdf(tab)
    # the summary alone, as its button (or "#in-tom-tat" in the address) prints it
    tab.evaluate("document.body.classList.add('print-summary')")
    try:
        summary = _pdf(tab)
    finally:
        tab.evaluate("document.body.classList.remove('print-summary')")
    assert pdf_pages(summary) == 1
    box = [float(v) for v in re.search(rb"/MediaBox\s*\[([^\]]+)\]", summary).group(1).split()]
    assert box[2] == pytest.approx(842, abs=2) and box[3] == pytest.approx(595, abs=2)
    assert pdf_pages(whole) >= 2  # the details follow, from the second page on
    # what the page holds at full size: ten units pulling down, five and five of each ranking
    rows = tab.evaluate("[...document.querySelectorAll('#summary tbody tr:not(.rank-gap)')].length")
    assert rows == 3 + 10 + 10 + 10


def test_district_filter_hides_other_districts(tab, report):
    red = {d.unit_code for d in report.drilldowns}
    # a district with red units among its own, so the drill-down is filtered too
    code = next(
        u.unit_code
        for u in report.units
        if u.unit_level == "HUYEN"
        and any(c.unit_code in red for c in report.units if c.parent_code == u.unit_code)
    )
    own = {u.unit_code for u in report.units if code in (u.unit_code, u.parent_code)}
    tab.evaluate(
        f"(() => {{ const s = document.getElementById('district-filter'); s.value = '{code}';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    # what a reader sees once the sections are open: rows laid out (offsetParent set)
    tab.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    for table in ("unit-table", "heatmap"):
        shown = tab.evaluate(
            f"[...document.querySelectorAll('#{table} tbody tr')]"
            ".filter(r => r.offsetParent !== null).map(r => r.dataset.unit)"
        )
        assert set(shown) == own, table
    red = [d.unit_code for d in report.drilldowns if d.unit_code in own]
    assert (
        red
        and tab.evaluate(
            "[...document.querySelectorAll('#drilldown .drilldown')]"
            ".filter(d => d.offsetParent !== null).map(d => d.dataset.unit)"
        )
        == red
    )
    hidden = tab.evaluate("document.querySelectorAll('#unit-table tbody tr[hidden]').length")
    assert hidden == len(report.units) - len(own)
    tab.evaluate(
        "(() => { const s = document.getElementById('district-filter'); s.value = '';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    assert tab.evaluate("document.querySelectorAll('[data-district][hidden]').length") == 0


def test_nothing_is_fetched_from_a_network(tab):
    urls = tab.requests()
    assert urls and urls[0].startswith("file:")
    assert all(u.startswith(("file:", "data:", "about:")) for u in urls), urls
