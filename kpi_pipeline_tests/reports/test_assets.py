"""The report assets through a real `dagster.materialize` on a real PostgreSQL database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dagster import AssetKey, materialize
from openpyxl import load_workbook

from kpi_pipeline.domain import kpi_config
from kpi_pipeline.kpis.assets import drilldown_procedures_weekly, overdue_dossiers_weekly
from kpi_pipeline.reports import assets as report_assets
from kpi_pipeline.reports.assets import ASSETS, friday_report, peak_month_report
from kpi_pipeline.warehouse import db
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline_tests.file_resources import file_resources
from kpi_pipeline_tests.history import record_complete_history
from kpi_pipeline_tests.kpis.helpers import with_counts
from kpi_pipeline_tests.reports import scenario as S
from kpi_pipeline_tests.reports.warehouse_rows import at

WEEK = S.WEEK.isoformat()


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("KPI_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def clock(monkeypatch):
    """Set the time the assets believe it is."""

    def set_now(ts):
        monkeypatch.setattr(report_assets, "_now", lambda: ts)

    set_now(at(2024, 6, 14, 6, 0))  # the Friday the report of the week of 7 June is due
    return set_now


def _run(asset, database_url, partition_key=None, tags=None, partitions=1, upstream=(), files=None):
    """Materialise `asset` (after the `upstream` assets, in the same run); its metadata.
    `files`: the `config_files` resource's paths (default: the packaged files)."""
    record_complete_history(database_url)
    result = materialize(
        [*upstream, asset],
        partition_key=partition_key,
        tags=tags,
        resources={
            "warehouse": WarehouseResource(database_url=database_url),
            **file_resources(**(files or {})),
        },
    )
    assert result.success
    events = [e for e in result.get_asset_materialization_events() if e.asset_key == asset.key]
    assert len(events) == partitions
    return events[-1].materialization.metadata


def _path(meta, key) -> Path:
    return Path(meta[key].path)


def test_assets_are_exported_with_their_keys_and_deps():
    assert [a.key for a in ASSETS] == [
        AssetKey(["reports", "friday_report"]),
        AssetKey(["reports", "peak_month_report"]),
    ]
    # KPI tables only, drill-down included; nothing from staging
    assert friday_report.dependency_keys == {
        AssetKey(["kpi", "unit_kpi_weekly"]),
        AssetKey(["kpi", "drilldown_procedures_weekly"]),
        AssetKey(["kpi", "overdue_dossiers_weekly"]),
        AssetKey(["kpi", "drilldown_payments_weekly"]),
        AssetKey(["kpi", "unpaid_online_dossiers_weekly"]),
    }
    assert peak_month_report.dependency_keys == {AssetKey(["kpi", "unit_kpi_monthly"])}


