"""Long-lived processes the tests start (code servers, Celery workers, `kpi-pipeline dev`):
each in its own session, so that stopping it stops its children (a worker's pool) too."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from kpi_pipeline import settings


def start_logged(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    """`cmd` from the project root, stdout and stderr into `log` (read when a test fails)."""
    with open(log, "wb") as out:
        return subprocess.Popen(
            cmd,
            env=env,
            cwd=settings.PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_group(proc: subprocess.Popen, sig: int = signal.SIGTERM, grace: float = 30) -> None:
    """`sig` to the process group (SIGTERM: a warm shutdown), SIGKILL if it is not gone after
    `grace` seconds."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, sig)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
