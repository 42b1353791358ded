"""Where steps run, chosen by environment: inside the run's own process, or Celery workers
on other machines when `KPI_CELERY_BROKER_URL` is set (see docs/SCALING.md).

In-process is the default for every launch path (the CLI's `execute_in_process`, a run
launched from the UI, a schedule, an asset backfill of the daemon), so that a run behaves the
same however it was launched; Dagster's own default would be the multiprocess executor for
all but the CLI. Steps in parallel bought nothing here (README, Performance): the portals,
not our steps, bound a run.

Dagster's PostgreSQL storages open a new connection for every query (`NullPool`): ~800 in a
Friday run, ~3,000 in a 52-week recompute, each a backend start (~4 ms on an idle machine, far
more on a loaded one) and most followed by a reflection of the asset-key table. A process that
executes runs keeps one pooled connection per storage instead (`pool_storage_connections`),
as Dagster's webserver does: the in-process executor applies it to the run's instance, and
`runner.run_job` (the CLI's `execute_in_process`, which bypasses the job's executor) too.

With Celery, each step is a task on this location's queue (`KPI_CELERY_QUEUE`, by default
`kpi-<province>`); the workers that listen on it load `kpi_pipeline.definitions` with the same
settings as the code location, and report to the same Dagster instance (PostgreSQL storage).
"""

from __future__ import annotations

import os
import weakref

from kpi_pipeline import settings

_POOL_RECYCLE_S = 3600
_POOL_OVERFLOW = 4  # opened beyond the pooled one while it is in use (nested storage calls)
# the instances already pooled: kept beside them, not as an attribute set on Dagster's object
_POOLED: weakref.WeakSet = weakref.WeakSet()


def pool_storage_connections(instance) -> None:
    """Pool the connections of `instance`'s PostgreSQL storages (once per instance); other
    storages (SQLite) are left as they are. Statements keep no timeout (`0`, the default).

    The price, as for the webserver: a pooled connection the server closed (a restart) fails
    the one statement that finds it so (SQLAlchemy then drops the pool), where a new
    connection per query would have retried the connect."""
    from dagster_postgres import PostgresEventLogStorage

    if instance in _POOLED:
        return
    if isinstance(instance.event_log_storage, PostgresEventLogStorage):
        instance.optimize_for_webserver(
            statement_timeout=0, pool_recycle=_POOL_RECYCLE_S, max_overflow=_POOL_OVERFLOW
        )
        _remember_tables(instance.event_log_storage)
    _POOLED.add(instance)


def _remember_tables(storage) -> None:
    """Answer `has_table` from memory once a table was found. dagster-postgres asks whether
    `asset_event_tags` exists for every materialization it stores, from inside the connection
    that stores it: the pool's one connection is busy, so each question opened an overflow
    connection (a backend start) and reflected the catalogue, ~500 times in a 52-week
    recompute (issue 17). A table that exists stays (Dagster's migrations add tables, never
    drop one), so only a found table is remembered; a missing one is asked again. Dagster's
    storage has no setting for this: the wrapper is set on this instance's storage only."""
    found: set[str] = set()
    ask = storage.has_table

    def has_table(table_name: str) -> bool:
        if table_name in found:
            return True
        exists = ask(table_name)
        if exists:
            found.add(table_name)
        return exists

    storage.has_table = has_table


def _pooled_in_process_executor():
    from dagster import executor, in_process_executor

    @executor(name=in_process_executor.name, config_schema=in_process_executor.config_schema)
    def pooled_in_process_executor(init_context):
        """Dagster's in-process executor, on a run instance with pooled storage connections."""
        pool_storage_connections(init_context.instance)
        return in_process_executor.executor_creation_fn(init_context)

    return pooled_in_process_executor


def build_executor():
    """The celery executor when a broker is configured, else the in-process executor."""
    if not os.environ.get(settings.KPI_CELERY_BROKER_URL):
        return _pooled_in_process_executor()
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
