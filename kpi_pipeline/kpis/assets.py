"""KPI assets: per-unit KPI tables and roll-ups, drill-down and reconciliation (schema `kpi`).

Thin: each asset replaces its partition window's rows (a backfill range is one window, one
run) with the SQL of `sql/kpi/`, in one transaction, and publishes counts as metadata.
Monthly assets read staging directly (weeks do not nest in months); their dependency on the
weekly staging assets maps a month to the weeks overlapping it.
"""

from collections.abc import Callable

from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    TimeWindowPartitionMapping,
    asset,
    multi_asset,
)

from kpi_pipeline.config_files import ConfigFilesResource
from kpi_pipeline.kpis.compute import PeriodRange, count_by, replace_table, unit_kpi_metadata
from kpi_pipeline.kpis.history import require_complete_history
from kpi_pipeline.partitions import monthly_partitions, weekly_partitions
from kpi_pipeline.quality.gate import hold_if_blocked
from kpi_pipeline.warehouse.db import statement
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline.warehouse.table_metadata import table_metadata

GROUP = "kpi"
KINDS = {"postgres"}

# Upstream keys (built by the reference and staging assets).
DOSSIERS = AssetKey(["staging", "dossiers"])
PAYMENTS = AssetKey(["staging", "payments"])
SYNC_RECORDS = AssetKey(["staging", "sync_records"])
CHISO = AssetKey(["staging", "chiso"])
UNITS = AssetKey(["ref", "units"])
PROCEDURES = AssetKey(["ref", "procedures"])
HOLIDAYS = AssetKey(["ref", "holidays"])
UNIT_KPI_MONTHLY = AssetKey(["kpi", "unit_kpi_monthly"])


def _deps(staging: list[AssetKey], ref: list[AssetKey]) -> list[AssetDep]:
    """Staging deps with an explicit time-window mapping (identity for weeks, overlapping weeks
    for a month, the month itself for monthly staging); unpartitioned reference deps as is."""
    return [AssetDep(k, partition_mapping=TimeWindowPartitionMapping()) for k in staging] + [
        AssetDep(k) for k in ref
    ]


def _periods(context: AssetExecutionContext, partitions_def: PartitionsDefinition) -> PeriodRange:
    window = context.partition_time_window
    kind = "week" if partitions_def is weekly_partitions else "month"
    return PeriodRange.from_window(window.start, window.end, kind)


def _window_asset(
    table: str,
    partitions_def: PartitionsDefinition,
    description: str,
    deps: list[AssetDep],
    metadata: Callable[[object, str, PeriodRange, int], dict],
):
    @asset(
        key=AssetKey(["kpi", table]),
        partitions_def=partitions_def,
        backfill_policy=BackfillPolicy.single_run(),
        group_name=GROUP,
        kinds=KINDS,
        deps=deps,
        description=description,
    )
    def _kpi_table(
        context: AssetExecutionContext,
        warehouse: WarehouseResource,
        config_files: ConfigFilesResource,
    ):
        hold_if_blocked(context)  # a blocking check upstream failed, in this run or an earlier one
        require_complete_history(context, warehouse, *context.partition_time_window)
        config = config_files.kpi()
        periods = _periods(context, partitions_def)
        with warehouse.connect() as conn, conn.transaction():
            rows = replace_table(conn, table, periods, config)
            meta = metadata(conn, table, periods, rows)
            standard = table_metadata(conn, context.asset_key.path, rows)
        context.log.info("kpi.%s: %d rows for %s .. %s", table, rows, periods.start, periods.end)
        return MaterializeResult(metadata={**standard, **_wrap(meta)})

    return _kpi_table


def _wrap(meta: dict) -> dict:
    out = {}
    for k, v in meta.items():
        if k.endswith("_md"):
            out[k.removesuffix("_md")] = MetadataValue.md(v)
        elif isinstance(v, dict):
            out[k] = MetadataValue.json({kk: _plain(vv) for kk, vv in v.items()})
        elif v is None:
            out[k] = MetadataValue.text("-")
        else:
            out[k] = v
    if "units_by_band" in meta:  # flat counts too, so the UI can plot them over partitions
        for band, n in meta["units_by_band"].items():
            out[f"units_{band}"] = MetadataValue.int(n)
    return out


