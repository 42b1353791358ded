"""LibreOffice headless, to print a workbook to PDF as a reader's office suite would.

`ensure_libreoffice` installs Debian's `libreoffice-calc-nogui` when missing (as root, like
`browser.ensure_chromium`): about 80 s on a fresh machine with the package lists present.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from kpi_pipeline_tests.system_packages import ensure_debian_program

CANDIDATES = ("soffice", "libreoffice")


def find_libreoffice() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def ensure_libreoffice() -> str:
    return ensure_debian_program(
        find_libreoffice,
        ("libreoffice-calc-nogui", "fonts-dejavu-core"),
        "the workbook tests need LibreOffice: install libreoffice-calc-nogui",
    )


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
