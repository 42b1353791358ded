"""Schedule ticks on real dates ask for the right partitions (through Dagster's own evaluation)."""

from datetime import datetime

import pytest
from dagster import DagsterInstance, build_schedule_context
from dagster._utils.schedules import schedule_execution_time_iterator

from kpi_pipeline.definitions import defs
from kpi_pipeline.domain.calendar import TZ


def _tick(name: str, when: datetime):
    schedule = defs.get_schedule_def(name)
    with DagsterInstance.ephemeral() as instance:
        ctx = build_schedule_context(
            instance=instance,
            scheduled_execution_time=when,
            repository_def=defs.get_repository_def(),
        )
        data = schedule.evaluate_tick(ctx)
    return data.run_requests or [], data.skip_message


def _ticks(schedule, start: datetime):
    """Dagster's own iterator of a schedule's execution times."""
    return schedule_execution_time_iterator(
        start.timestamp(), schedule.cron_schedule, schedule.execution_timezone
    )


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.mark.parametrize(
    "when,week",
    [
        (at(2024, 2, 16, 6), "2024-02-09"),  # the Friday after Tết 2024 (10 Feb): the Tết week
        (at(2023, 1, 27, 6), "2023-01-20"),  # Friday inside Tết 2023 (20-26 Jan)
        (at(2024, 1, 5, 6), "2023-12-29"),  # a week spanning the year boundary
        (at(2024, 3, 1, 6), "2024-02-23"),  # a Friday that is also the 1st of a month
    ],
)
def test_friday_report_asks_for_the_week_that_just_ended(when, week):
    requests, _ = _tick("friday_report_schedule", when)
    assert [r.partition_key for r in requests] == [week]
    assert requests[0].run_key == f"friday-{week}"


def test_friday_schedule_runs_on_friday_mornings_in_vietnam_time():
    s = defs.get_schedule_def("friday_report_schedule")
    assert s.execution_timezone == "Asia/Ho_Chi_Minh" and s.cron_schedule == "0 6 * * 5"
    ticks = _ticks(s, at(2024, 2, 14))
    first = [next(ticks) for _ in range(3)]
    assert [t.date().isoformat() for t in first] == ["2024-02-16", "2024-02-23", "2024-03-01"]
    assert all(t.hour == 6 and t.utcoffset().total_seconds() == 7 * 3600 for t in first)


@pytest.mark.parametrize(
    "when,week,month",
    [
        (at(2024, 1, 1, 6), "2023-12-29", "2023-12-01"),  # end of a peak month across the year
        (at(2024, 3, 1, 6), "2024-02-23", "2024-02-01"),  # leap February
        (at(2024, 7, 1, 6), "2024-06-28", "2024-06-01"),  # end of the June peak month
    ],
)
def test_month_close_ingests_the_last_week_then_tags_the_month(when, week, month):
    requests, _ = _tick("month_close_schedule", when)
    assert [r.partition_key for r in requests] == [week]
    assert requests[0].tags["kpi/then_month"] == month


@pytest.mark.parametrize(
    "when,week,month",
    [
        (at(2023, 12, 31, 17), "2023-12-29", "2023-12-01"),  # last peak day, week runs into 2024
        (at(2024, 3, 1, 17), "2024-03-01", "2024-03-01"),
        (at(2024, 6, 12, 17), "2024-06-07", "2024-06-01"),
    ],
)
def test_peak_month_monitoring_is_week_and_month_to_date(when, week, month):
    requests, _ = _tick("peak_month_monitoring_schedule", when)
    assert [r.partition_key for r in requests] == [week]
    assert requests[0].tags["kpi/then_month"] == month


def test_peak_month_monitoring_ticks_only_in_peak_months():
    s = defs.get_schedule_def("peak_month_monitoring_schedule")
    ticks = _ticks(s, at(2024, 2, 28))
    days = [next(ticks).date() for _ in range(40)]
    assert {d.month for d in days} == {3, 6}
    assert days[0].isoformat() == "2024-03-01" and len([d for d in days if d.month == 3]) == 31
