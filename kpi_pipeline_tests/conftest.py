"""Real PostgreSQL for every test: the server named by KPI_DATABASE_URL, else the embedded one.

Each test session gets its own template database (schema applied once); each test that asks
for `database_url` gets a fresh copy of it, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from kpi_pipeline.warehouse import db
from kpi_pipeline.warehouse.embedded import start_embedded


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory) -> str:
    url = os.environ.get("KPI_DATABASE_URL")
    if url:
        return url
    data_dir: Path = tmp_path_factory.mktemp("embedded-pg")
    return start_embedded(data_dir)


@pytest.fixture(scope="session")
def template_database(pg_server_url) -> str:
    name = f"kpi_tmpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = db.create_database(pg_server_url, name)
    db.ensure_schema(url)
    yield name
    db.drop_database(pg_server_url, name)


@pytest.fixture
def database_url(pg_server_url, template_database) -> str:
    """A fresh database with the pipeline's schema, dropped after the test."""
    name = f"kpi_test_{uuid.uuid4().hex[:10]}"
    url = db.create_database(pg_server_url, name, template=template_database)
    yield url
    db.drop_database(pg_server_url, name)
