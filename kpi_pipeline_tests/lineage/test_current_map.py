"""KPIs on today's map, end to end: the simulator across the reform, real Dagster runs."""

from __future__ import annotations

from datetime import datetime

import pytest
from dagster import materialize

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.kpis.assets import unit_kpi_monthly, unit_kpi_weekly
from kpi_pipeline.lineage.assets import (
    ref_unit_lineage,
    unit_kpi_monthly_current_map,
    unit_kpi_weekly_current_map,
)
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline_tests.conftest import make_portals
from kpi_pipeline_tests.file_resources import file_resources
from kpi_pipeline_tests.ingestion.helpers import run_weeks, table, with_history_from
from kpi_pipeline_tests.kpis.helpers import COUNTS, with_counts
from kpi_simulator import SimulatorConfig, SimulatorServer, World

FIRST, LAST = "2025-06-13", "2025-07-11"  # five Friday weeks; 2025-06-27 spans the reform
NOW = datetime(2025, 8, 20, 10, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def reform_sim():
    config = SimulatorConfig.demo(now=NOW, province_code="49")
    with SimulatorServer(World(config)) as server:
        yield server, config


@pytest.fixture(scope="module")
def loaded(reform_sim, pg_server_url, template_database):
    import uuid

    from kpi_pipeline.warehouse import db

    server, config = reform_sim
    name = f"kpi_test_{uuid.uuid4().hex[:10]}"
    url = db.create_database(pg_server_url, name, template=template_database)
    resources = {
        "warehouse": WarehouseResource(database_url=url),
        **make_portals(server, config),
        **file_resources(),
    }
    resources = with_history_from(resources, FIRST)  # the KPIs need the history from FIRST on
    run_weeks(resources, FIRST, LAST)
    warehouse = {"warehouse": resources["warehouse"], **file_resources()}
    materialize([ref_unit_lineage], resources=warehouse)
    weekly = with_counts([unit_kpi_weekly, unit_kpi_weekly_current_map])
    tags = {
        "dagster/asset_partition_range_start": FIRST,
        "dagster/asset_partition_range_end": LAST,
    }
    assert materialize(weekly, resources=warehouse, tags=tags).success
    assert materialize(
        with_counts([unit_kpi_monthly, unit_kpi_monthly_current_map]),
        resources=warehouse,
        partition_key="2025-07-01",
    ).success
    yield url
    db.drop_database(pg_server_url, name)


def _totals(url: str, table_name: str, where: str) -> dict:
    sums = ", ".join(f"sum({c})" for c in COUNTS)
    rows = table(
        url,
        f"SELECT period_start, {sums} FROM kpi.{table_name} WHERE {where} GROUP BY 1 ORDER BY 1",
    )
    return {r[0]: r[1:] for r in rows}


@pytest.mark.parametrize("grain", ["weekly", "monthly"])
def test_province_total_on_todays_map_equals_the_total_as_it_was(loaded, grain):
    as_was_units = _totals(loaded, f"unit_kpi_{grain}", "scope = 'unit'")
    as_was_roots = _totals(loaded, f"unit_kpi_{grain}", "scope = 'rollup' AND parent_code IS NULL")
    today = _totals(
        loaded, f"unit_kpi_{grain}_current_map", "scope = 'rollup' AND parent_code IS NULL"
    )
    today_units = _totals(loaded, f"unit_kpi_{grain}_current_map", "scope = 'unit'")
    assert len(today) == (5 if grain == "weekly" else 1)
    assert all(t[0] > 50 for t in today.values())  # dossiers received each period
    assert today == as_was_roots, (today, as_was_roots)  # none lost, none doubled
    assert today_units == today  # every dossier at one unit of today's map
    # As it was, the unit rows cover the units in force in the period: a dossier received by a
    # Quảng Nam unit in June and finished in July counts in July only in the province roll-up.
    for period, counts in as_was_units.items():
        assert all(a <= b for a, b in zip(counts, as_was_roots[period], strict=True))


def test_todays_map_has_todays_units_in_every_period(loaded):
    rows = table(
        loaded,
        "SELECT period_start, unit_level, count(*) FROM kpi.unit_kpi_weekly_current_map"
        " WHERE scope = 'unit' GROUP BY 1, 2 ORDER BY 1, 2",
    )
    per_period: dict = {}
    for period, level, n in rows:
        per_period.setdefault(period, {})[level] = n
    assert len(per_period) == 5
    assert all(levels == {"TINH": 1, "SO_NGANH": 15, "XA": 94} for levels in per_period.values())
    # as it was: a June week has Quảng Nam's districts, a July week none
    as_was = dict(
        table(
            loaded,
            "SELECT period_start, count(*) FILTER (WHERE unit_level = 'HUYEN')"
            " FROM kpi.unit_kpi_weekly WHERE scope = 'unit' GROUP BY 1",
        )
    )
    assert as_was[min(as_was)] == 17 and as_was[max(as_was)] == 0


def test_partial_lineage_is_flagged(loaded):
    june = table(
        loaded,
        "SELECT count(*) FILTER (WHERE lineage_partial), count(*) FILTER (WHERE NOT lineage_partial)"
        " FROM kpi.unit_kpi_weekly_current_map"
        f" WHERE period_start = '{FIRST}'::date AND scope = 'unit' AND received > 0",
    )[0]
    assert june[0] > 0 and june[1] > 0  # split districts' desks land on default successors
    lineage = table(loaded, "SELECT share, count(*) FROM ref.unit_lineage GROUP BY 1 ORDER BY 1")
    assert dict(lineage).keys() == {"part", "whole"}
