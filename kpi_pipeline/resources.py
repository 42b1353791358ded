"""Resources chosen by environment, in one place; assets never read the environment.

Every value comes from the variables of README "Configuration". `kpi-pipeline run` / `dev`
fill them for the embedded default (embedded PostgreSQL, bundled simulator) before Dagster
starts; in production they come from the deployment.
"""

from dagster import EnvVar

from kpi_pipeline import settings
from kpi_pipeline.alerts.resources import build_alert_resource
from kpi_pipeline.artifacts import build_artifact_store
from kpi_pipeline.config_files import build_config_files
from kpi_pipeline.ingestion.resources import PortalResource
from kpi_pipeline.warehouse.resource import WarehouseResource


def build_resources() -> dict:
    province = settings.province_code()
    insecure = settings.allow_insecure_portal()
    return {
        "alerts": build_alert_resource(),
        "config_files": build_config_files(),
        "artifacts": build_artifact_store(),
        "warehouse": WarehouseResource(
            database_url=EnvVar(settings.KPI_DATABASE_URL), **settings.history_settings()
        ),
        "provincial_portal": PortalResource(
            name="provincial",
            base_url=EnvVar(settings.PROVINCIAL_PORTAL_URL),
            client_id=EnvVar(settings.PROVINCIAL_PORTAL_CLIENT_ID),
            client_secret=EnvVar(settings.PROVINCIAL_PORTAL_CLIENT_SECRET),
            province_code=province,
            allow_insecure_http=insecure,
        ),
        "national_portal": PortalResource(
            name="national",
            base_url=EnvVar(settings.NATIONAL_PORTAL_URL),
            client_id=EnvVar(settings.NATIONAL_PORTAL_CLIENT_ID),
            client_secret=EnvVar(settings.NATIONAL_PORTAL_CLIENT_SECRET),
            province_code=province,
            allow_insecure_http=insecure,
        ),
    }
