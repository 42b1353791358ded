"""Real PostgreSQL (a fresh database per test), real GX, real Dagster.

GX costs 3-4 s to import: `gx` imports it once for the whole session, so that no single test
carries the cost and the timings printed by the tests are the validations' own.
"""

from __future__ import annotations

import pytest

from kpi_pipeline.domain.quality_config import QualityConfig
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline_tests.quality import rows


@pytest.fixture(scope="session")
def gx():
    import great_expectations

    return great_expectations


@pytest.fixture(autouse=True)
def kpi_home(tmp_path, monkeypatch):
    """Data Docs (and anything else under KPI_HOME) go to the test's own folder."""
    home = tmp_path / "kpi_home"
    monkeypatch.setenv("KPI_HOME", str(home))
    monkeypatch.delenv("KPI_QUALITY_CONFIG_FILE", raising=False)
    return home


@pytest.fixture
def db(database_url, gx):
    """The test database with the reference rows of `rows.seed_reference`."""
    with rows.connect(database_url) as conn:
        rows.seed_reference(conn)
    return database_url


@pytest.fixture
def conn(db):
    with rows.connect(db) as c:
        yield c


@pytest.fixture
def warehouse(db) -> WarehouseResource:
    return WarehouseResource(database_url=db)


@pytest.fixture
def config() -> QualityConfig:
    return QualityConfig()
