"""Execute a plan (`plans.py`) against a `Definitions` and a Dagster instance, run by run.

Each run is recorded in the instance like any other (the UI shows it); a run that does not
succeed stops the plan with its root cause and the data-quality checks that failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from dagster import DagsterInstance, DagsterRunStatus, Definitions

from kpi_pipeline.orchestration.executor import pool_storage_connections
from kpi_pipeline.orchestration.plans import PlannedRun
from kpi_pipeline.quality.summary import check_lines

Say = Callable[[str], None]


class RunFailed(RuntimeError):
    """A planned run did not succeed; its message names the job and the partitions."""


def run_job(defs: Definitions, instance: DagsterInstance, planned: PlannedRun, say: Say):
    """One run of `planned.job` over its partition range, in this process."""
    job = defs.resolve_job_def(planned.job)
    if not job.asset_layer.executable_asset_keys:
        say(f"{planned.job}: nothing to run yet")
        return None
    ranged = planned.end != planned.start
    tags = (
        {
            "dagster/asset_partition_range_start": planned.start,
            "dagster/asset_partition_range_end": planned.end,
        }
        if ranged
        else {}
    )
    pool_storage_connections(instance)  # execute_in_process bypasses the job's executor
    t0 = time.monotonic()
    result = job.execute_in_process(
        instance=instance,
        partition_key=None if ranged else planned.start,
        tags=tags,
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        raise_on_error=False,
    )
    status = instance.get_run_by_id(result.run_id).status
    say(
        f"{planned.job} [{planned.span}] {status.value} in {time.monotonic() - t0:.1f}s"
        f" (run {result.run_id})"
    )
    checks = result.get_asset_check_evaluations()
    if checks:
        failed = [c for c in checks if not c.passed]
        say(f"  data-quality checks: {len(checks) - len(failed)} passed, {len(failed)} failed")
        for line in check_lines(checks):  # rule, count, share, units, example keys
            say(line)
    if status != DagsterRunStatus.SUCCESS:
        for event in result.all_events:
            if event.is_failure and event.event_specific_data is not None:
                err = getattr(event.event_specific_data, "error", None)
                while err is not None and err.cause is not None:
                    err = err.cause  # the root cause says what went wrong
                if err is not None:
                    for line in err.message.strip().splitlines():
                        say(f"  {event.step_key}: {line}")
        raise RunFailed(f"{planned.job} failed for {planned.span}")
    return result


def execute_plan(
    defs: Definitions, instance: DagsterInstance, plan: Iterable[PlannedRun], say: Say
) -> list:
    """Every run of `plan` in order; the first that fails stops the rest (`RunFailed`)."""
    return [run_job(defs, instance, planned, say) for planned in plan]
