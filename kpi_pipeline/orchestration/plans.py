"""What `kpi-pipeline run`, `sync` and `backfill` launch, as plans: pure, tested, no Dagster run.

A plan is a list of runs, each one job over one partition range. Ingestion asks for few weeks:
every pull reads from the first week the change history lacks through the week in progress
(`ingestion/assets.py`, `domain/history.py`), so a fresh warehouse syncs its whole history on
its first run and later runs read what is new, whatever range they name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kpi_pipeline.domain.calendar import (
    TZ,
    latest_complete_month,
    latest_complete_week,
    week_start,
)

INGEST, WEEKLY_KPIS, WEEKLY_REPORT, MONTHLY = (
    "weekly_ingest_job",
    "weekly_kpi_job",
    "weekly_report_job",
    "monthly_job",
)
# A long backfill goes in runs of at most this many partitions: a run's step keeps one
# transaction per table, and a failure costs a bounded redo (KPI_MAX_WEEKS_PER_RUN).
DEFAULT_MAX_WEEKS_PER_RUN = 53
MONTHS_PER_RUN = 12
# The report's 12-week trend and 13-week heatmap need a quarter of weekly KPIs.
TREND_WEEKS = 12


@dataclass(frozen=True)
class PlannedRun:
    job: str
    start: str  # first partition key
    end: str  # last partition key (== start: one partition)

    @property
    def span(self) -> str:
        return self.start if self.start == self.end else f"{self.start}..{self.end}"


def _weeks(first: date, last: date) -> list[date]:
    return [first + timedelta(days=7 * i) for i in range((last - first).days // 7 + 1)]


def _months(first: date, last: date) -> list[date]:
    out, m = [], first
    while m <= last:
        out.append(m)
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return out


def _chunks(job: str, keys: list[date], size: int) -> list[PlannedRun]:
    return [
        PlannedRun(job, part[0].isoformat(), part[-1].isoformat())
        for part in (keys[i : i + size] for i in range(0, len(keys), size))
    ]


def sync_plan(now: datetime) -> list[PlannedRun]:
    """Bring the change history up to date: one ingestion run for the week in progress."""
    current = week_start(now.astimezone(TZ).date()).isoformat()
    return [PlannedRun(INGEST, current, current)]


def run_plan(now: datetime, history_start: date | None = None) -> list[PlannedRun]:
    """`kpi-pipeline run`: the latest complete week and month with a quarter of trend.

    Ingestion names the report week and the week in progress (their data-quality checks run);
    the pull itself reaches back as far as the history needs. The trend and the month start no
    earlier than the history (`KPI_HISTORY_START`): before it, no period can be computed.
    """
    week = latest_complete_week(now)
    month = latest_complete_month(now)
    current = week_start(now.astimezone(TZ).date())
    trend = week - timedelta(weeks=TREND_WEEKS)
    if history_start is not None:
        trend = max(trend, week_start(history_start))
    plan = [PlannedRun(INGEST, week.isoformat(), current.isoformat())]
    if trend < week:
        plan.append(
            PlannedRun(WEEKLY_KPIS, trend.isoformat(), (week - timedelta(weeks=1)).isoformat())
        )
    plan.append(PlannedRun(WEEKLY_REPORT, week.isoformat(), week.isoformat()))
    if history_start is None or month >= week_start(history_start):
        plan.append(PlannedRun(MONTHLY, month.isoformat(), month.isoformat()))
    return plan


def backfill_plan(
    weeks: tuple[str, str] | None,
    months: tuple[str, str] | None,
    now: datetime,
    repull: bool = False,
    max_weeks_per_run: int = DEFAULT_MAX_WEEKS_PER_RUN,
) -> list[PlannedRun]:
    """Every weekly and monthly partition of a range, after the history is brought up to date.

    `repull` reads the range's windows again (and, as every pull, all later ones); otherwise
    the history already held serves, and only what is new since the latest pull is read.
    Weekly and monthly partitions go in runs of at most `max_weeks_per_run` weeks and
    `MONTHS_PER_RUN` months.
    """
    if max_weeks_per_run < 1:
        raise ValueError("at most 0 weeks per run: nothing could run")
    current = week_start(now.astimezone(TZ).date()).isoformat()
    first = weeks[0] if (repull and weeks) else current
    plan = [PlannedRun(INGEST, min(first, current), current)]
    if weeks:
        keys = _weeks(date.fromisoformat(weeks[0]), date.fromisoformat(weeks[1]))
        plan += _chunks(WEEKLY_REPORT, keys, max_weeks_per_run)
    if months:
        keys = _months(date.fromisoformat(months[0]), date.fromisoformat(months[1]))
        plan += _chunks(MONTHLY, keys, MONTHS_PER_RUN)
    return plan


def partition_range(
    partitions_def, start: date, end: date, now: datetime
) -> tuple[str, str] | None:
    """First and last partition keys whose window overlaps the days [start, end]."""
    keys = [
        k
        for k in partitions_def.get_partition_keys(current_time=now)
        if _overlaps(partitions_def.time_window_for_partition_key(k), start, end)
    ]
    return (keys[0], keys[-1]) if keys else None


def _overlaps(window, start: date, end: date) -> bool:
    return window.start.date() <= end and window.end.date() > start
