"""Every suite of suites.py as a Dagster asset check, next to the asset it validates.

A check validates the rows of the partitions its run materialised (read from the run's
partition tags; a check run on its own validates the asset's latest materialised partition).
ERROR suites are blocking: their failure stops the downstream KPI assets in the same run.
"""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    PartitionKeyRange,
    asset_check,
)

from kpi_pipeline.partitions import monthly_partitions, weekly_partitions
from kpi_pipeline.quality.config import load_quality_config
from kpi_pipeline.quality.gx_runner import SuiteOutcome, run_suite
from kpi_pipeline.quality.suites import SUITES, Suite
from kpi_pipeline.warehouse.resource import WarehouseResource

RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def _partitions_def(suite: Suite):
    if suite.asset[0] == "ref":
        return None
    return monthly_partitions if suite.asset[-1].endswith("_monthly") else weekly_partitions


def run_partition_keys(context: AssetCheckExecutionContext, suite: Suite) -> list[str] | None:
    partitions = _partitions_def(suite)
    if partitions is None:
        return None
    tags = context.op_execution_context.run.tags
    if RANGE_START in tags and RANGE_END in tags:
        return partitions.get_partition_keys_in_range(
            PartitionKeyRange(tags[RANGE_START], tags[RANGE_END])
        )
    if "dagster/partition" in tags:
        return [tags["dagster/partition"]]
    (spec,) = context.check_specs  # the asset as this location names it (key prefix included)
    event = context.instance.get_latest_materialization_event(spec.asset_key)
    partition = event.dagster_event.partition if event and event.dagster_event else None
    return [partition] if partition else []


def _metadata(outcome: SuiteOutcome, keys: list[str] | None) -> dict:
    failed = outcome.failed
    table = "\n".join(
        f"| {o.description} | {o.unexpected_count if o.unexpected_count is not None else '—'} "
        f"| {', '.join(map(str, o.examples[:5])) or (o.error or '')} |"
        for o in failed
    )
    meta = {
        "suite": outcome.suite,
        "rows_validated": outcome.rows if outcome.rows is not None else -1,
        "expectations": len(outcome.outcomes),
        "failed_expectations": len(failed),
        "partitions": MetadataValue.json(keys or []),
        "unexpected_counts": MetadataValue.json(
            {o.description: o.unexpected_count for o in failed}
        ),
        "example_keys": MetadataValue.json({o.description: o.examples for o in failed}),
    }
    if failed:
        meta["failures"] = MetadataValue.md(
            "| expectation | unexpected | examples |\n|---|---|---|\n" + table
        )
    if outcome.docs_index is not None:
        meta["data_docs"] = MetadataValue.path(str(outcome.docs_index))
    return meta


def build_check(suite: Suite):
    @asset_check(
        asset=AssetKey(list(suite.asset)),
        name=suite.name,
        blocking=suite.severity == "ERROR",
        description=f"[GX, {suite.severity}] {suite.description}",
    )
    def _check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> AssetCheckResult:
        config = load_quality_config()
        keys = run_partition_keys(context, suite)
        with warehouse.connect() as conn:
            query = suite.batch_query(conn, keys)
        outcome = run_suite(
            warehouse.database_url,
            suite.name,
            query,
            suite.expectations(config),
            context.op_execution_context.run_id,
            key_column=suite.key_column,
            examples=config.examples,
        )
        severity = (
            AssetCheckSeverity.ERROR if suite.severity == "ERROR" else AssetCheckSeverity.WARN
        )
        return AssetCheckResult(
            passed=outcome.success, severity=severity, metadata=_metadata(outcome, keys)
        )

    return _check


CHECKS = [build_check(s) for s in SUITES]
