"""No KPI period from a partial change history, whatever launched the run.

Every KPI asset calls `require_complete_history` before it replaces its window: a schedule, a
CLI or UI backfill, a hand materialisation. Where the warehouse's change history
(`raw.coverage`, `domain/history.py`) does not hold every change from the history start
through the period's end, the step fails at once, naming the missing windows and the command
that fills them, and nothing of the period is replaced.
"""

from __future__ import annotations

from datetime import datetime

from dagster import AssetExecutionContext, Failure, MetadataValue

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.domain.history import period_problems
from kpi_pipeline.ingestion.coverage import database_now, history_states
from kpi_pipeline.warehouse.resource import WarehouseResource

FILL_HINT = (
    "Fill it with `kpi-pipeline sync` (or, in the Dagster UI, materialize weekly_ingest_job for"
    " the latest week: every pull reads from the first missing window through the week in"
    " progress), then run this step again."
)


def require_complete_history(
    context: AssetExecutionContext, warehouse: WarehouseResource, start: datetime, end: datetime
) -> None:
    with warehouse.connect() as conn:
        states = history_states(conn, warehouse.history_start_day)
        now = database_now(conn)
    problems = period_problems(states, start, end, warehouse.history_start_day, now)
    if not problems:
        as_of = min(s.as_of for s in states)
        context.log.info("change history complete through %s", as_of.astimezone(TZ).isoformat())
        return
    shown = problems[:12] + ([f"... and {len(problems) - 12} more"] if len(problems) > 12 else [])
    period = f"{start.astimezone(TZ):%Y-%m-%d} .. {end.astimezone(TZ):%Y-%m-%d}"
    raise Failure(
        description=(
            f"the change history is incomplete, so no KPI of {period} is published:\n  "
            + "\n  ".join(shown)
            + "\n"
            + FILL_HINT
        ),
        metadata={"history_problems": MetadataValue.json(problems)},
        allow_retries=False,
    )
