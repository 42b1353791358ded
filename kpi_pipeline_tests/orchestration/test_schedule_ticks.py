"""Schedule ticks on real dates ask for the right partitions (through Dagster's own evaluation),
and fall when they should: the future ticks as the UI lists them, through Dagster's GraphQL API
on the workspace (the code location in its own gRPC server process, as the daemon loads it)."""

from datetime import UTC, datetime

import pytest
from dagster import DagsterInstance, build_schedule_context
from dagster_graphql.test.utils import execute_dagster_graphql

from kpi_pipeline.definitions import defs
from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline_tests.orchestration.workspace import graphql_workspace

FUTURE_TICKS = """
query FutureTicks($selector: ScheduleSelector!, $cursor: Float!, $limit: Int!) {
  scheduleOrError(scheduleSelector: $selector) {
    ... on Schedule { futureTicks(cursor: $cursor, limit: $limit) { results { timestamp } } }
    ... on PythonError { message }
  }
}
"""


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


@pytest.fixture(scope="module")
def future_ticks():
    """`ticks(name, start, limit)`: the schedule's next execution times from `start`, local."""
    with graphql_workspace() as (context, repository):

        def ticks(name: str, start: datetime, limit: int) -> list[datetime]:
            selector = {**repository, "scheduleName": name}
            variables = {"selector": selector, "cursor": start.timestamp(), "limit": limit}
            data = execute_dagster_graphql(context, FUTURE_TICKS, variables).data
            results = data["scheduleOrError"]["futureTicks"]["results"]
            return [datetime.fromtimestamp(r["timestamp"], TZ) for r in results]

        yield ticks


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


def test_friday_schedule_runs_on_friday_mornings_in_vietnam_time(future_ticks):
    s = defs.get_schedule_def("friday_report_schedule")
    assert s.execution_timezone == "Asia/Ho_Chi_Minh" and s.cron_schedule == "0 6 * * 5"
    first = future_ticks("friday_report_schedule", at(2024, 2, 14), 3)
    assert [t.date().isoformat() for t in first] == ["2024-02-16", "2024-02-23", "2024-03-01"]
    assert all((t.hour, t.minute) == (6, 0) for t in first)  # 06:00 in Vietnam (UTC+7)
    assert [t.astimezone(UTC).hour for t in first] == [23, 23, 23]


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


def test_peak_month_monitoring_ticks_only_in_peak_months(future_ticks):
    days = [t.date() for t in future_ticks("peak_month_monitoring_schedule", at(2024, 2, 28), 40)]
    assert {d.month for d in days} == {3, 6}
    assert days[0].isoformat() == "2024-03-01" and len([d for d in days if d.month == 3]) == 31