def test_friday_report_is_written_and_kept_as_issued(database_url, home, clock):
    with db.connect(database_url) as conn:
        S.load_weekly(conn, drilldown=False)
        conn.commit()

    # the real KPI drill-down assets, then the report, in one run
    drilldown = with_counts([drilldown_procedures_weekly, overdue_dossiers_weekly])
    meta = _run(friday_report, database_url, WEEK, upstream=drilldown)
    folder = home / "reports" / "weekly" / WEEK
    for ext in ("html", "xlsx", "png"):
        assert _path(meta, ext) == folder / f"bao-cao-tuan-{WEEK}.{ext}"
        assert _path(meta, ext).stat().st_size > 1000
    assert meta["version"].value == 1 and meta["provisional"].value is False
    assert meta["units_red"].value == 1 and meta["units"].value == 4
    preview = meta["preview"].value
    assert "| 1 | Huyện Nam Trà My |" in preview and "Đỏ" in preview
    html = _path(meta, "html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in html and "data:image/png;base64," in html
    assert 'data-unit="000.00.46.H47" data-band="red"' in html
    assert "D-over-1" in html and "Đăng ký khai sinh" in html  # the red unit's drill-down
    assert load_workbook(_path(meta, "xlsx")).sheetnames[1] == "Đơn vị"
    issued = _path(meta, "html").read_bytes()

    # the same data a week later: nothing new is issued
    clock(at(2024, 6, 21, 6, 0))
    again = _run(friday_report, database_url, WEEK)
    assert again["version"].value == 1 and again["newly_written"].value is False
    assert sorted(p.name for p in folder.glob("*.html")) == [f"bao-cao-tuan-{WEEK}.html"]

    # late changes recomputed into the KPI table (a backfill): a new version beside the issued one
    with db.connect(database_url) as conn:
        conn.execute(
            "UPDATE kpi.unit_kpi_weekly SET finished_on_time = 7, on_time_rate = 0.7,"
            " on_time_band = 'orange', overall_band = 'orange'"
            " WHERE period_start = %s AND unit_code = %s AND scope = 'unit'",
            (S.WEEK, S.D[0]),
        )
        conn.commit()
    v2 = _run(friday_report, database_url, WEEK)
    assert v2["version"].value == 2
    assert _path(v2, "html").name == f"bao-cao-tuan-{WEEK}-v2.html"
    assert (folder / f"bao-cao-tuan-{WEEK}.html").read_bytes() == issued
    manifest = json.loads((folder / "issued.json").read_text())
    assert [v["version"] for v in manifest["versions"]] == [1, 2]


def test_friday_report_follows_the_deployments_kpi_file(database_url, home, clock, tmp_path):
    """The report reads its targets and minimum volume from the `config_files` resource (the
    deployment's KPI_CONFIG_FILE), not from the packaged file."""
    with db.connect(database_url) as conn:
        S.load_weekly(conn)
        conn.commit()
    packaged = Path(kpi_config.DEFAULT_CONFIG_FILE).read_text(encoding="utf-8")
    assert "  dossiers: 5\n" in packaged
    own = tmp_path / "kpi.yaml"
    own.write_text(packaged.replace("  dossiers: 5\n", "  dossiers: 17\n"), encoding="utf-8")
    meta = _run(friday_report, database_url, WEEK, files={"kpi_file": str(own)})
    html = _path(meta, "html").read_text(encoding="utf-8")
    assert "dưới 17 hồ sơ" in html and "dưới 5 hồ sơ" not in html


def test_week_in_progress_gets_a_provisional_report(database_url, home, clock):
    with db.connect(database_url) as conn:
        S.load_weekly(conn)
        conn.commit()
    clock(at(2024, 6, 11, 17, 0))  # peak-month daily monitoring, Tuesday of the week
    meta = _run(friday_report, database_url, WEEK)
    assert meta["provisional"].value is True
    assert _path(meta, "html").name == f"bao-cao-tuan-{WEEK}-tam-tinh.html"
    assert "Số liệu tạm tính" in _path(meta, "html").read_text(encoding="utf-8")
    assert not (home / "reports" / "weekly" / WEEK / "issued.json").exists()


def test_a_backfill_range_writes_one_report_per_week(database_url, home, clock):
    with db.connect(database_url) as conn:
        S.load_weekly(conn)
        conn.commit()
    first = S.WEEKS[-2].isoformat()
    meta = _run(
        friday_report,
        database_url,
        tags={
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": WEEK,
        },
        partitions=2,
    )
    reports = meta["reports"].value
    assert [r["partition"] for r in reports] == [first, WEEK]
    for r in reports:
        assert Path(r["html"]).exists() and Path(r["png"]).exists()


def test_peak_month_report(database_url, home, clock):
    with db.connect(database_url) as conn:
        S.load_peak_months(conn)
        conn.commit()
    clock(at(2024, 7, 1, 6, 30))
    meta = _run(peak_month_report, database_url, "2024-06-01")
    folder = home / "reports" / "peak-month" / "2024-06"
    assert _path(meta, "html") == folder / "bao-cao-thang-cao-diem-2024-06.html"
    assert _path(meta, "xlsx").exists()
    assert meta["peak_month"].value is True
    assert meta["previous_peak_month"].value == "2024-03"
    assert meta["units_met_all"].value == 2
    assert "Báo cáo kết thúc tháng cao điểm Tháng 6/2024" in meta["preview"].value


def test_non_peak_month_records_that_there_is_nothing_to_report(database_url, home, clock):
    clock(at(2024, 6, 1, 6, 30))
    meta = _run(peak_month_report, database_url, "2024-05-01")
    assert meta["peak_month"].value is False
    assert "không phải tháng cao điểm" in meta["note"].value.lower()
    assert not (home / "reports").exists()
