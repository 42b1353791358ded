"""The run, sync and backfill plans (orchestration/plans.py): pure, no Dagster run."""

from datetime import datetime

import pytest

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.orchestration.plans import (
    PlannedRun,
    backfill_plan,
    partition_range,
    run_plan,
    sync_plan,
)
from kpi_pipeline.partitions import monthly_partitions, weekly_partitions

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)  # a Tuesday; the week in progress opened 11-27


def test_run_plan_ingests_the_report_week_and_the_week_in_progress_then_kpis_and_reports():
    assert run_plan(NOW) == [
        PlannedRun("weekly_ingest_job", "2026-11-20", "2026-11-27"),
        PlannedRun("weekly_kpi_job", "2026-08-28", "2026-11-13"),
        PlannedRun("weekly_report_job", "2026-11-20", "2026-11-20"),
        PlannedRun("monthly_job", "2026-11-01", "2026-11-01"),
    ]


def test_sync_plan_names_the_week_in_progress():
    assert sync_plan(NOW) == [PlannedRun("weekly_ingest_job", "2026-11-27", "2026-11-27")]


def test_a_backfill_brings_the_history_up_to_date_then_runs_the_range():
    plan = backfill_plan(("2025-06-27", "2025-09-26"), ("2025-07-01", "2025-09-01"), NOW)
    assert plan == [
        PlannedRun("weekly_ingest_job", "2026-11-27", "2026-11-27"),
        PlannedRun("weekly_report_job", "2025-06-27", "2025-09-26"),
        PlannedRun("monthly_job", "2025-07-01", "2025-09-01"),
    ]


def test_repull_reads_the_range_and_every_later_week():
    plan = backfill_plan(("2025-06-27", "2025-09-26"), None, NOW, repull=True)
    assert plan[0] == PlannedRun("weekly_ingest_job", "2025-06-27", "2026-11-27")


def test_a_long_range_is_split_into_bounded_runs():
    weeks = partition_range(weekly_partitions, datetime(2016, 1, 1).date(), NOW.date(), NOW)
    months = partition_range(monthly_partitions, datetime(2022, 1, 1).date(), NOW.date(), NOW)
    plan = backfill_plan(weeks, months, NOW, max_weeks_per_run=26)
    weekly = [r for r in plan if r.job == "weekly_report_job"]
    monthly = [r for r in plan if r.job == "monthly_job"]
    assert weekly[0].start == "2021-12-31" and weekly[-1].end == "2026-11-27"
    assert len(weekly) == 10  # 257 weeks in runs of at most 26
    assert all(r.start <= r.end for r in weekly)
    # adjacent, none lost or doubled
    starts = [datetime.fromisoformat(r.start) for r in weekly]
    ends = [datetime.fromisoformat(r.end) for r in weekly]
    assert all((s - e).days == 7 for s, e in zip(starts[1:], ends[:-1], strict=True))
    assert [r.span for r in monthly] == [
        "2022-01-01..2022-12-01",
        "2023-01-01..2023-12-01",
        "2024-01-01..2024-12-01",
        "2025-01-01..2025-12-01",
        "2026-01-01..2026-12-01",
    ]


def test_at_most_zero_weeks_is_refused():
    with pytest.raises(ValueError):
        backfill_plan(("2025-06-27", "2025-09-26"), None, NOW, max_weeks_per_run=0)


def test_run_plan_starts_no_earlier_than_the_history():
    from datetime import date

    plan = run_plan(NOW, history_start=date(2026, 11, 1))
    assert plan[1] == PlannedRun("weekly_kpi_job", "2026-10-30", "2026-11-13")
    assert plan[-1] == PlannedRun("monthly_job", "2026-11-01", "2026-11-01")
    # a history that starts with the report week: no trend run, no month before it
    plan = run_plan(NOW, history_start=date(2026, 11, 20))
    assert [r.job for r in plan] == ["weekly_ingest_job", "weekly_report_job"]
