"""Steps of a real pipeline run on Celery workers in other processes (dagster-celery, Redis).

Two `dagster-celery worker start` processes listen on a queue of their own; the weekly
ingestion job of one week runs as `dagster job execute` (the run worker) with
`KPI_CELERY_BROKER_URL` set, so `kpi_pipeline.definitions` gives its jobs the celery executor.
Every step must run in a worker process (neither this test nor the run process), both workers
must take steps, and the tables must equal the simulator's truth. The workers have a KPI_HOME
of their own (another machine's disk); the checks' Data Docs must land in the artifact store
all processes share (`KPI_ARTIFACT_ROOT`), each check's metadata naming its place there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import psutil
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus

from kpi_pipeline import settings
from kpi_pipeline.quality.suites import SUITES
from kpi_pipeline_tests.ingestion.helpers import STAGED_DOSSIER_COLUMNS, table, truth_row, window
from kpi_pipeline_tests.processes import start_logged, stop_group

WEEK = "2024-03-01"
# A check's step key is its asset key joined by "__", then "_" and the check name.
CHECK_STEPS = {"__".join(s.asset) + "_" + s.check for s in SUITES}
WORKERS = 2
WORKER_CONFIG = settings.PROJECT_ROOT / "deploy" / "celery_worker.yaml"


def _env(home: Path, database_url, simulator, redis_url, queue, shared: Path) -> dict:
    bin_dir = str(Path(sys.executable).parent)
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("KPI_", "DAGSTER_"))},
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "PYTHONPATH": str(settings.PROJECT_ROOT),
        "DAGSTER_HOME": str(home),
        "KPI_HOME": str(home.parent / "kpi"),
        "KPI_DATABASE_URL": database_url,
        "KPI_CELERY_BROKER_URL": redis_url,
        "KPI_CELERY_QUEUE": queue,
        settings.KPI_ARTIFACT_ROOT: str(shared),
        # the change history starts at the week, so the pull reads it through the week in
        # progress and nothing before it (domain/history.py)
        "KPI_HISTORY_START": WEEK,
        **simulator.portal_env(),
    }


def _start_worker(env: dict, queue: str, name: str, log: Path) -> subprocess.Popen:
    cmd = [
        str(Path(sys.executable).parent / "dagster-celery"), "worker", "start",
        "-A", "dagster_celery.app", "-y", str(WORKER_CONFIG), "-q", queue, "-n", name,
        "--loglevel", "INFO", "--", "--concurrency=1",
    ]  # fmt: skip
    return start_logged(cmd, env, log)


def _wait_for_workers(redis_url: str, names: list[str], procs, logs, timeout: float = 90) -> None:
    from dagster_celery.make_app import make_app

    app = make_app({"broker": redis_url, "backend": redis_url})
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while time.monotonic() < deadline:
        for proc, log in zip(procs, logs, strict=True):
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        replies = app.control.inspect(timeout=1.0).ping() or {}
        seen = {n.split("@")[0] for n in replies}
        if set(names) <= seen:
            return
    raise AssertionError(f"workers {names} not ready in {timeout}s (seen {sorted(seen)})")


def _pids_under(procs) -> set[int]:
    pids = set()
    for proc in procs:
        try:
            parent = psutil.Process(proc.pid)
            pids |= {parent.pid} | {c.pid for c in parent.children(recursive=True)}
        except psutil.NoSuchProcess:
            pass
    return pids


def test_steps_run_on_celery_workers_and_tables_match_the_truth(
    tmp_path, dagster_home, database_url, simulator, redis_url
):
    t0 = time.monotonic()
    queue = f"kpi-test-{uuid.uuid4().hex[:8]}"
    shared = tmp_path / "shared-artifacts"
    env = _env(dagster_home, database_url, simulator, redis_url, queue, shared)
    worker_env = {**env, settings.KPI_HOME: str(tmp_path / "worker-kpi-home")}
    names = [f"kpi-test-worker-{i}-{uuid.uuid4().hex[:6]}" for i in range(WORKERS)]
    logs = [tmp_path / f"{n}.log" for n in names]
    workers = [_start_worker(worker_env, queue, n, log) for n, log in zip(names, logs, strict=True)]
    try:
        _wait_for_workers(redis_url, names, workers, logs)
        worker_pids = _pids_under(workers)
        ready = time.monotonic()

        # fmt: off
        cmd = [
            sys.executable, "-m", "dagster", "job", "execute",
            "-m", "kpi_pipeline.definitions", "-j", "weekly_ingest_job",
            "--tags", json.dumps({"dagster/partition": WEEK}),
        ]
        # fmt: on
        run = subprocess.run(
            cmd,
            env=env,
            cwd=settings.PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        ran = time.monotonic()
        worker_pids |= _pids_under(workers)
    finally:
        for proc in workers:
            stop_group(proc)
    output = run.stdout[-4000:] + run.stderr[-4000:]
    worker_logs = "\n".join(log.read_text(errors="replace")[-2000:] for log in logs)
    assert run.returncode == 0, output + worker_logs

    with DagsterInstance.from_config(str(dagster_home)) as instance:
        (record,) = instance.get_run_records()
        dagster_run = record.dagster_run
        assert dagster_run.status == DagsterRunStatus.SUCCESS
        assert dagster_run.job_name == "weekly_ingest_job"
        events = [
            e.dagster_event for e in instance.all_logs(dagster_run.run_id) if e.is_dagster_event
        ]
    run_pid = next(e.pid for e in events if e.event_type == DagsterEventType.RUN_START)
    step_pids = {e.step_key: e.pid for e in events if e.event_type == DagsterEventType.STEP_SUCCESS}
    steps_started = {e.step_key for e in events if e.event_type == DagsterEventType.STEP_START}
    # 10 asset steps (ref/unit_lineage among them) and the 8 GX checks on raw, staging and
    # reference data.
    check_steps = set(step_pids) & CHECK_STEPS
    assert set(step_pids) == steps_started, sorted(step_pids)
    assert (len(step_pids) - len(check_steps), len(check_steps)) == (10, 8), sorted(step_pids)
    assert run_pid != os.getpid()
    assert all(pid not in (os.getpid(), run_pid) for pid in step_pids.values()), step_pids
    assert set(step_pids.values()) <= worker_pids, (step_pids, worker_pids)
    assert len(set(step_pids.values())) == WORKERS, step_pids  # both workers took steps
    in_worker = [
        e
        for e in events
        if e.event_type == DagsterEventType.ENGINE_EVENT and "in celery worker" in (e.message or "")
    ]
    assert {e.step_key for e in in_worker} == set(step_pids)

    # Data Docs of every check, in the shared store; none on either process's own disk.
    evaluations = [
        e.event_specific_data
        for e in events
        if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION
    ]
    assert len(evaluations) == len(check_steps)
    for evaluation in evaluations:
        where = evaluation.metadata["data_docs"].value
        assert Path(where).is_relative_to(shared / "gx_docs" / dagster_run.run_id), where
        assert Path(where).is_file(), where
    for home in (Path(env[settings.KPI_HOME]), Path(worker_env[settings.KPI_HOME])):
        assert not (home / "gx_docs").exists(), home

    # The tables are right: the dossiers changed from the week on, as the simulator holds them.
    start, _ = window(WEEK, WEEK)
    end = simulator.world.config.now + timedelta(seconds=1)
    truth = sorted(truth_row(i) for i in simulator.world.dossiers_changed(start, end))
    staged = sorted(table(database_url, f"SELECT {STAGED_DOSSIER_COLUMNS} FROM staging.dossiers"))
    assert truth and staged == truth
    assert table(database_url, "SELECT count(*) FROM ref.units")[0][0] > 0
    print(
        f"celery: workers ready in {ready - t0:.1f}s, run {ran - ready:.1f}s, "
        f"{len(step_pids)} steps over worker pids {sorted(set(step_pids.values()))}"
    )
