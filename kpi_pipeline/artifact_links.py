"""The files the pipeline writes (reports, GX Data Docs), served over HTTP for the Dagster UI.

A browser does not open a `file:` path that the UI shows as metadata; an `http:` link it
does. `kpi-pipeline dev` serves KPI_HOME's `reports/` and `gx_docs/` (nothing else of KPI_HOME:
the embedded database and Dagster's storage live there too) read-only on the UI's host and
sets KPI_ARTIFACTS_URL, and the assets add a `MetadataValue.url` beside each path.
"""

from __future__ import annotations

import os
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from kpi_pipeline.settings import KPI_ARTIFACTS_URL, kpi_home

SERVED = ("reports", "gx_docs")  # the folders of KPI_HOME served; nothing else


def artifact_url(path: str | os.PathLike, env=os.environ) -> str | None:
    """The http address of a written file, or None (no server configured, or the file is
    not in a served folder)."""
    base = (env.get(KPI_ARTIFACTS_URL) or "").strip()
    if not base:
        return None
    try:
        rel = Path(path).resolve().relative_to(kpi_home())
    except ValueError:
        return None
    if not rel.parts or rel.parts[0] not in SERVED:
        return None
    return base.rstrip("/") + "/" + quote(rel.as_posix())


def with_urls(metadata: dict, env=os.environ) -> dict:
    """`metadata` plus `<key>_url` (MetadataValue.url) for every path entry that is served."""
    from dagster import MetadataValue, PathMetadataValue

    out = dict(metadata)
    for key, value in metadata.items():
        if isinstance(value, PathMetadataValue):
            url = artifact_url(value.path, env)
            if url:
                out[f"{key}_url"] = MetadataValue.url(url)
    return out


class _Handler(SimpleHTTPRequestHandler):
    """Files of the served folders only; no listing outside them, no writes. Text is UTF-8
    (Vietnamese), said in the Content-Type."""

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".json": "application/json; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".md": "text/markdown; charset=utf-8",
    }

    def translate_path(self, path: str) -> str:
        parts = [p for p in unquote(urlsplit(path).path).split("/") if p]
        if not parts or parts[0] not in SERVED or any(p in ("..", ".") for p in parts):
            return str(Path(self.directory) / ".not-served" / "404")  # no such file: 404
        return str(Path(self.directory, *parts))

    def log_message(self, format, *args):  # quiet: the UI's terminal is the user's
        pass


def serve(host: str = "127.0.0.1", port: int = 0, root: Path | None = None) -> ThreadingHTTPServer:
    """Start serving `root` (KPI_HOME)'s served folders in a daemon thread; `.server_address`
    says where. Call `.shutdown()` to stop."""
    handler = partial(_Handler, directory=str(root or kpi_home()))
    server = ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, name="kpi-artifacts", daemon=True).start()
    return server
