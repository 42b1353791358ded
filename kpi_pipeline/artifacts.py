"""The `artifacts` resource: where reports and GX Data Docs are written.

A step may run on any machine (Celery workers, docs/SCALING.md), so nothing it publishes may
land on a disk only that machine sees. The store's `root` is a folder every worker reaches (a
shared mount; `file://` URLs too) or an fsspec URL of an object store (`s3://bucket/kpi`, with
that protocol's fsspec package installed); unset (`KPI_ARTIFACT_ROOT` empty) it is `KPI_HOME`,
enough on one machine. Layout under the root: `reports/weekly/<week>/`,
`reports/peak-month/<YYYY-MM>/`, `gx_docs/<run_id>/<suite>/`.

Writers get a local folder from `folder(...)`: the store's own folder when the root is a path;
for an object store a staging folder filled with the store's current files first (reports are
versioned against what was issued before) and uploaded when the block ends without error.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import ConfigurableResource, EnvVar
from pydantic import Field

from kpi_pipeline import settings


class ArtifactStoreResource(ConfigurableResource):
    """Reports and Data Docs, written under `root` (empty: KPI_HOME of the process)."""

    root: str = Field(
        default="",
        description="a folder every worker can reach, or an fsspec URL (s3://bucket/kpi);"
        " empty: KPI_HOME",
    )

    def _root(self) -> str:
        return self.root.strip() or str(settings.kpi_home())

    def is_local(self) -> bool:
        root = self._root()
        return "://" not in root or root.startswith("file://")

    def _local_root(self) -> Path:
        return Path(self._root().removeprefix("file://")).resolve()

    def location(self, *parts: str) -> str:
        """The path (or URL) of `parts` in the store, as metadata and logs show it."""
        if self.is_local():
            return str(self._local_root().joinpath(*parts))
        return "/".join([self._root().rstrip("/"), *parts])

    @contextmanager
    def folder(self, *parts: str, download: bool = True) -> Iterator[Path]:
        """A local folder holding the store's `parts` while the block runs (see the module)."""
        if self.is_local():
            path = self._local_root().joinpath(*parts)
            path.mkdir(parents=True, exist_ok=True)
            yield path
            return
        from fsspec.core import url_to_fs

        fs, remote = url_to_fs(self.location(*parts))
        staging = Path(tempfile.mkdtemp(prefix="kpi-artifacts-"))
        try:
            if download and fs.exists(remote):
                for name in fs.find(remote):
                    local = staging / Path(name).relative_to(remote)
                    local.parent.mkdir(parents=True, exist_ok=True)
                    fs.get_file(name, str(local))
            fetched = _stamps(staging)
            yield staging
            for local, stamp in sorted(_stamps(staging).items()):
                if fetched.get(local) == stamp:
                    continue  # as it was in the store
                rel = local.relative_to(staging).as_posix()
                fs.makedirs(f"{remote}/{Path(rel).parent.as_posix()}", exist_ok=True)
                fs.put_file(str(local), f"{remote}/{rel}")
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _stamps(folder: Path) -> dict[Path, tuple[int, int]]:
    return {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*") if p.is_file()}


def build_artifact_store(env=None) -> ArtifactStoreResource:
    """`KPI_ARTIFACT_ROOT` as an `EnvVar` when set (each process reads it when a run starts)."""
    env = os.environ if env is None else env
    if env.get(settings.KPI_ARTIFACT_ROOT):
        return ArtifactStoreResource(root=EnvVar(settings.KPI_ARTIFACT_ROOT))
    return ArtifactStoreResource()
