"""Schedules and the month sensor run as soon as a daemon does; `KPI_AUTOMATION=off` stops
them all. Read the way the UI reads them: the workspace (the code location in its own gRPC
server process, as the daemon loads it) of a fresh instance, through Dagster's GraphQL API."""

from __future__ import annotations

import pytest
from dagster_graphql.test.utils import execute_dagster_graphql

from kpi_pipeline import settings
from kpi_pipeline_tests.orchestration.workspace import graphql_workspace

QUERY = """
query Automation($selector: RepositorySelector!) {
  schedulesOrError(repositorySelector: $selector) {
    ... on Schedules { results { name scheduleState { status } } }
    ... on PythonError { message }
  }
  sensorsOrError(repositorySelector: $selector) {
    ... on Sensors { results { name sensorState { status } } }
    ... on PythonError { message }
  }
}
"""
SCHEDULES = {"friday_report_schedule", "month_close_schedule", "peak_month_monitoring_schedule"}
SENSORS = {"month_after_ingestion_sensor"}


def automation_status() -> dict[str, str]:
    """name -> RUNNING/STOPPED of every schedule and sensor of a fresh instance."""
    with graphql_workspace() as (context, selector):
        data = execute_dagster_graphql(context, QUERY, {"selector": selector}).data
    schedules = data["schedulesOrError"]["results"]
    sensors = data["sensorsOrError"]["results"]
    return {
        **{s["name"]: s["scheduleState"]["status"] for s in schedules},
        **{s["name"]: s["sensorState"]["status"] for s in sensors},
    }


def test_a_fresh_instance_runs_every_schedule_and_the_sensor(monkeypatch):
    monkeypatch.delenv(settings.KPI_AUTOMATION, raising=False)
    assert automation_status() == {name: "RUNNING" for name in SCHEDULES | SENSORS}


def test_kpi_automation_off_stops_them_all(monkeypatch):
    monkeypatch.setenv(settings.KPI_AUTOMATION, "off")
    assert automation_status() == {name: "STOPPED" for name in SCHEDULES | SENSORS}


@pytest.mark.parametrize("value, running", [("on", True), ("OFF", False), (" Off ", False)])
def test_automation_values(monkeypatch, value, running):
    monkeypatch.setenv(settings.KPI_AUTOMATION, value)
    assert settings.automation_on() is running


def test_a_typo_is_an_error_naming_the_variable(monkeypatch):
    monkeypatch.setenv(settings.KPI_AUTOMATION, "false")
    with pytest.raises(ValueError, match="KPI_AUTOMATION must be 'on' or 'off', got 'false'"):
        settings.automation_on()
