"""The run coordinator of `dagster.yaml`: Dagster's queue, with the run tags the assets declare.

Why a `QueuedRunCoordinator` subclass (Dagster documents custom run coordinators as the place
to adjust a run at submission) and not another Dagster 1.13 mechanism:
- the daemon's asset-backfill code creates its runs with the backfill's tags only, and the
  UI's launch dialog sends only the tags a user types (plus `dagster/from_ui`): neither knows
  the province or whether the run pulls a portal;
- `Definitions` has no run tags for the implicit asset job those runs execute;
- pools (`pool=` on assets, `concurrency.pools.granularity: run`) would limit runs too, but
  their limits live in the instance's database rather than `dagster.yaml`, they have no
  per-unique-value limit (one run per province, whichever province), and the runs would
  still lack the tags the CLI's runs carry and the UI filters on.
`submit_run` is where every launch path meets (webserver, schedules, sensors, asset
backfills) before the queue's tag concurrency limits are applied, so the tags added there are
the ones those limits count.
"""

from __future__ import annotations

from dagster import QueuedRunCoordinator, SubmitRunContext

from kpi_pipeline.orchestration.run_tags import run_tags_from_assets


class KpiRunCoordinator(QueuedRunCoordinator):
    """Queue runs as `QueuedRunCoordinator` does, after adding the run tags declared by the
    assets a run materialises (`run_tags.py`) where the run does not already carry them."""

    def submit_run(self, context: SubmitRunContext):
        run = context.dagster_run
        missing = {k: v for k, v in self._declared(context).items() if k not in run.tags}
        if missing:
            self._instance.add_run_tags(run.run_id, missing)
            run = self._instance.get_run_by_id(run.run_id)
            context = SubmitRunContext(run, context.workspace)
        return super().submit_run(context)

    @staticmethod
    def _declared(context: SubmitRunContext) -> dict[str, str]:
        keys = context.dagster_run.asset_selection
        if not keys:  # a job's run: the job's own tags (jobs.py)
            return {}
        graph = context.workspace.asset_graph
        return run_tags_from_assets(graph.get(k).tags for k in keys if graph.has(k))
