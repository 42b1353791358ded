import pytest

from kpi_pipeline_tests.kpis.helpers import Seed


@pytest.fixture
def seed(database_url):
    """A Seed on a fresh database holding the small province of `Seed.province()`."""
    s = Seed(database_url)
    s.province()
    yield s
    s.close()
