"""`reports/monthly_report`, monthly partitions: `<artifact store>/reports/monthly/<YYYY-MM>/
bao-cao-thang-<YYYY-MM>.html|.xlsx`: the month, the quarter and the year to date against the
same periods a year before, the project's 766-style score beside the national portal's
published figures, and the breakdown by field, and the level-4 share of the procedure catalogue (issue 15). Kept as issued (publish.py), like
the other reports; a month not yet ended gets a provisional report."""

from datetime import date, datetime

from dagster import AssetExecutionContext, AssetKey, BackfillPolicy, MaterializeResult, asset

from kpi_pipeline.artifacts import ArtifactStoreResource
from kpi_pipeline.config_files import ConfigFilesResource
from kpi_pipeline.partitions import monthly_partitions
from kpi_pipeline.reports.assets import Report, publish_periods
from kpi_pipeline.reports.monthly_queries import monthly_report_data
from kpi_pipeline.reports.render import monthly_markdown, render_monthly
from kpi_pipeline.warehouse.resource import WarehouseResource

MONTHLY_REPORT_KPIS = [
    AssetKey(["kpi", "unit_kpi_monthly"]),
    AssetKey(["kpi", "unit_kpi_monthly_current_map"]),
    AssetKey(["kpi", "unit_kpi_cumulative"]),
    AssetKey(["kpi", "unit_score_monthly"]),
    AssetKey(["kpi", "unit_kpi_field_monthly"]),
    AssetKey(["kpi", "procedure_catalogue_monthly"]),
]


@asset(
    key=AssetKey(["reports", "monthly_report"]),
    partitions_def=monthly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    group_name="reports",
    kinds={"html", "excel"},
    deps=MONTHLY_REPORT_KPIS,
    description="The monthly report: month, quarter and year to date against the year before,"
    " the project's 766-style score beside the portal's figures, and the fields; kept as issued.",
)
def monthly_report(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    artifacts: ArtifactStoreResource,
    config_files: ConfigFilesResource,
) -> MaterializeResult:
    score_config = config_files.score()  # the deployment's file, read once for the range

    def read(conn, month: date, now: datetime, provisional: bool):
        return monthly_report_data(
            conn, month, generated_at=now, provisional=provisional, score_config=score_config
        )

    return publish_periods(context, warehouse, artifacts, MONTHLY, read)


def _figures(data) -> dict:
    figures = {"periods": len(data.comparisons), "fields": len(data.fields)}
    if data.score_province is not None and data.score_province.score is not None:
        figures["province_score_766_project"] = data.score_province.score
    return figures


MONTHLY = Report("monthly", "bao-cao-thang", "month", render_monthly, monthly_markdown, _figures)

ASSETS = [monthly_report]
