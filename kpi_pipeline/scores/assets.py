"""`kpi/unit_score_monthly`: the 766-style score per unit and month (docs/leaders.md).

Thin: replaces its window's rows of `kpi.unit_score_monthly` and
`kpi.unit_score_dossiers_monthly` in one transaction with the SQL of `sql/kpi/`, from the
configuration of `kpi_pipeline/config/score_766.yaml`, and publishes the largest differences
from the national portal's published figures as metadata.
"""

from datetime import date

from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    TimeWindowPartitionMapping,
    asset,
)

from kpi_pipeline.config_files import ConfigFilesResource
from kpi_pipeline.domain.score_766 import ScoreConfig
from kpi_pipeline.kpis.compute import PeriodRange, delete_periods
from kpi_pipeline.kpis.history import require_complete_history
from kpi_pipeline.partitions import monthly_partitions
from kpi_pipeline.warehouse.db import sql_text, statement
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline.warehouse.table_metadata import table_metadata

UNIT_KPI_MONTHLY = AssetKey(["kpi", "unit_kpi_monthly"])
CHISO = AssetKey(["staging", "chiso"])
# The explaining dossiers are read from staging (monthly partitions map to overlapping weeks).
STAGING = [
    AssetKey(["staging", "dossiers"]),
    AssetKey(["staging", "sync_records"]),
    AssetKey(["staging", "payments"]),
]

COMPONENT_LABELS = {"on_time": "đúng hạn", "online": "trực tuyến", "online_payment": "thanh toán"}


@asset(
    key=AssetKey(["kpi", "unit_score_monthly"]),
    partitions_def=monthly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    group_name="kpi",
    kinds={"postgres"},
    deps=[
        AssetDep(UNIT_KPI_MONTHLY),
        AssetDep(CHISO),
        *[AssetDep(k, partition_mapping=TimeWindowPartitionMapping()) for k in STAGING],
    ],
    description="766-style score per unit and month (Decision 766/QĐ-TTg), against the score"
    " the national portal's published figures give; largest differences with their dossiers.",
)
def unit_score_monthly(
    context: AssetExecutionContext, warehouse: WarehouseResource, config_files: ConfigFilesResource
) -> MaterializeResult:
    require_complete_history(context, warehouse, *context.partition_time_window)  # reads staging
    config = config_files.score()
    window = context.partition_time_window
    periods = PeriodRange.from_window(window.start, window.end, "month")
    start, end = periods.start, periods.end
    params = {"start": start, "end": end, "step": periods.step, "cfg": config.sql_json()}
    with warehouse.connect() as conn, conn.transaction():
        for table in ("kpi.unit_score_dossiers_monthly", "kpi.unit_score_monthly"):
            delete_periods(conn, table, params)
        rows = conn.execute(sql_text("kpi/insert_unit_score_monthly"), params).rowcount
        dossiers = conn.execute(sql_text("kpi/insert_unit_score_dossiers_monthly"), params).rowcount
        listed = _listed(conn, start, end)
        reasons = dict(
            conn.execute(
                statement(
                    "kpi/select_count_by", table="kpi.unit_score_dossiers_monthly", column="reason"
                ),
                {"start": start, "end": end},
            ).fetchall()
        )
        standard = table_metadata(conn, context.asset_key.path, rows)
    context.log.info(
        "kpi.unit_score_monthly: %d rows, %d units listed, %d explaining dossiers for %s .. %s",
        rows,
        len(listed),
        dossiers,
        start,
        end,
    )
    return MaterializeResult(
        metadata={
            **standard,
            "rows": rows,
            "units_listed": len(listed),
            "explaining_dossiers": dossiers,
            "dossiers_by_reason": MetadataValue.json(reasons),
            "largest_differences": MetadataValue.md(differences_markdown(listed, config)),
            "config_source": MetadataValue.path(config.source),
            "config": MetadataValue.json(config.as_dict()),
        }
    )


def _listed(conn, start: date, end: date) -> list[tuple]:
    return conn.execute(
        statement("kpi/select_score_differences"), {"start": start, "end": end}
    ).fetchall()


def differences_markdown(listed: list[tuple], config: ScoreConfig) -> str:
    if not listed:
        return (
            f"Không có đơn vị nào chênh lệch quá {config.tolerance_points} điểm so với điểm"
            " tính từ số liệu Cổng DVCQG công bố."
        )
    lines = [
        f"Chênh lệch điểm (phạm vi `{config.comparison_scope}`), lớn nhất trước:",
        "",
        "| Tháng | # | Đơn vị | Điểm của ta | Điểm theo Cổng DVCQG | Chênh lệch | Thành phần | Hồ sơ giải thích |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for month, rank, code, name, own, nat, diff, comps, n in listed:
        comps_text = ", ".join(COMPONENT_LABELS.get(c, c) for c in comps or [])
        lines.append(
            f"| {month:%m/%Y} | {rank} | {name} ({code}) | {own} | {nat} | {diff:+} |"
            f" {comps_text} | {n} |"
        )
    return "\n".join(lines)


ASSETS = [unit_score_monthly]
