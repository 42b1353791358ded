"""Reports follow the structure in force in their week: new Đà Nẵng (48) in 2024 and 2026."""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime

import openpyxl
import pytest
from dagster import materialize

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.kpis.assets import unit_kpi_monthly, unit_kpi_weekly
from kpi_pipeline.lineage.assets import (
    ref_unit_lineage,
    unit_kpi_monthly_current_map,
    unit_kpi_weekly_current_map,
)
from kpi_pipeline.reports import labels as L
from kpi_pipeline.reports.queries import peak_month_report_data, weekly_report_data
from kpi_pipeline.reports.render import peak_month_markdown
from kpi_pipeline.reports.render_html import peak_month_html, weekly_html
from kpi_pipeline.reports.render_xlsx import peak_month_xlsx, weekly_xlsx
from kpi_pipeline.warehouse import db
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline_tests.conftest import make_portals
from kpi_pipeline_tests.file_resources import file_resources
from kpi_pipeline_tests.ingestion.helpers import run_weeks, with_history_from
from kpi_pipeline_tests.kpis.helpers import with_counts
from kpi_simulator import SimulatorConfig, SimulatorServer, World

NOW = datetime(2026, 3, 20, 10, 30, tzinfo=TZ)
OLD_WEEK, NEW_WEEK, CROSSING = "2024-03-01", "2026-03-06", "2025-07-11"
PEAK_MONTHS = ("2025-06-01", "2025-09-01")  # the peak months either side of the reform


@pytest.fixture(scope="module")
def warehouse_48(pg_server_url, template_database):
    config = SimulatorConfig.demo(now=NOW, province_code="48")
    name = f"kpi_test_{uuid.uuid4().hex[:10]}"
    url = db.create_database(pg_server_url, name, template=template_database)
    with SimulatorServer(World(config)) as server:
        resources = {
            "warehouse": WarehouseResource(database_url=url),
            **make_portals(server, config),
        }
        # one pull from the oldest week reads every window through the simulator's now, so
        # the history the KPIs need is complete for all four weeks
        resources = with_history_from(resources, OLD_WEEK)
        run_weeks(resources, OLD_WEEK, OLD_WEEK)
    warehouse = {"warehouse": resources["warehouse"], **file_resources()}
    materialize([ref_unit_lineage], resources=warehouse)
    for week in (OLD_WEEK, "2025-06-13", CROSSING, NEW_WEEK):
        kpis = with_counts([unit_kpi_weekly, unit_kpi_weekly_current_map])
        assert materialize(kpis, resources=warehouse, partition_key=week).success
    for month in PEAK_MONTHS:
        kpis = with_counts([unit_kpi_monthly, unit_kpi_monthly_current_map])
        assert materialize(kpis, resources=warehouse, partition_key=month).success
    yield url
    db.drop_database(pg_server_url, name)


def _report(url: str, week: str):
    with db.connect(url) as conn:
        data = weekly_report_data(
            conn, date.fromisoformat(week), generated_at=NOW, province_code="48"
        )
    return data, weekly_html(data, b"\x89PNG")


def test_a_2026_week_is_new_da_nang_in_two_tiers(warehouse_48):
    data, html = _report(warehouse_48, NEW_WEEK)
    assert data.province_name == "thành phố Đà Nẵng" and data.two_tier
    assert "Ủy ban nhân dân thành phố Đà Nẵng" in html and "Quảng Nam" not in html
    assert "Chỉ số chính toàn thành phố" in html
    assert not any(u.unit_level == "HUYEN" for u in data.units)  # no district section
    assert "Cấp huyện" not in html and "huyện" not in html.split('id="map-section"')[1][:800]
    communes = [u for u in data.units if u.unit_level == "XA"]
    assert len(communes) == 94
    # every unit in force on the map, from the package's current structure
    assert len(data.map.points) == 94
    assert {u.unit_level for u in data.map.unplaced} == {"SO_NGANH"}
    assert not data.trend_on_current_map  # its 12 weeks are all after the reform


