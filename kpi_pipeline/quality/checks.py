"""The quality suites as Dagster asset checks: thin wiring around `gx_runner.run_suite`.

One check per suite (`suites.SUITES`), on the asset key the suite names. Error suites are
blocking checks: when one fails, the downstream assets of the same run do not execute.
Warning suites report `AssetCheckSeverity.WARN` and block nothing.

Partitions: a check on a weekly (monthly) asset is itself partitioned like the asset
(partitioned asset checks are preview in Dagster 1.13; checked to work for a single partition
and for a single-run backfill range). It validates exactly the partitions the run materialised:
`context.partition_keys` / `context.partition_time_window`, one window even for a range.
Reference tables are unpartitioned and validated whole (they are small).

Range runs: Dagster stores an `AssetCheckResult` of a range step with no partition (it has
no partition key), so the UI would show one check Skipped, Failed and Passed at once. A range
check therefore records one `AssetCheckEvaluation` per partition it checked
(`range_evaluations`). The suite runs once over the range; when it fails, it runs again per
partition so that each partition gets its own status and examples (the common, passing case
costs one validation, a failure one more per partition).
"""

from collections.abc import Iterator
from dataclasses import dataclass, replace

from dagster import (
    AssetCheckEvaluation,
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    AssetRecordsFilter,
    MetadataValue,
    Output,
    asset_check,
)

from kpi_pipeline.artifact_links import artifact_url
from kpi_pipeline.artifacts import ArtifactStoreResource
from kpi_pipeline.config_files import ConfigFilesResource
from kpi_pipeline.domain.calendar import PERIOD_STEPS
from kpi_pipeline.domain.quality_config import QualityConfig
from kpi_pipeline.partitions import monthly_partitions, weekly_partitions
from kpi_pipeline.quality.gx_runner import SuiteResult, run_suite
from kpi_pipeline.quality.suites import SUITES, Period, Suite
from kpi_pipeline.warehouse.resource import WarehouseResource

PARTITIONS = {"week": weekly_partitions, "month": monthly_partitions, None: None}


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
        "step": PERIOD_STEPS[period],
    }


def partition_params(partitions_def, key: str, period: Period) -> dict[str, object]:
    """`period_params` for the one partition `key`."""
    window = partitions_def.time_window_for_partition_key(key)
    return {
        "first_key": key,
        "last_key": key,
        "start": window.start.date(),
        "end": window.end.date(),
        "step": PERIOD_STEPS[period],
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
        url = artifact_url(result.docs_index)  # served by `kpi-pipeline dev`: opens from the UI
        if url:
            metadata["data_docs_url"] = MetadataValue.url(url)
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


@dataclass(frozen=True)
class SuiteRun:
    """What every suite of a check step is validated with."""

    database_url: str
    run_id: str
    config: QualityConfig
    artifacts: ArtifactStoreResource


def validate(
    run: SuiteRun, suite: Suite, params: dict, partition: str | None = None
) -> SuiteResult:
    """`run_suite` with the run's configuration, its Data Docs written to the artifact store
    (`gx_docs/<run_id>/<suite>[/<partition>]`) and named by their place there."""
    artifacts = run.artifacts
    with artifacts.folder("gx_docs", download=False) as root:
        parts = (run.run_id, suite.name, *([partition] if partition else []))
        result = run_suite(
            run.database_url,
            suite,
            params,
            config=run.config,
            run_id=run.run_id,
            docs_root=root,
            docs_dir=root.joinpath(*parts) if partition else None,
            share_static=artifacts.is_local(),
        )
    if result.docs_index is None:
        return result
    where = result.docs_index.relative_to(root).parts
    return replace(result, docs_index=artifacts.location("gx_docs", *where))


def range_evaluations(
    context: AssetCheckExecutionContext, suite: Suite, run: SuiteRun
) -> Iterator[AssetCheckEvaluation]:
    """One evaluation per partition of a range step: the range's outcome for each partition
    when it passed, else each partition's own (validated alone)."""
    params = period_params(context, suite.period)
    whole = validate(run, suite, params)
    context.log.info("%s over %s..%s: success=%s", suite.name, params["first_key"],
                     params["last_key"], whole.success)  # fmt: skip
    partitions_def = PARTITIONS[suite.period]
    (spec,) = context.check_specs
    targets = _targets(context, spec.asset_key, list(context.partition_keys))
    for key in context.partition_keys:
        own = partition_params(partitions_def, key, suite.period)
        if whole.success:
            result, shown = whole, params
        else:
            result, shown = validate(run, suite, own, partition=key), own
        outcome = check_result(suite, result, shown)
        metadata = {**outcome.metadata, "partitions": MetadataValue.text(key)}
        if shown is params:
            metadata["validated_with"] = MetadataValue.text(
                f"{params['first_key']}..{params['last_key']}"
            )
        yield AssetCheckEvaluation(
            asset_key=spec.asset_key,
            check_name=spec.name,
            passed=outcome.passed,
            metadata=metadata,
            severity=outcome.severity,
            description=outcome.description,
            blocking=suite.blocking,
            partition=key,
            target_materialization_data=targets.get(key),
        )


def _targets(context: AssetCheckExecutionContext, asset_key: AssetKey, partitions: list[str]):
    """The latest materialisation of each of `partitions` (the UI links an evaluation to it),
    read newest first in pages of one range's size: one query when the run just wrote them.

    `AssetCheckEvaluationTargetMaterializationData` is not exported by `dagster` (1.13), yet it
    is the type `AssetCheckEvaluation.target_materialization_data` takes, and a range step
    must yield `AssetCheckEvaluation`s (`AssetCheckResult` takes no partition)."""
    from dagster._core.definitions.asset_checks.asset_check_evaluation import (
        AssetCheckEvaluationTargetMaterializationData,
    )

    wanted, found, cursor = set(partitions), {}, None
    while wanted - found.keys():
        page = context.instance.fetch_materializations(
            AssetRecordsFilter(asset_key=asset_key, asset_partitions=sorted(wanted - found.keys())),
            limit=len(partitions),
            cursor=cursor,
        )
        for mat in page.records:
            if mat.partition_key in wanted and mat.partition_key not in found:
                found[mat.partition_key] = AssetCheckEvaluationTargetMaterializationData(
                    storage_id=mat.storage_id, run_id=mat.run_id, timestamp=mat.timestamp
                )
        if not page.has_more:
            break
        cursor = page.cursor
    return found


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
        context: AssetCheckExecutionContext,
        warehouse: WarehouseResource,
        config_files: ConfigFilesResource,
        artifacts: ArtifactStoreResource,
    ):
        run = SuiteRun(
            warehouse.database_url, context.run.run_id, config_files.quality(), artifacts
        )
        if suite.period is not None and len(context.partition_keys) > 1:
            yield from range_evaluations(context, suite, run)
            yield Output(None)  # the check's output, which same-run downstream steps wait on
            return
        params = period_params(context, suite.period)
        result = validate(run, suite, params)
        outcome = check_result(suite, result, params)
        context.log.info("%s: %s (%.2f s)", suite.name, outcome.description, result.seconds)
        yield outcome

    return _check


CHECKS = [build_check(s) for s in SUITES]
