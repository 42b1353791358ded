"""`kpi.periods`: every KPI statement's periods, and the planner's count of them (issue 17)."""

import json
from datetime import date, datetime, timedelta

import psycopg
import pytest

from kpi_pipeline.domain.calendar import PERIOD_STEPS, TZ


def _expected(start: date, end: date, kind: str) -> list[tuple]:
    """The periods as the calendar has them, each with its local-midnight window."""
    out, day = [], start
    while day < end:
        if kind == "week":
            nxt = day + timedelta(days=7)
        else:
            nxt = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        out.append((day, nxt, datetime.combine(day, datetime.min.time(), TZ),
                    datetime.combine(nxt, datetime.min.time(), TZ)))  # fmt: skip
        day = nxt
    return out


WINDOWS = [
    (date(2026, 11, 20), date(2026, 11, 27), "week"),  # a Friday run
    (date(2025, 11, 28), date(2026, 11, 27), "week"),  # a year of weeks
    (date(2024, 12, 27), date(2025, 3, 7), "week"),  # across a new year
    (date(2026, 2, 1), date(2026, 3, 1), "month"),  # a February
    (date(2023, 12, 1), date(2025, 1, 1), "month"),  # 13 months, a leap February inside
]


@pytest.mark.parametrize(("start", "end", "kind"), WINDOWS)
def test_periods_are_the_calendars_and_the_planner_counts_them(database_url, start, end, kind):
    step = PERIOD_STEPS[kind]
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT period_start, period_end, window_start, window_end"
            " FROM kpi.periods(%s, %s, %s::interval) ORDER BY 1",
            (start, end, step),
        ).fetchall()
        assert rows == _expected(start, end, kind)
        # The window's bounds are constants of the statement: the planner expects exactly its
        # periods (a timestamp series is always 1,000 rows to it, which sized every join of
        # the periods' dossiers for a thousand periods).
        ((plan,),) = conn.execute(
            "EXPLAIN (FORMAT JSON) SELECT * FROM kpi.periods(%s, %s, %s::interval)",
            (start, end, step),
        ).fetchall()
        plan = plan if isinstance(plan, list) else json.loads(plan)
        assert plan[0]["Plan"]["Plan Rows"] == len(rows)
