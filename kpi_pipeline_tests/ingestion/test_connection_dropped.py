"""The warehouse connection dropped in the middle of a load (the loader's backend terminated
while it COPYs): the step retries and the tables equal a clean run's; with retries off the run
fails naming the warehouse, the published tables keep their previous state, a rerun completes.
"""

import threading
import time
import uuid

from kpi_pipeline.warehouse import db
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline_tests.conftest import make_portals
from kpi_simulator import FaultConfig

from .helpers import run_weeks, table

WEEK = "2024-03-01"
TABLES = {
    "raw.provincial_dossiers": "SELECT partition_key, payload FROM raw.provincial_dossiers",
    "raw.national_sync": "SELECT partition_key, payload FROM raw.national_sync",
    "raw.national_payments": "SELECT partition_key, payload FROM raw.national_payments",
    "staging.dossier_versions": "SELECT partition_key, ma_ho_so, status, updated_at"
    " FROM staging.dossier_versions",
    "staging.dossiers": "SELECT ma_ho_so, status, updated_at, unit_code FROM staging.dossiers",
    "staging.sync_records": "SELECT ma_ho_so, status FROM staging.sync_records",
    "staging.payments": "SELECT transaction_id, status FROM staging.payments",
}


def _snapshot(url):
    return {name: sorted(map(repr, table(url, sql))) for name, sql in TABLES.items()}


class BackendKiller(threading.Thread):
    """Terminates the backend that COPYs into raw.provincial_dossiers, `times` times."""

    def __init__(self, url: str, times: int = 1, timeout: float = 120):
        super().__init__(daemon=True)
        self.url, self.times, self.timeout = url, times, timeout
        self.killed: list[int] = []
        self.stop = threading.Event()

    def run(self):
        deadline = time.monotonic() + self.timeout
        with db.connect(self.url, autocommit=True) as conn:
            while len(self.killed) < self.times and not self.stop.is_set():
                if time.monotonic() > deadline:
                    return
                row = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND state = 'active' AND query LIKE 'COPY \"raw\".\"provincial_dossiers\"%%'"
                ).fetchone()
                if row and conn.execute("SELECT pg_terminate_backend(%s)", row).fetchone()[0]:
                    self.killed.append(row[0])
                time.sleep(0.05)


def _slow_portals(simulator, sim_config):
    # Small, slow pages: the COPY of the provincial dossiers stays open for a few seconds.
    simulator.set_faults(FaultConfig(slow=1.0, slow_seconds=0.2, paths=("/api/v1/hoso",)))
    return make_portals(simulator, sim_config, page_size=20)


def test_dropped_connection_retries_the_step_and_equals_a_clean_run(
    simulator, sim_config, resources, database_url, pg_server_url, template_database
):
    run_weeks(resources, WEEK, WEEK)
    clean = _snapshot(database_url)
    assert clean["raw.provincial_dossiers"] and clean["staging.dossiers"]

    name = f"kpi_test_{uuid.uuid4().hex[:10]}"
    other = db.create_database(pg_server_url, name, template=template_database)
    try:
        warehouse = WarehouseResource(database_url=other, reconnect_wait_seconds=0.5)
        killer = BackendKiller(other, times=1)
        killer.start()
        try:
            result = run_weeks(
                {"warehouse": warehouse, **_slow_portals(simulator, sim_config)}, WEEK, WEEK
            )
        finally:
            simulator.set_faults(FaultConfig())
            killer.stop.set()
            killer.join(10)
        assert len(killer.killed) == 1, "the COPY was never caught in flight"
        assert result.success
        retried = [
            e.step_key for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"
        ]
        assert retried == ["raw__provincial_dossiers"]
        assert _snapshot(other) == clean
    finally:
        db.drop_database(pg_server_url, name)


def test_dropped_connection_without_retries_fails_cleanly_and_a_rerun_completes(
    simulator, sim_config, resources, database_url
):
    run_weeks(resources, WEEK, WEEK)
    before = _snapshot(database_url)

    no_retry = WarehouseResource(database_url=database_url, reconnect_retries=0)
    killer = BackendKiller(database_url, times=1)
    killer.start()
    try:
        result = run_weeks(
            {"warehouse": no_retry, **_slow_portals(simulator, sim_config)},
            WEEK,
            WEEK,
            raise_on_error=False,
        )
    finally:
        simulator.set_faults(FaultConfig())
        killer.stop.set()
        killer.join(10)
    assert len(killer.killed) == 1
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert failure.step_key == "raw__provincial_dossiers"
    message = failure.event_specific_data.error.to_string()
    assert "lost the warehouse connection" in message
    assert _snapshot(database_url) == before  # nothing half-published

    run_weeks(resources, WEEK, WEEK)
    assert _snapshot(database_url) == before
