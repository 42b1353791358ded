"""The code location: assets, checks, jobs, schedules and resources, collected.

One location serves one province (`KPI_PROVINCE_CODE`); with `KPI_ASSET_KEY_PREFIX` set, its
asset keys carry that prefix so that several province locations share one Dagster instance;
with `KPI_CELERY_BROKER_URL` set, its steps run on Celery workers (docs/SCALING.md).
"""

from dagster import Definitions

from kpi_pipeline import settings
from kpi_pipeline.alerts.assets import ASSETS as ALERT_ASSETS
from kpi_pipeline.alerts.checks import CHECKS as ALERT_CHECKS
from kpi_pipeline.ingestion.assets import ASSETS as INGESTION_ASSETS
from kpi_pipeline.kpis.assets import ASSETS as KPI_ASSETS
from kpi_pipeline.kpis.catalogue import ASSETS as CATALOGUE_ASSETS
from kpi_pipeline.kpis.cumulative import ASSETS as CUMULATIVE_ASSETS
from kpi_pipeline.kpis.fields import ASSETS as FIELD_ASSETS
from kpi_pipeline.kpis.payments import ASSETS as PAYMENT_ASSETS
from kpi_pipeline.lineage.assets import ASSETS as LINEAGE_ASSETS
from kpi_pipeline.orchestration.conventions import with_owners_and_code_version
from kpi_pipeline.orchestration.executor import build_executor
from kpi_pipeline.orchestration.jobs import build_jobs
from kpi_pipeline.orchestration.locations import with_key_prefix
from kpi_pipeline.orchestration.run_tags import with_run_tags
from kpi_pipeline.orchestration.schedules import build_schedules
from kpi_pipeline.quality.checks import CHECKS
from kpi_pipeline.reports.assets import ASSETS as REPORT_ASSETS
from kpi_pipeline.reports.monthly_assets import ASSETS as MONTHLY_REPORT_ASSETS
from kpi_pipeline.resources import build_resources
from kpi_pipeline.scores.assets import ASSETS as SCORE_ASSETS
from kpi_pipeline.staging.assets import ASSETS as STAGING_ASSETS

ALL_ASSETS, ALL_CHECKS = with_key_prefix(
    [
        *INGESTION_ASSETS,
        *STAGING_ASSETS,
        *KPI_ASSETS,
        *CUMULATIVE_ASSETS,
        *CATALOGUE_ASSETS,
        *FIELD_ASSETS,
        *PAYMENT_ASSETS,
        *LINEAGE_ASSETS,
        *SCORE_ASSETS,
        *REPORT_ASSETS,
        *MONTHLY_REPORT_ASSETS,
        *ALERT_ASSETS,
    ],
    settings.asset_key_prefix(),
    [*CHECKS, *ALERT_CHECKS],
)
# Run tags on the assets too, for the runs that no job of ours launches (asset backfills).
ALL_ASSETS = with_run_tags(ALL_ASSETS, settings.province_code())
ALL_ASSETS = with_owners_and_code_version(ALL_ASSETS)
JOBS = build_jobs(ALL_ASSETS, province=settings.province_code())
SCHEDULES, SENSORS = build_schedules(JOBS, running=settings.automation_on())

defs = Definitions(
    assets=ALL_ASSETS,
    asset_checks=ALL_CHECKS,
    jobs=list(JOBS.values()),
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources=build_resources(),
    executor=build_executor(),
)
