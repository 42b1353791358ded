"""The quality suites as Dagster asset checks: thin wiring around `gx_runner.run_suite`.

One check per suite (`suites.SUITES`), on the asset key the suite names. Error suites are
blocking checks: when one fails, the downstream assets of the same run do not execute.
Warning suites report `AssetCheckSeverity.WARN` and block nothing.

Partitions: a check on a weekly (monthly) asset is itself partitioned like the asset
(partitioned asset checks are preview in Dagster 1.13; checked to work for a single partition
and for a single-run backfill range). It validates exactly the partitions the run materialised:
`context.partition_keys` / `context.partition_time_window`, one window even for a range.
Reference tables are unpartitioned and validated whole (they are small).
"""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from kpi_pipeline.partitions import monthly_partitions, weekly_partitions
from kpi_pipeline.quality.gx_runner import SuiteResult, run_suite
from kpi_pipeline.quality.suites import SUITES, Period, Suite
from kpi_pipeline.warehouse.resource import WarehouseResource

PARTITIONS = {"week": weekly_partitions, "month": monthly_partitions, None: None}
STEPS = {"week": "7 days", "month": "1 month"}


def period_params(context: AssetCheckExecutionContext, period: Period) -> dict[str, object]:
    """The checked partitions as query parameters: first/last partition key and the local
    dates [start, end) of their window (a backfill range arrives as one window)."""
    if period is None:
        return {}
    keys = list(context.partition_keys)
    window = context.partition_time_window
    return {
        "first_key": keys[0],
        "last_key": keys[-1],
        "start": window.start.date(),
        "end": window.end.date(),
        "step": STEPS[period],
    }


def check_result(suite: Suite, result: SuiteResult, params: dict) -> AssetCheckResult:
    """Pass/fail with what a data engineer needs first: the failing expectations, their
    unexpected counts, up to N example keys each, and the Data Docs of the run."""
    failures = result.failures
    failed = {f.name: _entry(f, result) for f in failures}
    metadata = {
        "failed_expectations": MetadataValue.json(failed),
        "unexpected_count": sum(f.unexpected_count or 0 for f in failures),
        "expectations_evaluated": len(result.outcomes),
        "gx_seconds": result.seconds,
    }
    if result.flagged:  # named and counted per unit; the week still publishes
        metadata["flagged_records"] = MetadataValue.json(
            {f.name: _entry(f, result) for f in result.flagged}
        )
        metadata["flagged_count"] = sum(f.unexpected_count or 0 for f in result.flagged)
    if failures or result.flagged:
        metadata["summary"] = MetadataValue.md(_summary_md(failures, result.flagged))
    if result.rows:
        metadata["rows_validated"] = MetadataValue.json(result.rows)
    if params:
        first, last = params["first_key"], params["last_key"]
        metadata["partitions"] = first if first == last else f"{first}..{last}"
    if result.docs_index is not None:
        metadata["data_docs"] = MetadataValue.path(str(result.docs_index))
    if failures:
        listed = ", ".join(f"{f.name} ({f.unexpected_count})" for f in failures)
        description = f"{len(failures)} of {len(result.outcomes)} expectations failed: {listed}"
    else:
        description = f"all {len(result.outcomes)} expectations met"
    if result.flagged:
        listed = ", ".join(f"{f.name} ({f.unexpected_count})" for f in result.flagged)
        description += f"; records flagged within the tolerated share: {listed}"
    return AssetCheckResult(
        passed=result.success,
        severity=AssetCheckSeverity.ERROR if suite.blocking else AssetCheckSeverity.WARN,
        metadata=metadata,
        description=description,
    )


def _entry(outcome, result: SuiteResult) -> dict:
    """One expectation in the metadata; a record rule adds its share and per-unit counts."""
    entry = {"unexpected_count": outcome.unexpected_count, "examples": outcome.examples}
    if outcome.record_rule:
        entry.update(
            share=outcome.share, max_share=result.max_record_share, by_unit=outcome.by_unit
        )
    return entry


def _summary_md(failures, flagged=()) -> str:
    lines = [
        "| expectation | verdict | unexpected | by unit | examples |",
        "|---|---|---:|---|---|",
    ]
    for verdict, outcomes in (("failed", failures), ("flagged", flagged)):
        for f in outcomes:
            examples = ", ".join(f"`{e}`" for e in f.examples)
            units = ", ".join(f"{u}: {n}" for u, n in f.by_unit.items())
            lines.append(f"| {f.name} | {verdict} | {f.unexpected_count} | {units} | {examples} |")
    return "\n".join(lines)


def build_check(suite: Suite):
    @asset_check(
        asset=AssetKey(list(suite.asset)),
        name=suite.check,
        description=suite.description,
        blocking=suite.blocking,
        partitions_def=PARTITIONS[suite.period],
        additional_deps=[AssetKey(list(k)) for k in suite.additional_deps] or None,
    )
    def _check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> AssetCheckResult:
        params = period_params(context, suite.period)
        result = run_suite(warehouse.database_url, suite, params, run_id=context.run.run_id)
        outcome = check_result(suite, result, params)
        context.log.info("%s: %s (%.2f s)", suite.name, outcome.description, result.seconds)
        return outcome

    return _check


CHECKS = [build_check(s) for s in SUITES]
