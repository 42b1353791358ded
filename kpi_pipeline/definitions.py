"""The code location: assets, checks, jobs, schedules and resources, collected."""

from dagster import Definitions

from kpi_pipeline.alerts.assets import ASSETS as ALERT_ASSETS
from kpi_pipeline.ingestion.assets import ASSETS as INGESTION_ASSETS
from kpi_pipeline.kpis.assets import ASSETS as KPI_ASSETS
from kpi_pipeline.orchestration.jobs import build_jobs
from kpi_pipeline.orchestration.schedules import build_schedules
from kpi_pipeline.quality.checks import CHECKS
from kpi_pipeline.reports.assets import ASSETS as REPORT_ASSETS
from kpi_pipeline.resources import build_resources
from kpi_pipeline.scores.assets import ASSETS as SCORE_ASSETS
from kpi_pipeline.staging.assets import ASSETS as STAGING_ASSETS

ALL_ASSETS = [
    *INGESTION_ASSETS,
    *STAGING_ASSETS,
    *KPI_ASSETS,
    *SCORE_ASSETS,
    *REPORT_ASSETS,
    *ALERT_ASSETS,
]
JOBS = build_jobs(ALL_ASSETS)
SCHEDULES, SENSORS = build_schedules(JOBS)

defs = Definitions(
    assets=ALL_ASSETS,
    asset_checks=CHECKS,
    jobs=list(JOBS.values()),
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources=build_resources(),
)
