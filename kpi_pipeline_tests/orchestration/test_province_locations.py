"""One code location per province, sharing one Dagster instance (docs/SCALING.md).

Two `dagster api grpc` code servers load `kpi_pipeline.definitions`, each with its own settings
(warehouse database, portals, `KPI_ASSET_KEY_PREFIX`), listed in one workspace file as
production lists its user-code deployments. `dagster job launch` (a process with none of those
settings) launches the weekly ingestion in each location; the code server starts the run, so
the run gets its location's settings. The two locations are two provinces: Quảng Nam (49) and
Huế (46), each from its own simulator (the package's units, each at its own volume): each
location pulls its own portals, with its own province code, into its own warehouse under its
own asset keys in the shared instance.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance, DagsterRunStatus

from kpi_pipeline import settings
from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.orchestration.locations import with_key_prefix
from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.conftest import SIM_NOW
from kpi_pipeline_tests.ingestion.helpers import STAGED_DOSSIER_COLUMNS, table, truth_row, window
from kpi_pipeline_tests.processes import start_logged, stop_group

WEEK = "2024-03-01"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_prefix_keeps_each_location_to_its_own_keys():
    from kpi_pipeline.definitions import ALL_ASSETS

    a, _ = with_key_prefix(ALL_ASSETS, "p49")
    b, _ = with_key_prefix(ALL_ASSETS, "p48")
    keys_a = {k for x in a for k in x.keys}
    keys_b = {k for x in b for k in x.keys}
    assert len(keys_a) == len(keys_b) == len({k for x in ALL_ASSETS for k in x.keys})
    assert not keys_a & keys_b
    for assets, prefix in ((a, "p49"), (b, "p48")):
        for x in assets:
            for deps in x.asset_deps.values():
                assert all(d.path[0] == prefix for d in deps), (x.keys, deps)
    assert [x.op.name for x in a] == [x.op.name for x in ALL_ASSETS]  # same step keys


def test_province_code_reaches_the_portals_and_the_run_tags(monkeypatch):
    from kpi_pipeline.orchestration.jobs import build_jobs
    from kpi_pipeline.resources import build_resources

    monkeypatch.setenv(settings.KPI_PROVINCE_CODE, "48")
    resources = build_resources()
    assert resources["national_portal"].province_code == "48"
    jobs = build_jobs([], province=settings.province_code())
    assert all(job.tags["kpi/province"] == "48" for job in jobs.values())


class CodeServer:
    def __init__(self, name: str, env: dict, log: Path):
        self.name, self.port = name, _free_port()
        self.log = log
        # fmt: off
        cmd = [
            sys.executable, "-m", "dagster", "api", "grpc",
            "-m", "kpi_pipeline.definitions", "-d", str(settings.PROJECT_ROOT),
            "-h", "127.0.0.1", "-p", str(self.port), "--location-name", name,
        ]
        # fmt: on
        self.proc = start_logged(cmd, env, log)

    def wait_ready(self, deadline: float) -> None:
        """`dagster api grpc` loads the definitions before it binds its port: listening is
        ready."""
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text(errors="replace")[-3000:]
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.5)
        raise AssertionError(f"code server {self.name} not ready")

    def stop(self) -> None:
        stop_group(self.proc)


@pytest.fixture
def second_simulator():
    """A second province's portal pair: Huế (46), its own units, volume and seed."""
    from kpi_simulator import SimulatorConfig, SimulatorServer, World

    config = SimulatorConfig.demo(
        now=datetime(*SIM_NOW, tzinfo=TZ),
        seed=46,
        province_code="46",
        provincial_credentials=("other-prov", "other-prov-secret"),
        national_credentials=("other-nat", "other-nat-secret"),
    )
    server = SimulatorServer(World(config), host="127.0.0.1", port=0)
    server.start()
    yield server, config
    server.stop()


def _location_env(home, database_url, server, config, prefix) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("KPI_", "DAGSTER_"))},
        "PYTHONPATH": str(settings.PROJECT_ROOT),
        "DAGSTER_HOME": str(home),
        "KPI_HOME": str(home.parent / f"kpi-{prefix}"),
        "KPI_DATABASE_URL": database_url,
        "KPI_PROVINCE_CODE": config.province_code,
        "KPI_ASSET_KEY_PREFIX": prefix,
        "KPI_HISTORY_START": WEEK,  # the pull reads the week through the week in progress
        **server.portal_env(),
    }


