"""Writing report files so that a report, once issued, stays as it was issued.

A period's folder holds its issued versions and an `issued.json` manifest:

- The first run after the period has ended issues version 1: `<stem>.<ext>`.
- A later run (a backfill after late changes, a rerun) compares what the report says (the
  model's fingerprint, which ignores when it was made): the same data issues nothing new and
  points at the issued files; different data issues version N+1 as `<stem>-vN.<ext>`, next to
  the earlier versions, which are never overwritten (files are created exclusively).
- A run before the period has ended (peak-month daily monitoring: week- or month-to-date)
  writes `<stem>-tam-tinh.<ext>` ("provisional"), replaced on each such run and removed once
  version 1 is issued. It is never an issued version.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

MANIFEST = "issued.json"
PROVISIONAL_SUFFIX = "tam-tinh"


@dataclass(frozen=True)
class Publication:
    paths: dict[str, Path]  # by file suffix: html, xlsx, png
    version: int | None  # None for a provisional report
    issued_at: datetime  # when the files pointed at were written
    provisional: bool = False
    new: bool = True  # False: the same report had already been issued, nothing written
    earlier_versions: list[int] = field(default_factory=list)

    def metadata(self) -> dict:
        return {
            "version": self.version if self.version is not None else "tạm tính",
            "issued_at": self.issued_at.isoformat(),
            "provisional": self.provisional,
            "newly_written": self.new,
        }


def publish(
    folder: Path,
    stem: str,
    render: Callable[[str | None], dict[str, bytes]],
    fingerprint: str,
    *,
    provisional: bool,
    now: datetime,
    run_id: str | None = None,
) -> Publication:
    """Write a report into `folder` by the rules above. `render(version_label)` returns the
    file contents by suffix; it is only called when files are to be written."""
    folder.mkdir(parents=True, exist_ok=True)
    if provisional:
        files = render(None)
        paths = {ext: folder / f"{stem}-{PROVISIONAL_SUFFIX}.{ext}" for ext in files}
        for ext, content in files.items():
            _replace(paths[ext], content)
        return Publication(paths, None, now, provisional=True)

    manifest = _read_manifest(folder)
    versions = manifest["versions"]
    if versions and versions[-1]["fingerprint"] == fingerprint:
        last = versions[-1]
        return Publication(
            {ext: folder / name for ext, name in last["files"].items()},
            last["version"],
            datetime.fromisoformat(last["issued_at"]),
            new=False,
            earlier_versions=[v["version"] for v in versions[:-1]],
        )

    version = _next_version(folder, stem, versions)
    files = render(str(version))
    name = _name(stem, version)
    paths = {ext: folder / f"{name}.{ext}" for ext in files}
    for ext, content in files.items():
        _create(paths[ext], content)
    versions.append(
        {
            "version": version,
            "issued_at": now.isoformat(),
            "fingerprint": fingerprint,
            "run_id": run_id,
            "files": {ext: p.name for ext, p in paths.items()},
        }
    )
    _replace(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    for stale in folder.glob(f"{stem}-{PROVISIONAL_SUFFIX}.*"):
        stale.unlink()
    return Publication(paths, version, now, earlier_versions=[v["version"] for v in versions[:-1]])


def _name(stem: str, version: int) -> str:
    return stem if version == 1 else f"{stem}-v{version}"


def _next_version(folder: Path, stem: str, versions: list[dict]) -> int:
    """One more than any version in the manifest or on disk (a run that died after writing
    files but before the manifest leaves its files: they are skipped, not overwritten)."""
    n = max([v["version"] for v in versions] + [0]) + 1
    while any(folder.glob(f"{_name(stem, n)}.*")):
        n += 1
    return n


def _create(path: Path, content: bytes) -> None:
    """Write a new file whole, never replacing one: written aside, then linked into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(content)
    try:
        os.link(tmp, path)  # fails if `path` exists
    finally:
        tmp.unlink()


def _read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.exists():
        return {"versions": []}
    return json.loads(path.read_text(encoding="utf-8"))


def _replace(path: Path, content: bytes) -> None:
    """Write atomically: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)
