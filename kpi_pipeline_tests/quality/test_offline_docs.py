"""GX Data Docs as a real suite run writes them render offline in a real Chromium (styled,
no request leaves file:), and open over HTTP from the address the check's metadata links."""

from __future__ import annotations

import urllib.request

import pytest

from kpi_pipeline.artifact_links import serve, with_urls
from kpi_pipeline.quality.checks import check_result
from kpi_pipeline.quality.gx_runner import run_suite
from kpi_pipeline.quality.suites import suite_for
from kpi_pipeline.settings import KPI_ARTIFACTS_URL
from kpi_pipeline_tests.quality.rows import dossier, insert_dossiers, week_params
from kpi_pipeline_tests.reports.browser import ensure_chromium
from kpi_pipeline_tests.reports.devtools import open_tab

VALID = suite_for(("staging", "dossiers"), "valid")


@pytest.fixture
def docs(conn, db, tmp_path, monkeypatch):
    monkeypatch.setenv("KPI_HOME", str(tmp_path))
    insert_dossiers(conn, [dossier("G-P5", procedure="P5")])
    result = run_suite(db, VALID, week_params(), run_id="offline-test")
    assert result.docs_index is not None and result.docs_index.is_file()
    return result


def test_data_docs_have_no_cdn_and_render_styled_offline(docs, tmp_path):
    pages = list(docs.docs_index.parent.rglob("*.html"))
    assert len(pages) >= 3  # index, expectation suite, validation result
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for cdn in ("cdn.jsdelivr", "bootstrapcdn", "unpkg.com", "code.jquery", "cdnjs"):
            assert cdn not in html, (page.name, cdn)
    validation = next(p for p in pages if "validations" in p.parts)
    with open_tab(ensure_chromium(), validation.resolve().as_uri(), tmp_path) as tab:
        assert all(u.startswith(("file:", "data:", "about:")) for u in tab.requests())
        card = "getComputedStyle(document.querySelector('.card'))"
        assert tab.evaluate(f"{card}.borderTopStyle") == "solid"  # the inlined stylesheet
        assert "Succeeded" in tab.evaluate("document.body.innerText")
        assert not [e for e in tab.events if e["method"] == "Runtime.exceptionThrown"]


def test_metadata_links_open_over_http(docs, tmp_path, monkeypatch):
    server = serve("127.0.0.1", 0, root=tmp_path)
    try:
        host, port = server.server_address[:2]
        monkeypatch.setenv(KPI_ARTIFACTS_URL, f"http://{host}:{port}")
        result = check_result(VALID, docs, {})
        url = result.metadata["data_docs_url"].url
        assert url.startswith(f"http://{host}:{port}/gx_docs/offline-test/")
        with urllib.request.urlopen(url, timeout=10) as r:
            assert r.status == 200 and b"Expectation" in r.read()
            assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        # nothing of KPI_HOME but the served folders (the embedded database lives there)
        (tmp_path / "secret.txt").write_text("x")
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://{host}:{port}/secret.txt", timeout=10)
        assert "data_docs_url" in with_urls({"data_docs": result.metadata["data_docs"]})
    finally:
        server.shutdown()
