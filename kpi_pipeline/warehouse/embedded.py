"""The embedded PostgreSQL: a real server from the `pgserver` wheel, no system install.

Used when `KPI_DATABASE_URL` is unset. pgserver reference-counts the processes that use a
data folder and stops the server when the last of them exits, so the CLI, Dagster's run
workers and the tests share one server per folder.
"""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)


def start_embedded(data_dir: Path, cleanup_mode: str | None = "stop") -> str:
    """Start (or join) the embedded server whose data lives in `data_dir`; return its URL."""
    import pgserver  # heavy import: only when the embedded server is wanted

    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    _forget_if_stopped(data_dir)
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


def _forget_if_stopped(data_dir: Path) -> None:
    """pgserver caches one handle per folder in-process; a stopped server's handle is stale."""
    from pgserver.postgres_server import PostgresServer

    handle = PostgresServer._instances.get(data_dir)
    if handle is not None and not is_running(data_dir):
        PostgresServer._instances.pop(data_dir, None)
        handle.global_process_id_list.get_and_remove(os.getpid())


def stop_embedded(data_dir: Path) -> None:
    """Stop the server of `data_dir` now (fast shutdown), whoever else still holds it."""
    from pgserver._commands import POSTGRES_BIN_PATH
    from pgserver.postgres_server import PostgresServer

    data_dir = Path(data_dir).resolve()
    handle = PostgresServer._instances.pop(data_dir, None)
    if handle is not None:  # so that pgserver's exit hook does not stop it a second time
        handle.global_process_id_list.get_and_remove(os.getpid())
    if not is_running(data_dir):
        return
    cmd = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w", "stop"]
    if os.geteuid() == 0:  # pgserver runs the server as its own system user when we are root
        cmd = ["su", "pgserver", "-s", "/bin/sh", "-c", " ".join(cmd)]
    subprocess.run(cmd, check=False, capture_output=True, timeout=60)
