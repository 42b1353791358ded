"""Real PostgreSQL for every test: the server named by KPI_DATABASE_URL, else the embedded one.

Each test session gets its own template database (schema applied once); each test that asks
for `database_url` gets a fresh copy of it, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from kpi_pipeline.warehouse import db
from kpi_pipeline.warehouse.embedded import start_embedded, stop_embedded


def embedded_dir() -> Path:
    """A folder for an embedded server, outside pytest's own temp tree: pytest resets that tree
    to mode 0700 whenever a session starts, which would lock pgserver's system user out."""
    return Path(tempfile.mkdtemp(prefix="kpi-test-pg-"))


@pytest.fixture(autouse=True)
def _environment_restored():
    """Every test leaves os.environ as it found it. Code under test sets variables for the
    processes it starts (`ensure_local_services` exports DAGSTER_PG_URL and the portals'),
    and with tests spread over xdist workers in any order a leaked variable would point a
    later test at a server that is gone."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def state_dir():
    """A KPI_HOME-style folder that may hold an embedded server; removed after the test."""
    path = embedded_dir()
    yield path
    stop_embedded(path / "pgdata")
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    url = os.environ.get("KPI_DATABASE_URL")
    if url:
        yield url
        return
    data_dir = embedded_dir()
    yield start_embedded(data_dir)
    stop_embedded(data_dir)
    shutil.rmtree(data_dir, ignore_errors=True)


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


# -- the portal simulator, a real HTTP server on loopback ---------------------------------------
# A fixed "now" keeps every test's data identical from run to run.
SIM_NOW = (2024, 3, 20, 10, 0)


@pytest.fixture(scope="session")
def sim_config():
    from datetime import datetime

    from kpi_pipeline.domain.calendar import TZ
    from kpi_simulator import SimulatorConfig

    return SimulatorConfig.demo(now=datetime(*SIM_NOW, tzinfo=TZ))


@pytest.fixture(scope="session")
def simulator(sim_config):
    from kpi_simulator import SimulatorServer, World

    server = SimulatorServer(World(sim_config), host="127.0.0.1", port=0)
    server.start()
    yield server
    server.stop()


def make_portals(simulator, sim_config, **overrides) -> dict:
    """The two portal resources pointed at the simulator (short retry budget unless overridden)."""
    from kpi_pipeline.ingestion.resources import PortalResource

    common = {"retry_budget_seconds": 30.0, "read_timeout": 5.0, "page_size": 200, **overrides}
    return {
        "provincial_portal": PortalResource(
            name="provincial",
            base_url=simulator.provincial_url,
            client_id=sim_config.provincial_credentials[0],
            client_secret=sim_config.provincial_credentials[1],
            **common,
        ),
        "national_portal": PortalResource(
            name="national",
            base_url=simulator.national_url,
            client_id=sim_config.national_credentials[0],
            client_secret=sim_config.national_credentials[1],
            province_code=sim_config.province_code,
            **common,
        ),
    }


@pytest.fixture
def portal_resources(simulator, sim_config):
    return make_portals(simulator, sim_config)


@pytest.fixture
def resources(database_url, portal_resources):
    from kpi_pipeline.warehouse.resource import WarehouseResource
    from kpi_pipeline_tests.file_resources import file_resources

    return {
        "warehouse": WarehouseResource(database_url=database_url),
        **portal_resources,
        **file_resources(),
    }
