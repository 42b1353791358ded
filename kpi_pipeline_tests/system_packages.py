"""Debian packages the browser and office tests need, installed on first use (as root).

The suite runs in several pytest-xdist workers: apt holds one dpkg lock, so the workers take
turns through a file lock, and a worker that waited finds the program already there.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

LOCK = Path(tempfile.gettempdir()) / "kpi-pipeline-tests-apt.lock"


def ensure_debian_program(
    find: Callable[[], str | None], packages: tuple[str, ...], hint: str
) -> str:
    """The path `find` returns; when it returns None on Debian as root, `packages` are
    installed first. `hint` says what to install by hand elsewhere."""
    path = find()
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        with LOCK.open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            path = find()  # another worker may have installed it while this one waited
            if not path:
                env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
                subprocess.run(
                    ["apt-get", "update", "-q"], check=True, env=env, capture_output=True
                )
                subprocess.run(
                    ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
                    check=True,
                    env=env,
                    capture_output=True,
                )
                path = find()
    if not path:
        raise RuntimeError(hint)
    return path
