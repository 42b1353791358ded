from datetime import date, datetime

import pytest

from kpi_pipeline.domain.calendar import (
    TZ,
    WorkingCalendar,
    latest_complete_month,
    latest_complete_week,
    month_window,
    week_start,
    week_window,
)

# Tết 2024: 8-14 Feb off; 30 Apr-1 May off with 27 Apr... (a working Saturday for the example).
CAL = WorkingCalendar(
    {
        date(2024, 2, 8): "LE",
        date(2024, 2, 9): "LE",
        date(2024, 2, 12): "LE",
        date(2024, 2, 13): "LE",
        date(2024, 2, 14): "BU",
        date(2024, 5, 4): "LAM_BU",
    }
)


def test_week_starts_on_friday_and_friday_midnight_opens_the_new_week():
    assert week_start(date(2024, 3, 7)) == date(2024, 3, 1)  # Thursday -> previous Friday
    assert week_start(date(2024, 3, 8)) == date(2024, 3, 8)
    w = week_window(date(2024, 3, 1))
    assert w.contains(datetime(2024, 3, 7, 23, 59, 59, tzinfo=TZ))
    assert not w.contains(datetime(2024, 3, 8, 0, 0, 0, tzinfo=TZ))
    with pytest.raises(ValueError, match="Friday"):
        week_window(date(2024, 3, 2))


def test_month_window_and_latest_complete_periods():
    w = month_window(date(2024, 12, 1))
    assert w.end == datetime(2025, 1, 1, tzinfo=TZ)
    now = datetime(2024, 3, 8, 0, 30, tzinfo=TZ)  # Friday just after midnight
    assert latest_complete_week(now) == date(2024, 3, 1)
    assert latest_complete_month(now) == date(2024, 2, 1)
    # 2024-03-07 20:00 UTC is already Friday 03:00 in Vietnam.
    assert latest_complete_week(datetime.fromisoformat("2024-03-07T20:00:00+00:00")) == date(
        2024, 3, 1
    )


def test_working_days_skip_weekends_holidays_and_count_working_saturdays():
    assert CAL.add_working_days(date(2024, 2, 7), 1) == date(2024, 2, 15)  # across Tết
    assert CAL.add_working_days(date(2024, 5, 3), 1) == date(2024, 5, 4)  # LAM_BU Saturday
    assert CAL.add_working_days(date(2024, 3, 1), 0) == date(2024, 3, 1)
    assert CAL.working_days_between(date(2024, 2, 7), date(2024, 2, 16)) == 2
    assert CAL.working_days_between(date(2024, 2, 16), date(2024, 2, 7)) == 0


def test_due_at_keeps_the_clock_time_and_zero_days_is_same_day_17h():
    received = datetime(2024, 2, 7, 9, 30, tzinfo=TZ)
    assert CAL.due_at(received, 3) == datetime(2024, 2, 19, 9, 30, tzinfo=TZ)
    assert CAL.due_at(received, 0) == datetime(2024, 2, 7, 17, 0, tzinfo=TZ)
