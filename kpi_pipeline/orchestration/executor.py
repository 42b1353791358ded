"""Where steps run, chosen by environment: subprocesses of the run (Dagster's default), or
Celery workers on other machines when `KPI_CELERY_BROKER_URL` is set (see docs/SCALING.md).

With Celery, each step is a task on this location's queue (`KPI_CELERY_QUEUE`, by default
`kpi-<province>`); the workers that listen on it load `kpi_pipeline.definitions` with the same
settings as the code location, and report to the same Dagster instance (PostgreSQL storage).
"""

from __future__ import annotations

import os

from kpi_pipeline import settings


def build_executor():
    """The celery executor when a broker is configured, else None (Dagster's default)."""
    if not os.environ.get(settings.KPI_CELERY_BROKER_URL):
        return None
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
