"""The embedded PostgreSQL: a real server from the `pgserver` wheel, no system install.

Used when `KPI_DATABASE_URL` is unset. pgserver reference-counts the processes that use a
data folder and stops the server when the last of them exits, so the CLI, Dagster's run
workers and the tests share one server per folder.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)


def start_embedded(data_dir: Path, cleanup_mode: str | None = "stop") -> str:
    """Start (or join) the embedded server whose data lives in `data_dir`; return its URL."""
    import pgserver  # heavy import: only when the embedded server is wanted

    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode=cleanup_mode)
    log.info("embedded PostgreSQL ready in %s", data_dir)
    return server.get_uri()


def is_running(data_dir: Path) -> bool:
    pid_file = Path(data_dir) / "postmaster.pid"
    if not pid_file.exists():
        return False
    import psutil

    pid = int(pid_file.read_text().splitlines()[0])
    return psutil.pid_exists(pid)


def stop_embedded(data_dir: Path) -> None:
    """Stop the server of `data_dir` now (fast shutdown), whoever else still holds it."""
    from pgserver._commands import POSTGRES_BIN_PATH

    if not is_running(data_dir):
        return
    cmd = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w", "stop"]
    import os

    if os.geteuid() == 0:  # pgserver runs the server as its own system user when we are root
        cmd = ["su", "pgserver", "-s", "/bin/sh", "-c", " ".join(cmd)]
    subprocess.run(cmd, check=False, capture_output=True, timeout=60)
