"""The configuration names of the project, in one place (see README, "Configuration").

Names of the portal and warehouse variables are a stable contract (shared/docs/portal-api.md).
"""

from __future__ import annotations

import os
from pathlib import Path

PROVINCIAL_PORTAL_URL = "PROVINCIAL_PORTAL_URL"
PROVINCIAL_PORTAL_CLIENT_ID = "PROVINCIAL_PORTAL_CLIENT_ID"
PROVINCIAL_PORTAL_CLIENT_SECRET = "PROVINCIAL_PORTAL_CLIENT_SECRET"
NATIONAL_PORTAL_URL = "NATIONAL_PORTAL_URL"
NATIONAL_PORTAL_CLIENT_ID = "NATIONAL_PORTAL_CLIENT_ID"
NATIONAL_PORTAL_CLIENT_SECRET = "NATIONAL_PORTAL_CLIENT_SECRET"
KPI_PROVINCE_CODE = "KPI_PROVINCE_CODE"
KPI_DATABASE_URL = "KPI_DATABASE_URL"
# Dagster's own run/event/schedule storage; defaults to the warehouse URL.
DAGSTER_PG_URL = "DAGSTER_PG_URL"
# Where the embedded PostgreSQL keeps its data, reports are written, and DAGSTER_HOME lives.
KPI_HOME = "KPI_HOME"
KPI_CONFIG_FILE = "KPI_CONFIG_FILE"
# Several provinces in one Dagster instance: one code location each, keys prefixed (SCALING.md).
KPI_ASSET_KEY_PREFIX = "KPI_ASSET_KEY_PREFIX"
# Steps on Celery workers (dagster-celery) instead of subprocesses of the run (SCALING.md).
KPI_CELERY_BROKER_URL = "KPI_CELERY_BROKER_URL"
KPI_CELERY_BACKEND_URL = "KPI_CELERY_BACKEND_URL"
KPI_CELERY_QUEUE = "KPI_CELERY_QUEUE"

TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_PROVINCE_CODE = "49"
# The embedded default (`kpi-pipeline run` / `dev` with the bundled simulator): new Đà Nẵng,
# today's structure with both legacy systems as its history (docs/REFORM-2025.md).
EMBEDDED_PROVINCE_CODE = "48"

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"


def kpi_home() -> Path:
    """Project-local state folder (embedded database, Dagster home, reports)."""
    return Path(os.environ.get(KPI_HOME) or PROJECT_ROOT / ".kpi").resolve()


def province_code() -> str:
    return os.environ.get(KPI_PROVINCE_CODE) or DEFAULT_PROVINCE_CODE


def asset_key_prefix() -> str | None:
    return os.environ.get(KPI_ASSET_KEY_PREFIX) or None


def celery_queue() -> str:
    """The Celery queue of this location's steps: one per province unless set."""
    return os.environ.get(KPI_CELERY_QUEUE) or f"kpi-{province_code()}"
