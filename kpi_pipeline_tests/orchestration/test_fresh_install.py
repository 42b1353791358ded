"""A fresh install's first Friday run: the whole change history is synced first, so the
latest week's backlog of open, overdue dossiers is the portal's, not the last quarter's.

The simulator's "now" is today (a fresh install meets today's portal); its data is a pure
function of seed, scale and now, so the truth below is recounted from the same world.
"""

from datetime import datetime, timedelta

import pytest
from dagster import materialize

from kpi_pipeline.domain.calendar import TZ, latest_complete_week
from kpi_pipeline.ingestion.assets import ASSETS as INGESTION_ASSETS
from kpi_pipeline.kpis.assets import unit_kpi_weekly
from kpi_pipeline.partitions import weekly_partitions
from kpi_pipeline.staging.assets import ASSETS as STAGING_ASSETS
from kpi_pipeline.warehouse import db
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline_tests.conftest import make_portals
from kpi_pipeline_tests.file_resources import file_resources
from kpi_pipeline_tests.kpis.helpers import with_counts
from kpi_pipeline_tests.truth import Truth
from kpi_simulator import SimulatorConfig, SimulatorServer, World


@pytest.fixture(scope="module")
def today_portal():
    # a third of the demo volume keeps five years of history quick to sync
    config = SimulatorConfig.demo(now=datetime.now(TZ).replace(microsecond=0), scale=0.003)
    server = SimulatorServer(World(config), host="127.0.0.1", port=0)
    server.start()
    yield server, config
    server.stop()


def test_first_friday_run_syncs_the_history_and_counts_the_whole_backlog(
    today_portal, database_url
):
    server, config = today_portal
    week = latest_complete_week(config.now).isoformat()
    resources = {
        "warehouse": WarehouseResource(database_url=database_url),  # default history start
        **make_portals(server, config),
        **file_resources(),
    }
    weekly = [a for a in INGESTION_ASSETS + STAGING_ASSETS if a.partitions_def == weekly_partitions]
    reference = [a for a in INGESTION_ASSETS if a.partitions_def is None]
    # the Friday job's partition: one week; KPIs in a second run, as after the ingest run
    assert materialize([*reference, *weekly], resources=resources, partition_key=week).success
    kpis = with_counts([unit_kpi_weekly])
    assert materialize(kpis, resources=resources, partition_key=week).success

    window = weekly_partitions.time_window_for_partition_key(week)
    truth = Truth(server.world).counts(window.start, window.end)
    with db.connect(database_url) as conn:
        by_unit = dict(
            conn.execute(
                "SELECT unit_code, overdue_open FROM kpi.unit_kpi_weekly"
                " WHERE period_start = %s AND scope = 'unit'",
                (week,),
            ).fetchall()
        )
        (first_week,) = conn.execute(
            "SELECT min(partition_key) FROM raw.coverage WHERE source = 'provincial_dossiers'"
        ).fetchone()
        (received_before_the_quarter,) = conn.execute(
            "SELECT count(*) FROM staging.dossiers WHERE received_at < %s",
            (window.start - timedelta(weeks=13),),
        ).fetchone()
    assert first_week == "2021-12-31"  # the whole history, from the first partition
    assert received_before_the_quarter > 0
    # the units in force that week (a unit merged away earlier has no row, as the contract says)
    expected = {unit: truth.get(unit, {}).get("overdue_open", 0) for unit in by_unit}
    assert sum(expected.values()) > 50  # the backlog reaches far back: not a vacuous equality
    assert by_unit == expected