def _plain(v):
    """JSON-safe: exact decimals as their text (no float rounding)."""
    from decimal import Decimal

    return str(v) if isinstance(v, Decimal) else v


def _issues(column: str):
    def metadata(conn, table: str, periods: PeriodRange, rows: int) -> dict:
        return {"rows": rows, f"by_{column}": count_by(conn, table, column, periods)}

    return metadata


def _rows(conn, table: str, periods: PeriodRange, rows: int) -> dict:
    return {"rows": rows}


def _overdue(conn, table: str, periods: PeriodRange, rows: int) -> dict:
    units, worst = conn.execute(
        statement("kpi/select_overdue_summary", table=f"kpi.{table}"),
        {"start": periods.start, "end": periods.end},
    ).fetchone()
    return {"rows": rows, "units_with_overdue": units, "max_days_overdue": worst or 0}


WEEK_STAGING = [DOSSIERS, PAYMENTS]
REF = [UNITS, PROCEDURES]
# Monthly KPIs read staging, not the weekly KPIs; this edge (a month after the weeks that
# overlap it) makes the weekly KPI assets the only roots of the KPI group, so that one range
# of weeks backfills the whole group from the UI's asset graph (the UI and Dagster's asset
# backfill refuse a range when a selection's roots have different partitionings), and
# orders a month after its weeks in that backfill.
AFTER_WEEKS = AssetDep(
    AssetKey(["kpi", "unit_kpi_weekly"]), partition_mapping=TimeWindowPartitionMapping()
)

# The dossiers of a window are counted once per unit and procedure (the payment look-ups
# included), and the unit tables on both maps and the drill-downs of the same period kind read
# those counts: four counts of the same dossiers were most of a weekly recompute (issue 17).
unit_procedure_weekly = _window_asset(
    "unit_procedure_weekly",
    weekly_partitions,
    "Per week, unit and procedure: the contract's counts, counted once from the week's dossiers "
    "for the weekly unit tables (both maps) and drill-downs.",
    _deps(WEEK_STAGING, REF),
    _rows,
)
unit_procedure_monthly = _window_asset(
    "unit_procedure_monthly",
    monthly_partitions,
    "Per month, unit and procedure: the contract's counts, counted once from the month's dossiers "
    "for the monthly unit tables (both maps) and drill-downs.",
    [*_deps(WEEK_STAGING, REF), AFTER_WEEKS],
    _rows,
)
WEEK_COUNTS = _deps([AssetKey(["kpi", "unit_procedure_weekly"])], REF)
MONTH_COUNTS = _deps([AssetKey(["kpi", "unit_procedure_monthly"])], REF)

unit_kpi_weekly = _window_asset(
    "unit_kpi_weekly",
    weekly_partitions,
    "Per-unit weekly KPIs (own and roll-up), rates and colour bands; Friday weeks.",
    WEEK_COUNTS,
    unit_kpi_metadata,
)
unit_kpi_monthly = _window_asset(
    "unit_kpi_monthly",
    monthly_partitions,
    "Per-unit monthly KPIs (own and roll-up), rates, bands and peak-month targets, from the "
    "month's own counts.",
    [*MONTH_COUNTS, AFTER_WEEKS],
    unit_kpi_metadata,
)
drilldown_procedures_weekly = _window_asset(
    "drilldown_procedures_weekly",
    weekly_partitions,
    "Per unit and week, the procedures behind most late and most not-online dossiers.",
    WEEK_COUNTS,
    _rows,
)
drilldown_procedures_monthly = _window_asset(
    "drilldown_procedures_monthly",
    monthly_partitions,
    "Per unit and month, the procedures behind most late and most not-online dossiers.",
    [*MONTH_COUNTS, AFTER_WEEKS],
    _rows,
)
overdue_dossiers_weekly = _window_asset(
    "overdue_dossiers_weekly",
    weekly_partitions,
    "Dossiers overdue and still open at each week's end, with working days overdue.",
    _deps(WEEK_STAGING, [*REF, HOLIDAYS]),
    _overdue,
)
overdue_dossiers_monthly = _window_asset(
    "overdue_dossiers_monthly",
    monthly_partitions,
    "Dossiers overdue and still open at each month's end, with working days overdue.",
    [*_deps(WEEK_STAGING, [*REF, HOLIDAYS]), AFTER_WEEKS],
    _overdue,
)
reconciliation_sync_weekly = _window_asset(
    "reconciliation_sync_weekly",
    weekly_partitions,
    "Dossiers of the week missing from the national sync or held there with another status.",
    _deps([*WEEK_STAGING, SYNC_RECORDS], REF),
    _issues("issue"),
)
reconciliation_payments_weekly = _window_asset(
    "reconciliation_payments_weekly",
    weekly_partitions,
    "Dossiers of the week whose provincial and national online-payment records disagree.",
    _deps(WEEK_STAGING, REF),
    _issues("issue"),
)