def _truth(server) -> list:
    start, _ = window(WEEK, WEEK)
    end = server.world.config.now + timedelta(seconds=1)
    return sorted(truth_row(i) for i in server.world.dossiers_changed(start, end))


def test_two_province_locations_run_into_their_own_warehouses(
    tmp_path,
    dagster_home,
    database_url,
    pg_server_url,
    template_database,
    simulator,
    sim_config,
    second_simulator,
):
    other_server, other_config = second_simulator
    other_name = f"kpi_test_{uuid.uuid4().hex[:10]}"
    other_db = db.create_database(pg_server_url, other_name, template=template_database)
    locations = {
        "kpi_p49": ("p49", database_url, simulator, sim_config),
        "kpi_p46": ("p46", other_db, other_server, other_config),
    }
    servers = [
        CodeServer(
            name, _location_env(dagster_home, url, srv, cfg, prefix), tmp_path / f"{name}.log"
        )
        for name, (prefix, url, srv, cfg) in locations.items()
    ]
    try:
        t0 = time.monotonic()
        deadline = t0 + 120
        for server in servers:
            server.wait_ready(deadline)
        t_ready = time.monotonic()
        workspace = tmp_path / "workspace.yaml"
        workspace.write_text(
            "load_from:\n"
            + "".join(
                f"  - grpc_server:\n      host: 127.0.0.1\n      port: {s.port}\n"
                f"      location_name: {s.name}\n"
                for s in servers
            ),
            encoding="utf-8",
        )
        # The launching process knows the instance, not the provinces' settings.
        launcher_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("KPI_", "DAGSTER_"))},
            "DAGSTER_HOME": str(dagster_home),
        }
        for server in servers:
            # fmt: off
            cmd = [
                sys.executable, "-m", "dagster", "job", "launch",
                "-w", str(workspace), "-l", server.name, "-j", "weekly_ingest_job",
                "--tags", json.dumps({"dagster/partition": WEEK}),
                # Steps run in the run process (the default executor); the celery test covers
                # steps elsewhere.
            ]
            # fmt: on
            launched = subprocess.run(
                cmd,
                env=launcher_env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert launched.returncode == 0, launched.stdout[-3000:] + launched.stderr[-3000:]

        with DagsterInstance.from_config(str(dagster_home)) as instance:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                records = instance.get_run_records()
                if len(records) == 2 and all(r.dagster_run.is_finished for r in records):
                    break
                time.sleep(1)
            print(
                f"code servers ready in {t_ready - t0:.1f}s, runs done {time.monotonic() - t_ready:.1f}s later"
            )
            runs = {r.dagster_run.remote_job_origin.location_name: r.dagster_run for r in records}
            assert set(runs) == set(locations)
            for name, run in runs.items():
                assert run.status == DagsterRunStatus.SUCCESS, (name, _logs(tmp_path))
                assert run.tags["kpi/province"] == name.removeprefix("kpi_p")
            for prefix in ("p49", "p46"):
                key = AssetKey([prefix, "staging", "dossiers"])
                assert instance.get_latest_materialization_event(key) is not None, prefix
            assert (
                instance.get_latest_materialization_event(AssetKey(["staging", "dossiers"])) is None
            )
    finally:
        for server in servers:
            server.stop()

    try:
        truth_a, truth_b = _truth(simulator), _truth(other_server)
        assert truth_a and truth_b and truth_a != truth_b
        sql = f"SELECT {STAGED_DOSSIER_COLUMNS} FROM staging.dossiers"
        assert sorted(table(database_url, sql)) == truth_a
        assert sorted(table(other_db, sql)) == truth_b
        assert len(truth_b) < len(truth_a)  # Huế is smaller than Quảng Nam
        province = "SELECT unit_name FROM ref.units WHERE unit_level = 'TINH' AND valid_from < '2025-07-01'"
        assert table(database_url, province) == [("UBND tỉnh Quảng Nam",)]
        assert table(other_db, province) == [("UBND thành phố Huế",)]
    finally:
        db.drop_database(pg_server_url, other_name)


def _logs(tmp_path: Path) -> str:
    return "\n".join(p.read_text(errors="replace")[-1500:] for p in tmp_path.glob("*.log"))
