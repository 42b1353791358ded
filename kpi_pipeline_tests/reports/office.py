"""LibreOffice headless, to print a workbook to PDF as a reader's office suite would.

`ensure_libreoffice` installs Debian's `libreoffice-calc-nogui` when missing (as root, like
`browser.ensure_chromium`): about 80 s on a fresh machine with the package lists present.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CANDIDATES = ("soffice", "libreoffice")


def find_libreoffice() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def ensure_libreoffice() -> str:
    path = find_libreoffice()
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends",
             "libreoffice-calc-nogui", "fonts-dejavu-core"],
            check=True,
            env=env,
            capture_output=True,
        )  # fmt: skip
        path = find_libreoffice()
    if not path:
        raise RuntimeError("the workbook tests need LibreOffice: install libreoffice-calc-nogui")
    return path


def to_pdf(soffice: str, xlsx: Path, workdir: Path) -> bytes:
    """The workbook printed to PDF by LibreOffice (its own profile, so runs do not collide)."""
    proc = subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(workdir / 'lo-profile').resolve().as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(xlsx),
        ],
        capture_output=True,
        timeout=180,
    )
    pdf = workdir / f"{xlsx.stem}.pdf"
    if proc.returncode != 0 or not pdf.exists():
        raise RuntimeError(
            f"libreoffice failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}"
        )
    return pdf.read_bytes()
