"""`kpi-pipeline dev` starts the Dagster webserver on the embedded default and loads the code."""

import os
import signal
import socket
import subprocess
import sys
import time

import requests

from kpi_pipeline_tests.processes import stop_group
from kpi_pipeline_tests.reports.browser import ensure_chromium

QUERY = """{ workspaceOrError { __typename ... on Workspace { locationEntries {
  name loadStatus locationOrLoadError { __typename ... on PythonError { message }
  ... on RepositoryLocation { repositories { name jobs { name } schedules { name } } } } } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rendered(chromium: str, url: str, tmp_path) -> str:
    """The DOM after the page's scripts ran (virtual time lets the React app settle; a tall
    window, since the asset list only renders the rows on screen)."""
    out = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'chromium'}",
         "--virtual-time-budget=20000", "--window-size=1400,9000", "--dump-dom", url],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    return out.stdout.decode(errors="replace")


def test_dev_loads_the_code_location(tmp_path, state_dir):
    port, artifacts = _free_port(), _free_port()
    # a report as the assets write it: served over HTTP, so its metadata link opens from the UI
    report = state_dir / "reports" / "bao-cao-tuan-thu.html"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("<p>Báo cáo tuần</p>", encoding="utf-8")
    # KPI_AUTOMATION=off: a schedule tick during the test (17:00 daily in a peak month) would
    # launch a real run on the shared state.
    env = {**os.environ, "KPI_HOME": str(state_dir), "KPI_AUTOMATION": "off"}
    env.pop("DAGSTER_HOME", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kpi_pipeline.shell.cli",
            "dev",
            "--port",
            str(port),
            "--artifacts-port",
            str(artifacts),
        ],
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

        # What a data engineer sees: the pages rendered by a real browser.
        chromium = ensure_chromium()
        assets = _rendered(chromium, f"http://127.0.0.1:{port}/assets", tmp_path)
        for name in ("provincial_dossiers", "unit_kpi_weekly", "unit_kpi_monthly", "friday_report"):
            assert name in assets, f"{name} not shown on the assets page"
        automation = _rendered(chromium, f"http://127.0.0.1:{port}/automation", tmp_path)
        for name in (
            "friday_report_schedule",
            "month_close_schedule",
            "peak_month_monitoring_schedule",
            "month_after_ingestion_sensor",
        ):
            assert name in automation, f"{name} not shown on the automation page"
        checks = _rendered(
            chromium, f"http://127.0.0.1:{port}/assets/staging/dossiers?view=checks", tmp_path
        )
        assert "Checks" in checks
        served = requests.get(f"http://127.0.0.1:{artifacts}/reports/{report.name}", timeout=10)
        assert served.status_code == 200 and "Báo cáo tuần" in served.text
    finally:
        stop_group(proc, signal.SIGINT, grace=60)
