"""Report periods and working days, in Asia/Ho_Chi_Minh.

A report week runs from Friday 00:00 to the next Friday 00:00 (the Friday report covers the
week that just ended); a month from the 1st 00:00. Windows are half-open [start, end).
Working days exclude Saturdays, Sundays and the days off of the holiday calendar (data, not
code: `ref.holidays`), and include the Saturdays declared working days (`LAM_BU`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kpi_pipeline.settings import TIMEZONE

TZ = ZoneInfo(TIMEZONE)  # the one spelling: settings.TIMEZONE (the partitions use it too)
FRIDAY = 4  # date.weekday()
# The same Friday as Dagster's WeeklyPartitionsDefinition(day_offset=) counts it (Sunday = 0).
DAGSTER_FRIDAY = (FRIDAY + 1) % 7
# The period kinds, each with its length as a PostgreSQL interval: the `p_step` of the
# sql/kpi functions and the `step` of the quality queries.
PERIOD_STEPS = {"week": "7 days", "month": "1 month"}
PEAK_MONTHS = (3, 6, 9, 12)


@dataclass(frozen=True)
class Window:
    """A half-open period [start, end) of local time."""

    start: datetime
    end: datetime

    def contains(self, ts: datetime) -> bool:
        return self.start <= ts < self.end


def local_midnight(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=TZ)


def week_start(d: date) -> date:
    """The Friday that opens the report week holding day `d`."""
    return d - timedelta(days=(d.weekday() - FRIDAY) % 7)


def week_window(friday: date) -> Window:
    if friday.weekday() != FRIDAY:
        raise ValueError(f"a report week starts on a Friday, not on {friday:%A %Y-%m-%d}")
    return Window(local_midnight(friday), local_midnight(friday + timedelta(days=7)))


def month_window(first: date) -> Window:
    if first.day != 1:
        raise ValueError(f"a month period starts on the 1st, not on {first.isoformat()}")
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return Window(local_midnight(first), local_midnight(nxt))


def latest_complete_week(now: datetime) -> date:
    """The Friday opening the last week that has fully ended at `now`."""
    today = now.astimezone(TZ).date()
    return week_start(today) - timedelta(days=7)


def latest_complete_month(now: datetime) -> date:
    today = now.astimezone(TZ).date()
    first = today.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def is_peak_month(d: date) -> bool:
    return d.month in PEAK_MONTHS


class WorkingCalendar:
    """Working days from a holiday table: {day: kind} with kinds LE, BU (off) and LAM_BU (on)."""

    def __init__(self, days: Mapping[date, str] | Iterable[tuple[date, str]] = ()):
        items = days.items() if isinstance(days, Mapping) else days
        self._days = {d: k for d, k in items}

    def is_working_day(self, d: date) -> bool:
        kind = self._days.get(d)
        if kind in ("LE", "BU"):
            return False
        if kind == "LAM_BU":
            return True
        return d.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (n >= 0; n = 0 gives `start`)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        d = start
        while n > 0:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def due_at(self, received_at: datetime, processing_days: int) -> datetime:
        """Due instant: the receipt's clock time on the n-th working day after receipt.

        A procedure with 0 days is due the same working day, at 17:00 local.
        """
        local = received_at.astimezone(TZ)
        if processing_days == 0:
            return datetime.combine(local.date(), time(17), tzinfo=TZ)
        due_day = self.add_working_days(local.date(), processing_days)
        return datetime.combine(due_day, local.timetz().replace(tzinfo=None), tzinfo=TZ)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days d with a < d <= b (0 when b <= a): days overdue from due date a to b."""
        n, d = 0, a
        while d < b:
            d += timedelta(days=1)
            n += self.is_working_day(d)
        return n
