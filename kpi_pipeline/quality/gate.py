"""Blocking checks hold back the KPI assets downstream of them across runs too.

Inside one run Dagster skips the steps downstream of a failed blocking check. An asset
backfill (the UI's) launches the KPI run after the ingest run even when a blocking check
failed in it, and a KPI run launched by hand never looks at checks of earlier runs; so each KPI
asset asks, before it computes anything, whether the latest evaluation of any blocking check
on its ancestors, for the partitions its window reads, failed. The decision (`blocked_by`,
`hold_message`) is pure; `hold_if_blocked` gathers the evaluations from the instance.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FAILED = "FAILED"


@dataclass(frozen=True)
class CheckState:
    """The latest evaluation of one blocking check for one partition (None: unpartitioned)."""

    asset: str
    check: str
    partition: str | None
    status: str  # FAILED, SUCCEEDED, or PLANNED (never evaluated in its run)
    run_id: str


def blocked_by(states: Iterable[CheckState]) -> list[CheckState]:
    """The evaluations that hold the KPIs back: those whose latest result failed. A check
    planned but not evaluated (its run stopped earlier) holds nothing by itself: the check
    upstream that stopped the run has failed and is in `states` too."""
    return sorted(
        (s for s in states if s.status == FAILED),
        key=lambda s: (s.asset, s.check, s.partition or ""),
    )


def hold_message(asset: str, partitions: str, failures: Sequence[CheckState]) -> str:
    """What a user reads in the UI and the CLI: which check, asset, partitions, how to clear."""
    lines = [
        f"{asset} [{partitions}] not computed: {len(failures)} blocking data-quality check"
        f"{'s' if len(failures) > 1 else ''} upstream failed in earlier runs:"
    ]
    for f in failures:
        where = f"partition {f.partition}" if f.partition else "whole table"
        lines.append(f"  {f.asset} check '{f.check}' failed for {where} (run {f.run_id})")
    lines.append(
        "To clear: fix the data or its source, then re-materialise the checked asset for those "
        "partitions (`kpi-pipeline backfill --start … --end …`, or Materialize it in the UI) so "
        "that the check passes; then launch these KPIs again."
    )
    return "\n".join(lines)


def hold_if_blocked(context) -> None:
    """Raise `dagster.Failure` (`hold_message`) when a blocking check upstream of the running
    KPI asset failed for a partition its window reads; return quietly otherwise."""
    from dagster import Failure, MetadataValue

    states = list(_upstream_states(context))
    failures = blocked_by(states)
    if not failures:
        return
    keys = list(context.partition_keys)
    partitions = keys[0] if len(keys) == 1 else f"{keys[0]}..{keys[-1]}"
    assets = ", ".join(k.to_user_string() for k in sorted(context.selected_asset_keys))
    raise Failure(
        description=hold_message(assets, partitions, failures),
        metadata={
            "failed_checks": MetadataValue.json(
                [
                    {"asset": f.asset, "check": f.check, "partition": f.partition, "run": f.run_id}
                    for f in failures
                ]
            )
        },
        allow_retries=False,
    )


def _upstream_states(context) -> Iterable[CheckState]:
    """Latest evaluations of the blocking suites on the running assets' ancestors. The
    ancestors come from the job's graph (every job holds its assets' ancestors); the checks
    from `suites.SUITES`, which `checks.CHECKS` is built from, since a job's graph omits the
    checks of assets it does not run (a prefixed key ends with the suite's asset path)."""
    from dagster import AssetCheckKey

    from kpi_pipeline.quality.checks import PARTITIONS
    from kpi_pipeline.quality.suites import SUITES

    graph = context.job_def.asset_layer.asset_graph
    running = set(context.selected_asset_keys)
    ancestors = set().union(*(graph.get_ancestor_asset_keys(k) for k in running)) - running
    window = context.partition_time_window
    storage = context.instance.event_log_storage
    # One storage call per partitioning, not per check: each call first reads the asset
    # records of every key it is given (several queries), whatever the number of keys.
    by_period: dict[object, list] = {}
    for asset_key in sorted(ancestors):
        for suite in SUITES:
            if not suite.blocking or tuple(asset_key.path[-len(suite.asset) :]) != suite.asset:
                continue
            by_period.setdefault(suite.period, []).append(AssetCheckKey(asset_key, suite.check))
    for period, check_keys in by_period.items():
        partitions = _overlapping(PARTITIONS[period], window)
        infos = storage.get_asset_check_partition_info(check_keys, partition_keys=partitions)
        for info in infos:
            if partitions is None and info.partition_key is not None:
                continue
            yield CheckState(
                asset=info.check_key.asset_key.to_user_string(),
                check=info.check_key.name,
                partition=info.partition_key,
                status=info.latest_execution_status.value,
                run_id=info.latest_planned_run_id,
            )


def _overlapping(partitions_def, window) -> list[str] | None:
    """The keys of `partitions_def` whose windows overlap `window` (None: unpartitioned)."""
    from dagster import PartitionKeyRange

    if partitions_def is None:
        return None
    first = partitions_def.get_partition_key_for_timestamp(window.start.timestamp())
    last = partitions_def.get_partition_key_for_timestamp(window.end.timestamp() - 1e-3)
    return list(partitions_def.get_partition_keys_in_range(PartitionKeyRange(first, last)))
