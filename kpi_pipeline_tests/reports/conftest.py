import pytest

from kpi_pipeline_tests.reports.browser import ensure_chromium


@pytest.fixture(scope="session")
def chromium() -> str:
    return ensure_chromium()
