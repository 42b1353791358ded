"""`kpi/unit_kpi_cumulative`: the quarter and the year to date through each month, and the same
periods a year before, by the contract's counting rules (domain/cumulative.py says which
periods; sql/kpi/insert_unit_kpi_cumulative.sql counts them with the monthly tables' functions).

Monthly partitions: a month's partition holds the periods running through it. A period that
starts before the warehouse's history start (KPI_HISTORY_START) is not computed (its dossiers
were never pulled) and is listed in the metadata; every other period passes the same
truthful-history guard as the monthly KPIs.
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
from kpi_pipeline.domain.calendar import local_midnight, week_start
from kpi_pipeline.domain.cumulative import CumulativePeriod, cumulative_periods, months_of
from kpi_pipeline.domain.kpi_config import KpiConfig
from kpi_pipeline.domain.provinces import REFORM_DAY
from kpi_pipeline.kpis.compute import PeriodRange, delete_periods
from kpi_pipeline.kpis.history import require_complete_history
from kpi_pipeline.partitions import monthly_partitions
from kpi_pipeline.quality.gate import hold_if_blocked
from kpi_pipeline.warehouse.db import sql_text, transaction_lock
from kpi_pipeline.warehouse.resource import WarehouseResource

TABLE = "unit_kpi_cumulative"


def window_periods(
    periods: PeriodRange, history_start: date
) -> tuple[list[CumulativePeriod], list[CumulativePeriod]]:
    """(computable, skipped): the cumulative periods of the window's months, split on whether
    they start at or after the first week of the history."""
    first = week_start(history_start)
    every = [
        p for m in months_of(periods.start, periods.end) for p in cumulative_periods(m, REFORM_DAY)
    ]
    return [p for p in every if p.start >= first], [p for p in every if p.start < first]


def period_params(periods: list[CumulativePeriod]) -> dict:
    return {
        "anchor_month": [p.anchor_month for p in periods],
        "period_kind": [p.kind for p in periods],
        "year_offset": [p.year_offset for p in periods],
        "unit_map": [p.unit_map for p in periods],
        "period_start": [p.start for p in periods],
        "period_end": [p.end for p in periods],
        "complete": [p.complete for p in periods],
    }


def replace_cumulative(
    conn, periods: PeriodRange, kept: list[CumulativePeriod], config: KpiConfig
) -> int:
    """Delete the window's anchor months and insert their periods (caller's transaction)."""
    # the window's bounds, its month `step` (the periods' months are counted by it) and cfg
    params = periods.params(config) | period_params(kept)
    transaction_lock(conn, f"kpi.{TABLE}")
    delete_periods(conn, f"kpi.{TABLE}", params, period="anchor_month")
    return conn.execute(sql_text(f"kpi/insert_{TABLE}"), params).rowcount


def _label(p: CumulativePeriod) -> str:
    return f"{p.anchor_month:%Y-%m} {p.kind} {p.start}..{p.end} ({p.unit_map})"


@asset(
    key=AssetKey(["kpi", TABLE]),
    partitions_def=monthly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    group_name="kpi",
    kinds={"postgres"},
    deps=[
        # after the month's own KPIs (which follow the weeks and staging); reads staging and ref
        AssetDep(
            AssetKey(["kpi", "unit_kpi_monthly"]), partition_mapping=TimeWindowPartitionMapping()
        ),
        AssetDep(AssetKey(["ref", "units"])),
        AssetDep(AssetKey(["ref", "procedures"])),
        AssetDep(AssetKey(["ref", "unit_lineage"])),
    ],
    description="Quarter and year to date through each month, and the same periods a year"
    " before, counted by the contract's rules over each whole period (today's map too where the"
    " comparison crosses the 2025 reform).",
)
def unit_kpi_cumulative(
    context: AssetExecutionContext, warehouse: WarehouseResource, config_files: ConfigFilesResource
):
    hold_if_blocked(context)
    window = context.partition_time_window
    periods = PeriodRange.from_window(window.start, window.end, "month")
    kept, skipped = window_periods(periods, warehouse.history_start_day)
    if kept:
        require_complete_history(
            context, warehouse, local_midnight(min(p.start for p in kept)), window.end
        )
    config = config_files.kpi()
    with warehouse.connect() as conn, conn.transaction():
        rows = replace_cumulative(conn, periods, kept, config)
    context.log.info(
        "kpi.%s: %d rows, %d periods, %d skipped", TABLE, rows, len(kept), len(skipped)
    )
    return MaterializeResult(
        metadata={
            "rows": rows,
            "periods": len(kept),
            "periods_before_history_start": MetadataValue.json([_label(p) for p in skipped]),
        }
    )


ASSETS = [unit_kpi_cumulative]
