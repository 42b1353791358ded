"""The warehouse as a Dagster resource: where every asset reads and writes."""

from __future__ import annotations

from contextlib import contextmanager

import psycopg
from dagster import ConfigurableResource
from pydantic import PrivateAttr

from kpi_pipeline.warehouse import db


class WarehouseResource(ConfigurableResource):
    """PostgreSQL warehouse; `database_url` comes from `KPI_DATABASE_URL` (see resources.py)."""

    database_url: str
    _schema_ready: bool = PrivateAttr(default=False)

    def ensure_schema(self) -> None:
        if not self._schema_ready:
            db.ensure_schema(self.database_url)
            self._schema_ready = True

    @contextmanager
    def connect(self, autocommit: bool = False):
        self.ensure_schema()
        with db.connect(self.database_url, autocommit=autocommit) as conn:
            yield conn

    def fetch_all(self, query: str, params: dict | tuple | None = None) -> list[tuple]:
        with self.connect() as conn:
            return conn.execute(query, params).fetchall()

    def describe(self) -> str:
        return db.redact_url(self.database_url)


__all__ = ["WarehouseResource", "psycopg"]
