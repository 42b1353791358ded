"""A run whose process died is marked failed, and the province's queue moves on.

Real parts: a Dagster instance on PostgreSQL configured by the project's own `dagster.yaml`
(QueuedRunCoordinator, `kpi/province` limit 1, run monitoring; only the storage URL and the
poll intervals are the test's), `dagster-daemon run` as a subprocess launching runs on its own
code server, runs submitted through the GraphQL API the UI uses, and a run worker killed with
SIGKILL in the middle of its step.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus
from dagster_graphql.test.utils import define_out_of_process_context, execute_dagster_graphql

from kpi_pipeline import settings
from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.instance_tables import create_instance_tables
from kpi_pipeline_tests.processes import start_logged, stop_group

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on PythonError { message }
  }
}
"""
WAIT = 120  # seconds; the test's poll intervals are 1-2 s


@pytest.fixture
def home(tmp_path, pg_server_url) -> Path:
    """DAGSTER_HOME: the project's dagster.yaml on a fresh storage database, short intervals."""
    name = f"dagster_monitor_{uuid.uuid4().hex[:10]}"
    url = db.create_database(pg_server_url, name)
    config = yaml.safe_load((settings.PROJECT_ROOT / "dagster.yaml").read_text(encoding="utf-8"))
    assert config["run_monitoring"]["enabled"] is True
    config["storage"]["postgres"]["postgres_url"] = db.dagster_storage_url(url)
    config["run_monitoring"]["poll_interval_seconds"] = 2
    config["run_coordinator"]["config"] = {"dequeue_interval_seconds": 1}
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    create_instance_tables(home)
    yield home
    db.drop_database(pg_server_url, name)


def _workspace(tmp_path: Path) -> Path:
    path = tmp_path / "workspace.yaml"
    location = Path(__file__).with_name("held_location.py")
    path.write_text(
        yaml.safe_dump(
            {
                "load_from": [
                    {
                        "python_file": {
                            "relative_path": str(location),
                            "location_name": "held",
                            "working_directory": str(settings.PROJECT_ROOT),
                        }
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    return path


def _launch(request, count: int) -> list[str]:
    params = {
        "selector": {
            "repositoryLocationName": "held",
            "repositoryName": "__repository__",
            "jobName": "province_run",
        },
        "mode": "default",
    }
    ids = []
    for _ in range(count):
        data = execute_dagster_graphql(request, LAUNCH, {"params": params}).data["launchRun"]
        assert data["__typename"] == "LaunchRunSuccess", data
        assert data["run"]["status"] == "QUEUED"
        ids.append(data["run"]["runId"])
    return ids


def _wait_for(what: str, predicate, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def _worker_pid(instance: DagsterInstance, run_id: str) -> int | None:
    """The run worker's process: the one that reported RUN_START."""
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.RUN_START).records
    return records[0].event_log_entry.dagster_event.pid if records else None


def _status(instance: DagsterInstance, run_id: str) -> DagsterRunStatus:
    return instance.get_run_by_id(run_id).status


def test_a_killed_run_fails_and_the_next_run_of_the_province_starts(tmp_path, home, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    workspace = _workspace(tmp_path)
    env = {**os.environ, "DAGSTER_HOME": str(home), "KPI_AUTOMATION": "off"}
    daemon_bin = str(Path(sys.executable).with_name("dagster-daemon"))
    log = tmp_path / "daemon.log"
    daemon = start_logged([daemon_bin, "run", "-w", str(workspace)], env, log)
    workers: list[int] = []
    try:
        with (
            DagsterInstance.from_config(str(home)) as instance,
            define_out_of_process_context(str(workspace), None, instance) as ctx,
        ):
            assert instance.run_monitoring_enabled  # the project's dagster.yaml, as loaded
            assert instance.run_monitoring_settings["max_resume_run_attempts"] == 0
            first, second = _launch(ctx, 2)

            pid = _wait_for("the first run's worker started", lambda: _worker_pid(instance, first))
            workers.append(pid)
            # the worker's pid is logged just before the run reads STARTED: wait for it
            _wait_for(
                "the first run STARTED",
                lambda: _status(instance, first) == DagsterRunStatus.STARTED,
            )
            assert _status(instance, second) == DagsterRunStatus.QUEUED  # kpi/province limit 1

            os.kill(pid, signal.SIGKILL)

            _wait_for(
                "the killed run marked FAILURE",
                lambda: _status(instance, first) == DagsterRunStatus.FAILURE,
            )
            workers.append(
                _wait_for("the second run started", lambda: _worker_pid(instance, second))
            )
            _wait_for(
                "the second run STARTED",
                lambda: _status(instance, second) == DagsterRunStatus.STARTED,
            )
            messages = [e.message or "" for e in instance.all_logs(first)]
            assert any(f"Run execution process for {first}" in m for m in messages), messages
    except AssertionError:
        print(log.read_text(errors="replace")[-5000:])
        raise
    finally:
        for pid in workers[1:]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        stop_group(daemon, grace=20)
