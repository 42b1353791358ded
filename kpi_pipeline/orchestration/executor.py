"""Where steps run, chosen by environment: inside the run's own process, or Celery workers
on other machines when `KPI_CELERY_BROKER_URL` is set (see docs/SCALING.md).

In-process is the default for every launch path (the CLI's `execute_in_process`, a run
launched from the UI, a schedule, an asset backfill of the daemon), so that a run behaves the
same however it was launched; Dagster's own default would be the multiprocess executor for
all but the CLI. Steps in parallel bought nothing here (README, Performance): the portals,
not our steps, bound a run.

With Celery, each step is a task on this location's queue (`KPI_CELERY_QUEUE`, by default
`kpi-<province>`); the workers that listen on it load `kpi_pipeline.definitions` with the same
settings as the code location, and report to the same Dagster instance (PostgreSQL storage).
"""

from __future__ import annotations

import os

from kpi_pipeline import settings


def build_executor():
    """The celery executor when a broker is configured, else the in-process executor."""
    if not os.environ.get(settings.KPI_CELERY_BROKER_URL):
        from dagster import in_process_executor

        return in_process_executor
    from dagster_celery import celery_executor

    backend_var = (
        settings.KPI_CELERY_BACKEND_URL
        if os.environ.get(settings.KPI_CELERY_BACKEND_URL)
        else settings.KPI_CELERY_BROKER_URL  # Redis serves as the result backend too
    )
    return celery_executor.configured(
        {
            "broker": {"env": settings.KPI_CELERY_BROKER_URL},
            "backend": {"env": backend_var},
            "config_source": {"task_default_queue": settings.celery_queue()},
        },
        name="celery",
    )
