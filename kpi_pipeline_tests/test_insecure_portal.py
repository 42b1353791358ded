"""Plain-http portal URLs outside loopback are refused before any run (the client secret would
travel in clear), unless KPI_ALLOW_INSECURE_PORTAL=1; the message names that setting. No test
here sends anything beyond loopback: a refused URL is refused before any connection."""

from __future__ import annotations

import pytest
from dagster import materialize

from kpi_pipeline.ingestion.assets import ref_units
from kpi_pipeline.ingestion.preflight import portal_url_problem
from kpi_pipeline.ingestion.resources import PortalResource
from kpi_pipeline.shell.preflight import static_problems
from kpi_pipeline_tests.test_configuration import _cli_run, _failure

INSECURE = "http://portal.example/api"


@pytest.mark.parametrize(
    "url,refused",
    [
        ("http://portal.example/api", True),
        ("http://10.0.0.5:8080/api", True),
        ("http://kpi:pw@portal.example/api", True),
        ("https://portal.example/api", False),
        ("http://127.0.0.1:8080/api", False),
        ("http://127.3.2.1/api", False),
        ("http://localhost:8080/api", False),
        ("http://[::1]:8080/api", False),
    ],
)
def test_plain_http_is_refused_outside_loopback(url, refused):
    problem = portal_url_problem("PROVINCIAL_PORTAL_URL", url)
    assert (problem is not None) == refused
    if refused:
        assert "KPI_ALLOW_INSECURE_PORTAL=1" in problem and "PROVINCIAL_PORTAL_URL" in problem
        assert "pw@" not in problem  # a password in the URL is masked
    assert portal_url_problem("PROVINCIAL_PORTAL_URL", url, allow_insecure=True) is None


def _env(**extra) -> dict:
    base = {
        "PROVINCIAL_PORTAL_URL": INSECURE,
        "PROVINCIAL_PORTAL_CLIENT_ID": "id",
        "PROVINCIAL_PORTAL_CLIENT_SECRET": "secret",
        "NATIONAL_PORTAL_URL": "https://national.example/api",
        "NATIONAL_PORTAL_CLIENT_ID": "id",
        "NATIONAL_PORTAL_CLIENT_SECRET": "secret",
    }
    return {**base, **extra}


def test_static_checks_follow_the_setting():
    (problem,) = static_problems(_env())
    assert problem.startswith("PROVINCIAL_PORTAL_URL=") and "KPI_ALLOW_INSECURE_PORTAL" in problem
    assert static_problems(_env(KPI_ALLOW_INSECURE_PORTAL="1")) == []
    assert len(static_problems(_env(KPI_ALLOW_INSECURE_PORTAL="0"))) == 1


def test_cli_run_refuses_it_with_exit_2_and_no_request(tmp_path, simulator, database_url):
    env = {"KPI_DATABASE_URL": database_url, **simulator.portal_env()}
    env["NATIONAL_PORTAL_URL"] = INSECURE
    proc = _cli_run(tmp_path, env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    (line,) = [x for x in proc.stderr.splitlines() if "configuration:" in x]
    assert "NATIONAL_PORTAL_URL" in line and "KPI_ALLOW_INSECURE_PORTAL=1" in line
    assert "Traceback" not in proc.stderr


def test_a_run_launched_otherwise_stops_at_resource_setup(sim_config, resources):
    portal = PortalResource(
        name="provincial",
        base_url=INSECURE,
        client_id=sim_config.provincial_credentials[0],
        client_secret=sim_config.provincial_credentials[1],
    )
    bad = {**resources, "provincial_portal": portal}
    message = _failure(materialize([ref_units], resources=bad, raise_on_error=False))
    assert "PROVINCIAL_PORTAL_URL" in message and "KPI_ALLOW_INSECURE_PORTAL=1" in message
    assert sim_config.provincial_credentials[1] not in message


def test_the_setting_reaches_the_portal_resources(monkeypatch, simulator):
    from kpi_pipeline.resources import build_resources

    for name, value in simulator.portal_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("KPI_ALLOW_INSECURE_PORTAL", raising=False)
    assert not build_resources()["provincial_portal"].allow_insecure_http
    monkeypatch.setenv("KPI_ALLOW_INSECURE_PORTAL", "1")
    resources = build_resources()
    assert resources["provincial_portal"].allow_insecure_http
    assert resources["national_portal"].allow_insecure_http