def test_a_2024_week_keeps_its_districts_and_both_legacy_systems(warehouse_48):
    data, html = _report(warehouse_48, OLD_WEEK)
    assert not data.two_tier
    districts = [u for u in data.units if u.unit_level == "HUYEN"]
    assert len(districts) == 18 + 8  # Quảng Nam's (Nông Sơn still there) and old Đà Nẵng's
    assert "Cấp huyện" in html and "Bản đồ xếp loại các huyện, xã" in html
    placed = {p.unit_level for p in data.map.points}
    assert placed == {"HUYEN", "XA"}
    # the units the package cannot place: Nông Sơn (519) and commune-less Hoàng Sa's seat
    # is placed (at the city centre, the package's point); departments have no territory
    unplaced = {
        (u.unit_level, u.unit_name) for u in data.map.unplaced if u.unit_level != "SO_NGANH"
    }
    assert ("HUYEN", "Huyện Nông Sơn") in unplaced


def test_a_trend_across_the_reform_is_on_todays_map_and_says_so(warehouse_48):
    data, html = _report(warehouse_48, CROSSING)
    assert data.trend_on_current_map and 'id="trend-current-map"' in html
    assert L.TREND_ON_CURRENT_MAP in html
    # the workbook says so under its trend table too (the trend's own sheet, with its chart)
    trend = openpyxl.load_workbook(io.BytesIO(weekly_xlsx(data)))["Xu hướng"]
    assert L.TREND_ON_CURRENT_MAP in [c.value for row in trend.iter_rows() for c in row]
    june = next(p for p in data.trend if p.week_start == date(2025, 6, 13))
    assert june.on_time_rate is not None  # a pre-reform week, on the new city's map
    with db.connect(warehouse_48) as conn:
        rate = conn.execute(
            "SELECT on_time_rate FROM kpi.unit_kpi_weekly_current_map"
            " WHERE period_start = '2025-06-13' AND scope = 'rollup' AND parent_code IS NULL"
        ).fetchone()[0]
    assert june.on_time_rate == pytest.approx(float(rate))


def test_a_peak_month_comparison_across_the_reform_is_on_todays_map_and_says_so(warehouse_48):
    with db.connect(warehouse_48) as conn:
        data = peak_month_report_data(conn, date(2025, 9, 1), generated_at=NOW, province_code="48")
        as_was, on_today = (
            conn.execute(
                "SELECT sum(online_eligible) FILTER (WHERE scope = 'rollup' AND parent_code IS NULL),"
                " count(*) FILTER (WHERE scope = 'unit' AND unit_level = 'HUYEN')"
                f" FROM {table} WHERE period_start = '2025-06-01'"
            ).fetchone()
            for table in ("kpi.unit_kpi_monthly", "kpi.unit_kpi_monthly_current_map")
        )
    assert data.comparison_on_current_map
    # June 2025 as it was had two legacy provinces and their districts; on today's map one
    # city of communes, and the same dossiers (none lost or doubled by the lineage)
    assert as_was[1] > 0 and on_today[1] == 0
    assert data.previous_province is not None
    assert data.previous_province.online_eligible == on_today[0]
    # every commune of September 2025 finds its June figures through the lineage
    communes = [r for r in data.units if r.current.unit_level == "XA"]
    assert len(communes) == 94 and all(r.previous is not None for r in communes)
    html = peak_month_html(data)
    assert 'id="comparison-current-map"' in html and L.COMPARISON_ON_CURRENT_MAP in html
    summary = openpyxl.load_workbook(io.BytesIO(peak_month_xlsx(data))).worksheets[0]
    assert L.COMPARISON_ON_CURRENT_MAP in [c.value for row in summary.iter_rows() for c in row]
    assert L.COMPARISON_ON_CURRENT_MAP in peak_month_markdown(data)
    # a comparison on one side of the reform stays as it was
    with db.connect(warehouse_48) as conn:
        june = peak_month_report_data(conn, date(2025, 6, 1), generated_at=NOW, province_code="48")
    assert not june.comparison_on_current_map
    assert L.COMPARISON_ON_CURRENT_MAP not in peak_month_html(june)
