"""The configuration names of the project, in one place (see README, "Configuration").

Names of the portal and warehouse variables are a stable contract (shared/docs/portal-api.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
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
DAGSTER_HOME = "DAGSTER_HOME"
# The bundled simulator that `kpi-pipeline run` / `dev` start when no portal URL is set.
KPI_SIMULATOR_SCALE = "KPI_SIMULATOR_SCALE"
KPI_SIMULATOR_SEED = "KPI_SIMULATOR_SEED"
# The YAML configuration files (kpi_pipeline/config_files.py; unset: the packaged file).
KPI_CONFIG_FILE = "KPI_CONFIG_FILE"
KPI_SCORE_CONFIG_FILE = "KPI_SCORE_CONFIG_FILE"
KPI_QUALITY_CONFIG_FILE = "KPI_QUALITY_CONFIG_FILE"
KPI_ALERT_RECIPIENTS_FILE = "KPI_ALERT_RECIPIENTS_FILE"
# Alert delivery (alerts/resources.py): SMTP server and login, sender, chat webhook and token.
KPI_ALERT_SMTP_HOST = "KPI_ALERT_SMTP_HOST"
KPI_ALERT_SMTP_PORT = "KPI_ALERT_SMTP_PORT"
KPI_ALERT_SMTP_USER = "KPI_ALERT_SMTP_USER"
KPI_ALERT_SMTP_PASSWORD = "KPI_ALERT_SMTP_PASSWORD"
KPI_ALERT_FROM = "KPI_ALERT_FROM"
KPI_ALERT_WEBHOOK_URL = "KPI_ALERT_WEBHOOK_URL"
KPI_ALERT_WEBHOOK_TOKEN = "KPI_ALERT_WEBHOOK_TOKEN"
# Where reports and Data Docs are written (kpi_pipeline/artifacts.py): a folder every worker
# can reach, or an fsspec URL (s3://bucket/kpi); unset: KPI_HOME.
KPI_ARTIFACT_ROOT = "KPI_ARTIFACT_ROOT"
# The address under which KPI_HOME's reports/ and gx_docs/ are served over HTTP (set by
# `kpi-pipeline dev`, which serves them): metadata links then open from the Dagster UI.
KPI_ARTIFACTS_URL = "KPI_ARTIFACTS_URL"
# The change history the warehouse holds: from this day (default: the first partition), with
# recent changes read again on every pull (docs/ARCHITECTURE.md, "Change history").
KPI_HISTORY_START = "KPI_HISTORY_START"
KPI_SYNC_OVERLAP_MINUTES = "KPI_SYNC_OVERLAP_MINUTES"
# `kpi-pipeline backfill` splits a long range into runs of at most this many weeks.
KPI_MAX_WEEKS_PER_RUN = "KPI_MAX_WEEKS_PER_RUN"
# Several provinces in one Dagster instance: one code location each, keys prefixed (SCALING.md).
KPI_ASSET_KEY_PREFIX = "KPI_ASSET_KEY_PREFIX"
# Steps on Celery workers (dagster-celery) instead of subprocesses of the run (SCALING.md).
KPI_CELERY_BROKER_URL = "KPI_CELERY_BROKER_URL"
KPI_CELERY_BACKEND_URL = "KPI_CELERY_BACKEND_URL"
KPI_CELERY_QUEUE = "KPI_CELERY_QUEUE"
# Schedules and sensors are RUNNING as soon as a daemon runs; `off` declares them STOPPED
# (development: a `kpi-pipeline dev` that must not launch the Friday run by itself).
KPI_AUTOMATION = "KPI_AUTOMATION"
AUTOMATION_VALUES = {"on": True, "off": False}
# A plain http:// portal URL outside loopback sends the client secret in clear: refused by the
# pre-run checks unless this is 1 (a test portal on a network you trust).
KPI_ALLOW_INSECURE_PORTAL = "KPI_ALLOW_INSECURE_PORTAL"

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


def artifact_root() -> str:
    """Where reports and Data Docs go (`KPI_ARTIFACT_ROOT`, else KPI_HOME)."""
    return os.environ.get(KPI_ARTIFACT_ROOT) or str(kpi_home())


def configured_path(name: str) -> str:
    """The file a configuration-file variable (`KPI_CONFIG_FILE`, ...) names, or ''."""
    return (os.environ.get(name) or "").strip()


def province_code() -> str:
    return os.environ.get(KPI_PROVINCE_CODE) or DEFAULT_PROVINCE_CODE


def allow_insecure_portal(env: Mapping[str, str] | None = None) -> bool:
    value = (os.environ if env is None else env).get(KPI_ALLOW_INSECURE_PORTAL) or ""
    return value.strip().lower() in ("1", "true", "yes")


def asset_key_prefix() -> str | None:
    return os.environ.get(KPI_ASSET_KEY_PREFIX) or None


def celery_queue() -> str:
    """The Celery queue of this location's steps: one per province unless set."""
    return os.environ.get(KPI_CELERY_QUEUE) or f"kpi-{province_code()}"


def history_settings(env=None) -> dict:
    """The warehouse resource's history fields that the environment sets (others: defaults)."""
    env = os.environ if env is None else env
    out: dict = {}
    if env.get(KPI_HISTORY_START):
        out["history_start"] = env[KPI_HISTORY_START].strip()
    if env.get(KPI_SYNC_OVERLAP_MINUTES):
        value = env[KPI_SYNC_OVERLAP_MINUTES].strip()
        # not a whole number: passed on as text, so the resource's config check names it
        out["sync_overlap_minutes"] = int(value) if value.isdigit() else value
    return out


def automation_on() -> bool:
    """Whether schedules and sensors start RUNNING (`KPI_AUTOMATION`: on, the default, or off).

    Any other value is an error naming the variable: a typo must not silently stop the Friday
    run, nor start it on a developer's machine."""
    value = (os.environ.get(KPI_AUTOMATION) or "on").strip().lower()
    if value not in AUTOMATION_VALUES:
        raise ValueError(f"{KPI_AUTOMATION} must be 'on' or 'off', got {value!r}")
    return AUTOMATION_VALUES[value]
