"""An issued report stays as issued: new data issues a new version beside it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.reports.publish import MANIFEST, publish

T0 = datetime(2024, 6, 14, 6, 0, tzinfo=TZ)


def _render(text):
    return lambda version: {"html": f"{text} v{version}".encode(), "xlsx": b"x"}


def test_versions_are_kept_and_unchanged_data_writes_nothing(tmp_path):
    p1 = publish(tmp_path, "bao-cao", _render("A"), "fp-a", provisional=False, now=T0)
    assert (p1.version, p1.new) == (1, True)
    assert p1.paths["html"].name == "bao-cao.html"
    assert p1.paths["html"].read_text() == "A v1"

    again = publish(
        tmp_path,
        "bao-cao",
        _render("A again"),
        "fp-a",
        provisional=False,
        now=T0 + timedelta(days=3),
    )
    assert (again.version, again.new, again.issued_at) == (1, False, T0)
    assert again.paths == p1.paths and p1.paths["html"].read_text() == "A v1"

    p2 = publish(
        tmp_path, "bao-cao", _render("B"), "fp-b", provisional=False, now=T0 + timedelta(days=30)
    )
    assert (p2.version, p2.paths["html"].name) == (2, "bao-cao-v2.html")
    assert p1.paths["html"].read_text() == "A v1"  # the issued report is untouched
    assert p2.paths["html"].read_text() == "B v2"
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert [(v["version"], v["fingerprint"]) for v in manifest["versions"]] == [
        (1, "fp-a"),
        (2, "fp-b"),
    ]


def test_provisional_reports_are_replaced_then_removed_when_issued(tmp_path):
    a = publish(tmp_path, "bao-cao", _render("draft 1"), "fp-1", provisional=True, now=T0)
    assert a.provisional and a.version is None
    assert a.paths["html"].name == "bao-cao-tam-tinh.html"
    b = publish(tmp_path, "bao-cao", _render("draft 2"), "fp-2", provisional=True, now=T0)
    assert b.paths["html"].read_text() == "draft 2 vNone"
    assert not (tmp_path / MANIFEST).exists()  # nothing issued yet

    issued = publish(tmp_path, "bao-cao", _render("final"), "fp-2", provisional=False, now=T0)
    assert issued.version == 1 and issued.new
    assert not list(tmp_path.glob("*tam-tinh*"))


def test_files_left_by_a_failed_run_are_never_overwritten(tmp_path):
    (tmp_path / "bao-cao.html").write_text("left over")  # written, but the manifest was not
    p = publish(tmp_path, "bao-cao", _render("A"), "fp-a", provisional=False, now=T0)
    assert p.version == 2 and (tmp_path / "bao-cao.html").read_text() == "left over"
