"""`kpi-pipeline backfill`: every weekly and monthly partition of a date range, as few runs.

The weekly assets run once over the whole range of weeks and the monthly assets once over the
range of months (single-run backfill policies), on the configured warehouse and portals (the
embedded default when nothing is configured), recorded in the Dagster instance like any run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from kpi_pipeline.domain.calendar import TZ, week_start
from kpi_pipeline.partitions import monthly_partitions, weekly_partitions


def partition_range(partitions_def, start: date, end: date) -> tuple[str, str] | None:
    """First and last partition keys whose window overlaps the days [start, end]."""
    keys = [
        k
        for k in partitions_def.get_partition_keys(current_time=datetime.now(TZ))
        if _overlaps(partitions_def.time_window_for_partition_key(k), start, end)
    ]
    return (keys[0], keys[-1]) if keys else None


def _overlaps(window, start: date, end: date) -> bool:
    return window.start.date() <= end and window.end.date() > start


def backfill(
    start: date,
    end: date,
    say: Callable[[str], None] = print,
    through_now: bool = False,
) -> int:
    from dagster import DagsterInstance

    from kpi_pipeline.cli import _run_job, start_checked

    if end < start:
        raise SystemExit(f"--end {end} is before --start {start}")
    services = start_checked()
    try:
        from kpi_pipeline.definitions import defs

        instance = DagsterInstance.get()
        weeks = partition_range(weekly_partitions, start, end)
        months = partition_range(monthly_partitions, start, end)
        if weeks is None and months is None:
            raise SystemExit(f"no partition between {start} and {end}")
        if weeks:
            last = week_start(datetime.now(TZ).date()).isoformat() if through_now else weeks[1]
            say(f"weeks {weeks[0]} .. {weeks[1]} (ingesting through {last})")
            _run_job(defs, instance, "weekly_ingest_job", weeks[0], last)
            _run_job(defs, instance, "weekly_report_job", weeks[0], weeks[1])
        if months:
            say(f"months {months[0]} .. {months[1]}")
            _run_job(defs, instance, "monthly_job", months[0], months[1])
    finally:
        services.close()
    return 0
