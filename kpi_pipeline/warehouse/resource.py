"""The warehouse as a Dagster resource: where every asset reads and writes."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import psycopg
from dagster import ConfigurableResource, InitResourceContext, RetryRequested
from pydantic import Field, PrivateAttr, field_validator

from kpi_pipeline import settings
from kpi_pipeline.partitions import FIRST_WEEK
from kpi_pipeline.redaction import redact
from kpi_pipeline.warehouse import db
from kpi_pipeline.warehouse.preflight import check_database


class WarehouseConnectionLost(RuntimeError):
    """The warehouse connection broke mid-step (server restart, failover, terminated backend)."""


class WarehouseResource(ConfigurableResource):
    """PostgreSQL warehouse; `database_url` comes from `KPI_DATABASE_URL` (see resources.py).

    At run start (`setup_for_execution`) it connects once, so a wrong URL, database or password
    stops the run with a message naming `KPI_DATABASE_URL`. A connection lost in the middle of
    a step asks Dagster to retry the step (`reconnect_retries` times, `reconnect_wait_seconds`
    apart): every asset replaces its partitions in one transaction, so the lost attempt
    published nothing and the retry starts from the same state.
    """

    database_url: str
    reconnect_retries: int = 2
    reconnect_wait_seconds: float = 5.0
    history_start: str = Field(
        default=FIRST_WEEK,
        description="First day of the change history the warehouse must hold (KPI_HISTORY_START).",
    )
    sync_overlap_minutes: int = Field(
        default=60,
        ge=0,
        description="Changes this recent before the latest pull are read again (KPI_SYNC_OVERLAP_MINUTES).",
    )
    _schema_ready: bool = PrivateAttr(default=False)

    @field_validator("history_start")
    @classmethod
    def _history_start_is_a_day(cls, value: str) -> str:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"{settings.KPI_HISTORY_START}={value!r} is not a date (YYYY-MM-DD)"
            ) from None
        if day < date.fromisoformat(FIRST_WEEK):
            raise ValueError(
                f"{settings.KPI_HISTORY_START}={value} is before the first partition {FIRST_WEEK}"
            )
        return value

    @property
    def history_start_day(self) -> date:
        return date.fromisoformat(self.history_start)

    @property
    def sync_overlap(self) -> timedelta:
        return timedelta(minutes=self.sync_overlap_minutes)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        check_database(settings.KPI_DATABASE_URL, self.database_url)

    def ensure_schema(self) -> None:
        if not self._schema_ready:
            db.ensure_schema(self.database_url)
            self._schema_ready = True

    @contextmanager
    def connect(self, autocommit: bool = False):
        conn = None
        try:
            self.ensure_schema()
            with db.connect(self.database_url, autocommit=autocommit) as conn:
                yield conn
        except psycopg.OperationalError as exc:
            if conn is not None and not conn.broken:
                raise  # a statement failed on a live connection: not a lost connection
            lost = WarehouseConnectionLost(
                f"lost the warehouse connection ({self.describe()}): "
                f"{redact(' '.join(str(exc).split()))[:300]}"
            )
            lost.__cause__ = exc
            if self.reconnect_retries <= 0:
                raise lost from exc
            raise RetryRequested(
                max_retries=self.reconnect_retries, seconds_to_wait=self.reconnect_wait_seconds
            ) from lost

    def describe(self) -> str:
        return db.redact_url(self.database_url)
