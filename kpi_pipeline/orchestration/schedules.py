"""The Friday report, month close and peak-month monitoring schedules (Asia/Ho_Chi_Minh).

A month's figures need every dossier change up to the month's end, which the weekly ingestion
brings in; so month-level runs are chained: the schedule launches the ingestion of the week
holding the month's end, tagged `kpi/then_month`, and a run-status sensor launches the monthly
job for that month once the ingestion succeeded.
"""

from dagster import (
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    RunStatusSensorContext,
    ScheduleEvaluationContext,
    SkipReason,
    run_status_sensor,
    schedule,
)

from kpi_pipeline.domain import schedule_rules as rules
from kpi_pipeline.settings import TIMEZONE

THEN_MONTH_TAG = "kpi/then_month"


def build_schedules(jobs: dict, running: bool = True) -> tuple[list, list]:
    """(schedules, sensors) for the jobs of `build_jobs`; `running`: their default status
    (RUNNING when a daemon runs, without anyone switching them on in the UI), else STOPPED."""
    schedule_status = DefaultScheduleStatus.RUNNING if running else DefaultScheduleStatus.STOPPED
    sensor_status = DefaultSensorStatus.RUNNING if running else DefaultSensorStatus.STOPPED
    weekly_job, ingest_job, monthly_job = (
        jobs["weekly_job"],
        jobs["weekly_ingest_job"],
        jobs["monthly_job"],
    )

    @schedule(
        name="friday_report_schedule",
        cron_schedule=rules.FRIDAY_CRON,
        execution_timezone=TIMEZONE,
        job=weekly_job,
        default_status=schedule_status,
        description="Every Friday 06:00: the week that just ended, its KPIs and the Friday report.",
    )
    def friday_report_schedule(context: ScheduleEvaluationContext):
        week = rules.friday_week(context.scheduled_execution_time).isoformat()
        return RunRequest(run_key=f"friday-{week}", partition_key=week)

    @schedule(
        name="month_close_schedule",
        cron_schedule=rules.MONTH_CLOSE_CRON,
        execution_timezone=TIMEZONE,
        job=ingest_job,
        default_status=schedule_status,
        description="The 1st, 06:00: the closed month (after a peak month, its end-of-peak report).",
    )
    def month_close_schedule(context: ScheduleEvaluationContext):
        week, month = rules.month_close(context.scheduled_execution_time)
        return RunRequest(
            run_key=f"month-close-{month:%Y-%m}",
            partition_key=week.isoformat(),
            tags={THEN_MONTH_TAG: month.isoformat()},
        )

    @schedule(
        name="peak_month_monitoring_schedule",
        cron_schedule=rules.PEAK_DAILY_CRON,
        execution_timezone=TIMEZONE,
        job=weekly_job,
        default_status=schedule_status,
        description="Daily 17:00 in March, June, September, December: week- and month-to-date.",
    )
    def peak_month_monitoring_schedule(context: ScheduleEvaluationContext):
        todo = rules.peak_month_to_date(context.scheduled_execution_time)
        if todo is None:
            return SkipReason("not a peak month")
        week, month = todo
        day = context.scheduled_execution_time.date().isoformat()
        return RunRequest(
            run_key=f"peak-{day}",
            partition_key=week.isoformat(),
            tags={THEN_MONTH_TAG: month.isoformat()},
        )

    @run_status_sensor(
        name="month_after_ingestion_sensor",
        run_status=DagsterRunStatus.SUCCESS,
        monitored_jobs=[weekly_job, ingest_job],
        request_job=monthly_job,
        default_status=sensor_status,
        description="Launches the monthly job for `kpi/then_month` once that ingestion succeeded.",
    )
    def month_after_ingestion_sensor(context: RunStatusSensorContext):
        month = context.dagster_run.tags.get(THEN_MONTH_TAG)
        if not month:
            return SkipReason("run has no kpi/then_month tag")
        return RunRequest(
            run_key=f"month-{month}-after-{context.dagster_run.run_id}",
            partition_key=month,
        )

    schedules = [friday_report_schedule, month_close_schedule, peak_month_monitoring_schedule]
    return schedules, [month_after_ingestion_sensor]
