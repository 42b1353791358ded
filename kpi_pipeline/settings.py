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

TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_PROVINCE_CODE = "49"

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"


def kpi_home() -> Path:
    """Project-local state folder (embedded database, Dagster home, reports)."""
    return Path(os.environ.get(KPI_HOME) or PROJECT_ROOT / ".kpi").resolve()


def province_code() -> str:
    return os.environ.get(KPI_PROVINCE_CODE) or DEFAULT_PROVINCE_CODE
