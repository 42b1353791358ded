"""Configuration that used to be found late (after the whole ingest, or as a traceback) stops
`kpi-pipeline` before any run: exit code 2, one line naming the fix, no portal request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kpi_pipeline.domain.kpi_config import DEFAULT_CONFIG_FILE
from kpi_pipeline.shell.preflight import config_file_problems


def _cli(tmp_path, env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_PORTAL_URL")}
    for name in ("DAGSTER_PG_URL", "DAGSTER_HOME"):
        env.pop(name, None)
    env["KPI_HOME"] = str(tmp_path / "kpi")
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "kpi_pipeline.shell.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _api_requests(simulator) -> int:
    return sum(n for (_, path, _), n in simulator.request_log.items() if path.startswith("/api/"))


def _target_150(tmp_path) -> Path:
    text = DEFAULT_CONFIG_FILE.read_text(encoding="utf-8")
    bad = text.replace("on_time: {percent: 90,", "on_time: {percent: 150,")
    assert bad != text
    path = tmp_path / "kpi.yaml"
    path.write_text(bad, encoding="utf-8")
    return path


def test_a_150_percent_target_stops_the_run_before_any_pull(tmp_path, simulator, database_url):
    env = {
        "KPI_DATABASE_URL": database_url,
        "KPI_CONFIG_FILE": str(_target_150(tmp_path)),
        **simulator.portal_env(),
    }
    before = _api_requests(simulator)
    proc = _cli(tmp_path, env, "run")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "configuration:" in line]
    assert len(lines) == 1, proc.stderr
    assert "targets.on_time.percent: 150 is outside 0..100" in lines[0]
    assert "KPI_CONFIG_FILE" in lines[0]
    assert "Traceback" not in proc.stderr
    assert _api_requests(simulator) == before, "a run started despite the bad configuration"


@pytest.mark.parametrize(
    "args, words",
    [
        (
            ["--start", "2024-02-30", "--end", "2024-03-31"],
            "--start '2024-02-30' is not a calendar",
        ),
        (["--start", "2024-03-01", "--end", "31/03/2024"], "--end '31/03/2024' is not a calendar"),
        (["--start", "2024-03-31", "--end", "2024-03-01"], "--start 2024-03-31 is after --end"),
    ],
    ids=["no_such_day", "not_iso", "reversed"],
)
def test_backfill_dates_are_checked_with_one_clear_line(tmp_path, args, words):
    proc = _cli(tmp_path, {}, "backfill", *args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        line for line in proc.stderr.strip().splitlines() if "configuration:" in line
    ]
    assert len(proc.stderr.strip().splitlines()) == 1 and words in proc.stderr
    assert "YYYY-MM-DD" in proc.stderr or "--start" in proc.stderr
    assert not (tmp_path / "kpi").exists()  # nothing was started


def test_every_configuration_file_is_checked(tmp_path):
    assert config_file_problems({}) == []  # the packaged files
    quality = tmp_path / "quality.yaml"
    quality.write_text("tolerances: [", encoding="utf-8")
    problems = config_file_problems(
        {"KPI_CONFIG_FILE": str(_target_150(tmp_path)), "KPI_QUALITY_CONFIG_FILE": str(quality)}
    )
    assert len(problems) == 2
    assert problems[0].startswith(str(tmp_path / "kpi.yaml"))
    assert "point KPI_CONFIG_FILE at a valid file" in problems[0]
    assert "not valid YAML" in problems[1] and "KPI_QUALITY_CONFIG_FILE" in problems[1]
    assert all("\n" not in p for p in problems)
