"""The two period partitionings: Friday report weeks and calendar months, Asia/Ho_Chi_Minh.

`end_offset=1` exposes the period in progress too, so that the peak-month monitoring can
refresh week-to-date and month-to-date figures; scheduled reports use closed periods only.
"""

from dagster import MonthlyPartitionsDefinition, WeeklyPartitionsDefinition

from kpi_pipeline.domain.calendar import DAGSTER_FRIDAY
from kpi_pipeline.settings import TIMEZONE

# 2021-12-31 is the Friday whose week holds 1 January 2022, the first day of the data.
FIRST_WEEK = "2021-12-31"
FIRST_MONTH = "2022-01-01"

weekly_partitions = WeeklyPartitionsDefinition(
    start_date=FIRST_WEEK, day_offset=DAGSTER_FRIDAY, timezone=TIMEZONE, end_offset=1
)
monthly_partitions = MonthlyPartitionsDefinition(
    start_date=FIRST_MONTH, timezone=TIMEZONE, end_offset=1
)
