"""Staging assets: conformed, latest-version tables the KPI assets read, and the quarantine."""

from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from kpi_pipeline.ingestion.coverage import (
    database_now,
    lock_source,
    mark_conformed,
    unconformed_keys,
)
from kpi_pipeline.partitions import monthly_partitions, weekly_partitions
from kpi_pipeline.staging.conform import DOSSIERS, PAYMENTS, SYNC_RECORDS, StagingSpec
from kpi_pipeline.staging.conform import replace_partitions as _replace
from kpi_pipeline.warehouse.db import execute_file, statement
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline.warehouse.table_metadata import table_metadata

REFERENCE_DEPS = [AssetKey(["ref", "units"]), AssetKey(["ref", "procedures"])]
# A staging step runs as soon as its raw step is done, before the run's other raw steps:
# while one portal's pulls run in their own thread (`ingestion/concurrent_pulls.py`), the
# other portal's records are conformed in PostgreSQL on the other core. Dagster's in-process
# executor takes the ready step of highest `dagster/priority` first.
STAGE_EARLY = {"dagster/priority": "1"}


def build_staging_asset(spec: StagingSpec, table: str, description: str, deps: list[AssetKey]):
    """A weekly staging asset: the run's weeks and every week pulled since it was last
    conformed (a pull reads through the week in progress: `ingestion/assets.py`), conformed in
    one transaction; the weeks beyond the run's own are recorded as their partitions'
    materialisations too."""

    @asset(
        name=table,
        key_prefix=["staging"],
        partitions_def=weekly_partitions,
        backfill_policy=BackfillPolicy.single_run(),
        group_name="staging",
        kinds={"postgres"},
        deps=[AssetDep(AssetKey(["raw", spec.source])), *deps],
        description=description,
        op_tags=STAGE_EARLY,
    )
    def _staging(context: AssetExecutionContext, warehouse: WarehouseResource):
        requested = list(context.partition_keys)
        with warehouse.connect() as conn, conn.transaction():
            lock_source(conn, spec.source)  # no pull of this source commits meanwhile
            conformed_at = database_now(conn)  # before reading raw: on the warehouse's clock
            keys = sorted(set(requested) | set(unconformed_keys(conn, spec.source)))
            counts = _replace(conn, spec, keys, context.run_id)
            mark_conformed(conn, spec.source, keys, conformed_at)
            standard = table_metadata(conn, context.asset_key.path, counts.staged)
        if counts.quarantined:
            context.log.warning(
                "%d %s records quarantined: %s", counts.quarantined, spec.source, counts.by_rule
            )
        meta = counts.as_metadata()
        meta["quarantined_by_rule"] = MetadataValue.json(meta["quarantined_by_rule"])
        meta["weeks_conformed"] = len(keys)
        yield MaterializeResult(metadata={**standard, **meta})
        # after the run's own partitions: the weeks conformed beyond them
        extra = [k for k in keys if k not in set(requested)]
        for key in extra:
            context.log_event(
                AssetMaterialization(
                    asset_key=context.asset_key,
                    partition=key,
                    metadata={"conformed_with_run_for": requested[-1]},
                )
            )

    return _staging


stg_dossiers = build_staging_asset(
    DOSSIERS,
    "dossiers",
    "Conformed dossiers, one row per MaHoSo in its latest known version (late changes included).",
    REFERENCE_DEPS,
)
stg_sync_records = build_staging_asset(
    SYNC_RECORDS,
    "sync_records",
    "What the national portal holds of each dossier, latest sync version.",
    [],
)
stg_payments = build_staging_asset(
    PAYMENTS,
    "payments",
    "National payment transactions, latest version of each MaGiaoDich.",
    [],
)


@asset(
    key=AssetKey(["staging", "chiso"]),
    partitions_def=monthly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    group_name="staging",
    kinds={"postgres"},
    deps=[AssetKey(["raw", "national_chiso"])],
    description="The national portal's monthly published rates per unit, typed.",
)
def stg_chiso(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    keys = list(context.partition_keys)
    with warehouse.connect() as conn, conn.transaction():
        execute_file(conn, "staging/replace_chiso", {"keys": keys, "run_id": context.run_id})
        (rows,) = conn.execute(statement("staging/select_chiso_count"), {"keys": keys}).fetchone()
        (bad,) = conn.execute(
            statement("staging/select_chiso_quarantined_count"), {"keys": keys}
        ).fetchone()
        raw, superseded = conn.execute(statement("staging/select_chiso_ruled_counts")).fetchone()
        standard = table_metadata(conn, context.asset_key.path, rows)
    return MaterializeResult(
        metadata={
            **standard,
            "raw_records": raw,
            "rows": rows,
            "quarantined": bad,
            "superseded_duplicates": superseded,
            "balanced": raw == rows + bad + superseded,
        }
    )


ASSETS = [stg_dossiers, stg_sync_records, stg_payments, stg_chiso]
