"""The artifact store on an object store (fsspec's in-process `memory://`, the same code path
as s3:// or gs://): a report issued twice keeps both versions in the store, read back into
each run's staging folder, only new files uploaded; a failed block uploads nothing."""

import uuid
from datetime import datetime

import fsspec
import pytest

from kpi_pipeline.artifacts import ArtifactStoreResource
from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.reports.publish import publish


def _issue(store, fingerprint: str):
    with store.folder("reports", "weekly", "2024-03-01") as folder:
        pub = publish(
            folder,
            "bao-cao-tuan-2024-03-01",
            lambda version: {"html": f"<p>{fingerprint} v{version}</p>".encode()},
            fingerprint,
            provisional=False,
            now=datetime(2024, 3, 8, 9, tzinfo=TZ),
            run_id="r",
        )
    return pub


def test_reports_are_versioned_in_an_object_store():
    root = f"memory://kpi-test-{uuid.uuid4().hex[:8]}"
    store = ArtifactStoreResource(root=root)
    assert not store.is_local()
    assert store.location("reports", "x.html") == f"{root}/reports/x.html"
    fs = fsspec.filesystem("memory")
    week = f"{root.removeprefix('memory://')}/reports/weekly/2024-03-01"
    first = _issue(store, "a")
    issued = fs.info(f"/{week}/{first.paths['html'].name}")["created"]
    again, second = _issue(store, "a"), _issue(store, "b")
    assert (first.version, again.version, again.new, second.version) == (1, 1, False, 2)
    # files read back unchanged are not written to the store again
    assert fs.info(f"/{week}/{first.paths['html'].name}")["created"] == issued
    html = sorted(p.rsplit("/", 1)[-1] for p in fs.find(f"/{week}") if p.endswith(".html"))
    assert len(html) == 2, html  # both issued versions are kept
    assert fs.cat_file(f"/{week}/{second.paths['html'].name}") == b"<p>b v2</p>"


def test_a_failed_block_uploads_nothing():
    root = f"memory://kpi-test-{uuid.uuid4().hex[:8]}"
    store = ArtifactStoreResource(root=root)
    with pytest.raises(RuntimeError), store.folder("gx_docs", download=False) as folder:
        (folder / "index.html").write_text("half", encoding="utf-8")
        raise RuntimeError("the step failed")
    assert not fsspec.filesystem("memory").exists(f"/{root.removeprefix('memory://')}/gx_docs")


def test_a_path_root_is_the_folder_itself(tmp_path):
    store = ArtifactStoreResource(root=f"file://{tmp_path}")
    with store.folder("reports") as folder:
        assert folder == tmp_path / "reports" and folder.is_dir()
    assert store.location("reports") == str(tmp_path / "reports")
