"""Which periods a scheduled tick asks for: pure date logic, tested directly.

- Friday 06:00: the report week that just ended (Friday 00:00 to Friday 00:00).
- 1st of every month 06:00: bring the week holding the month's last day up to date, then the
  month that just ended (its end-of-month report; after a peak month, the end-of-peak-month
  report).
- Every day of a peak month (3, 6, 9, 12) at 17:00: week-to-date and month-to-date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from kpi_pipeline.domain.calendar import TZ, is_peak_month, latest_complete_week, week_start

FRIDAY_CRON = "0 6 * * 5"
MONTH_CLOSE_CRON = "0 6 1 * *"
PEAK_DAILY_CRON = "0 17 * 3,6,9,12 *"


def friday_week(tick: datetime) -> date:
    return latest_complete_week(tick)


def month_close(tick: datetime) -> tuple[date, date]:
    """(week holding the closed month's last day, the closed month) for a tick on the 1st."""
    today = tick.astimezone(TZ).date()
    last_day = today.replace(day=1) - timedelta(days=1)
    return week_start(last_day), last_day.replace(day=1)


def peak_month_to_date(tick: datetime) -> tuple[date, date] | None:
    """(current week, current month) on a peak-month day, None outside peak months."""
    today = tick.astimezone(TZ).date()
    if not is_peak_month(today):
        return None
    return week_start(today), today.replace(day=1)
