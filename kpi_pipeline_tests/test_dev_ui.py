"""`kpi-pipeline dev` starts the Dagster webserver on the embedded default and loads the code."""

import os
import signal
import socket
import subprocess
import sys
import time

import requests

QUERY = """{ workspaceOrError { __typename ... on Workspace { locationEntries {
  name loadStatus locationOrLoadError { __typename ... on PythonError { message }
  ... on RepositoryLocation { repositories { name jobs { name } schedules { name } } } } } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dev_loads_the_code_location(tmp_path):
    port = _free_port()
    env = {**os.environ, "KPI_HOME": str(tmp_path / "kpi")}
    env.pop("DAGSTER_HOME", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kpi_pipeline.cli", "dev", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        entry = None
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")[-3000:]
            try:
                r = requests.post(
                    f"http://127.0.0.1:{port}/graphql", json={"query": QUERY}, timeout=5
                )
                entries = r.json()["data"]["workspaceOrError"]["locationEntries"]
                entry = entries[0] if entries else None
                if entry and entry["loadStatus"] == "LOADED":
                    break
            except (requests.ConnectionError, requests.Timeout, KeyError, TypeError, ValueError):
                pass
            time.sleep(1)
        assert entry is not None and entry["name"] == "kpi_pipeline"
        location = entry["locationOrLoadError"]
        assert location["__typename"] == "RepositoryLocation", location
        jobs = {j["name"] for repo in location["repositories"] for j in repo["jobs"]}
        assert {"weekly_job", "monthly_job"} <= jobs
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
