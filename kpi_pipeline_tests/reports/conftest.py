import pytest

from kpi_pipeline_tests.reports.browser import ensure_chromium


@pytest.fixture(scope="session")
def chromium() -> str:
    return ensure_chromium()


@pytest.fixture(scope="session")
def soffice() -> str:
    from kpi_pipeline_tests.reports.office import ensure_libreoffice

    return ensure_libreoffice()