CHISO_TABLES = ("reconciliation_chiso_monthly", "reconciliation_chiso_dossiers_monthly")


@multi_asset(
    specs=[
        AssetSpec(
            AssetKey(["kpi", "reconciliation_chiso_monthly"]),
            description="Our monthly rates against the national portal's (chiso); > 0.5 pp flagged.",
            group_name=GROUP,
            kinds=KINDS,
            deps=[
                AssetDep(UNIT_KPI_MONTHLY, partition_mapping=TimeWindowPartitionMapping()),
                *_deps([CHISO], []),
            ],
        ),
        AssetSpec(
            AssetKey(["kpi", "reconciliation_chiso_dossiers_monthly"]),
            description="The dossiers explaining each flagged difference with the national chiso.",
            group_name=GROUP,
            kinds=KINDS,
            deps=[
                AssetDep(UNIT_KPI_MONTHLY, partition_mapping=TimeWindowPartitionMapping()),
                *_deps([CHISO, *WEEK_STAGING, SYNC_RECORDS], REF),
            ],
        ),
    ],
    partitions_def=monthly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    name="kpi__reconciliation_chiso",
)
def reconciliation_chiso(
    context: AssetExecutionContext, warehouse: WarehouseResource, config_files: ConfigFilesResource
):
    """Both chiso tables in one transaction: the comparison, then its explaining dossiers."""
    hold_if_blocked(context)  # a blocking check upstream failed, in this run or an earlier one
    require_complete_history(context, warehouse, *context.partition_time_window)
    config = config_files.kpi()
    periods = _periods(context, monthly_partitions)
    with warehouse.connect() as conn, conn.transaction():
        rows = {t: replace_table(conn, t, periods, config) for t in CHISO_TABLES}
        window = {"start": periods.start, "end": periods.end}
        flagged = dict(
            conn.execute(statement("kpi/select_flagged_chiso_by_kpi"), window).fetchall()
        )
        unexplained = conn.execute(statement("kpi/select_unexplained_chiso"), window).fetchone()[0]
        reasons = count_by(conn, CHISO_TABLES[1], "reason", periods)
        # Keys as this location defines them (a province location prefixes them: locations.py).
        key = {k.path[-1]: k for k in context.assets_def.keys}
        standard = {t: table_metadata(conn, key[t].path, rows[t]) for t in CHISO_TABLES}
    yield MaterializeResult(
        asset_key=key[CHISO_TABLES[0]],
        metadata={
            **standard[CHISO_TABLES[0]],
            "rows": rows[CHISO_TABLES[0]],
            "flagged": sum(flagged.values()),
            "flagged_unexplained": unexplained,
            "flagged_by_kpi": MetadataValue.json(flagged),
        },
    )
    yield MaterializeResult(
        asset_key=key[CHISO_TABLES[1]],
        metadata={
            **standard[CHISO_TABLES[1]],
            "rows": rows[CHISO_TABLES[1]],
            "by_reason": MetadataValue.json(reasons),
        },
    )


ASSETS = [
    unit_procedure_weekly,
    unit_procedure_monthly,
    unit_kpi_weekly,
    unit_kpi_monthly,
    drilldown_procedures_weekly,
    drilldown_procedures_monthly,
    overdue_dossiers_weekly,
    overdue_dossiers_monthly,
    reconciliation_sync_weekly,
    reconciliation_payments_weekly,
    reconciliation_chiso,
]
