"""A failed or killed pull publishes nothing: the previous state stays, a rerun completes."""

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time

from kpi_pipeline.ingestion.resources import PortalResource
from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.conftest import make_portals
from kpi_simulator import FaultConfig

from .helpers import run_weeks, table

WEEK = "2024-03-01"


def _state(url):
    return (
        table(
            url,
            "SELECT partition_key, payload FROM raw.provincial_dossiers ORDER BY 1, payload::text",
        ),
        table(url, "SELECT ma_ho_so, status, updated_at FROM staging.dossiers ORDER BY 1"),
    )


def test_portal_down_past_the_budget_fails_clearly_and_keeps_state(
    simulator, sim_config, resources, database_url
):
    run_weeks(resources, WEEK, WEEK)
    before = _state(database_url)
    assert before[0]

    # Small pages so the portal goes down in the middle of the stream, after the COPY began.
    short = {
        "warehouse": resources["warehouse"],
        **make_portals(simulator, sim_config, retry_budget_seconds=2.0, page_size=20),
    }
    simulator.set_faults(FaultConfig(server_error=1.0, start_after=2, paths=("/api/v1/hoso",)))
    try:
        result = run_weeks(short, WEEK, WEEK, raise_on_error=False)
    finally:
        simulator.set_faults(FaultConfig())
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.event_specific_data.error.to_string()
    assert "provincial portal" in message and "/api/v1/hoso" in message and "page" in message
    assert _state(database_url) == before

    run_weeks(resources, WEEK, WEEK)
    assert _state(database_url) == before


SCRIPT = textwrap.dedent(
    """
    import sys
    from kpi_pipeline.ingestion.resources import PortalResource
    from kpi_pipeline.warehouse.resource import WarehouseResource
    from kpi_pipeline_tests.ingestion.helpers import run_weeks
    url, prov, nat, pid, psec, nid, nsec, week = sys.argv[1:]
    res = {
        "warehouse": WarehouseResource(database_url=url),
        "provincial_portal": PortalResource(name="provincial", base_url=prov, client_id=pid,
                                            client_secret=psec, page_size=20),
        "national_portal": PortalResource(name="national", base_url=nat, client_id=nid,
                                          client_secret=nsec, page_size=20),
    }
    run_weeks(res, week, week)
    """
)


def test_killed_run_leaves_previous_state(simulator, sim_config, resources, database_url):
    run_weeks(resources, WEEK, WEEK)
    before = _state(database_url)
    simulator.set_faults(FaultConfig(slow=1.0, slow_seconds=0.3, paths=("/api/v1/hoso",)))
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, database_url, simulator.provincial_url,
         simulator.national_url, *sim_config.provincial_credentials,
         *sim_config.national_credentials, WEEK],
        cwd=os.getcwd(),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        copying = False
        while time.monotonic() < deadline and proc.poll() is None and not copying:
            with db.connect(database_url) as conn:
                copying = (
                    conn.execute(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE query LIKE 'COPY %%raw%%' AND datname = current_database()"
                    ).fetchone()[0]
                    > 0
                )
            time.sleep(0.1)
        assert copying, "the run never reached the COPY"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        simulator.set_faults(FaultConfig())
        if proc.poll() is None:
            proc.kill()
    assert _state(database_url) == before
    run_weeks(resources, WEEK, WEEK)
    assert _state(database_url) == before


def test_secrets_never_reach_logs_or_metadata(simulator, sim_config, resources, caplog):
    caplog.set_level(logging.DEBUG)
    secrets = [sim_config.provincial_credentials[1], sim_config.national_credentials[1]]
    simulator.set_faults(FaultConfig(token_max_uses=2, server_error=0.2))
    try:
        result = run_weeks(resources, WEEK, WEEK)
    finally:
        simulator.set_faults(FaultConfig())
    texts = [caplog.text]
    for event in result.all_events:
        texts.append(repr(event))
    bad = dict(resources)
    bad["provincial_portal"] = PortalResource(
        name="provincial",
        base_url=simulator.provincial_url,
        client_id=sim_config.provincial_credentials[0],
        client_secret="wrong-" + secrets[0],
    )
    failed = run_weeks(bad, WEEK, WEEK, raise_on_error=False)
    assert not failed.success
    texts += [repr(e) for e in failed.all_events]
    blob = "\n".join(texts)
    for secret in secrets:
        assert secret not in blob
    assert "refused the credentials" in blob or "401" in blob
