"""Fixtures of the alert tests: the scenario loaded in a fresh database, and the assets' clock."""

import pytest

from kpi_pipeline.alerts import assets as alert_assets
from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.alerts import scenario as S
from kpi_pipeline_tests.reports.warehouse_rows import at


@pytest.fixture
def loaded(database_url) -> str:
    with db.connect(database_url) as conn:
        S.load(conn)
        conn.commit()
    return database_url


@pytest.fixture
def clock(monkeypatch):
    def set_now(ts):
        monkeypatch.setattr(alert_assets, "_now", lambda: ts)

    set_now(at(2024, 6, 14, 6, 30))  # the Friday the week of 7 June is reported
    return set_now
