"""A long pull of the other portal runs in a child process (`concurrent_pulls.py`): the same
tables as a pull in the step's own thread, and its failure is the step's, with its message."""

from kpi_pipeline.ingestion.assets import CHILD_PROCESS_MIN_WEEKS
from kpi_simulator import FaultConfig

from .helpers import run_weeks, table

# 29 weeks through the simulator's week in progress (its now is 2024-03-20)
FIRST, LAST = "2023-09-01", "2024-03-15"
NODES = ("raw__provincial_dossiers", "raw__national_sync", "raw__national_payments")


def _count(url: str, source: str) -> int:
    return table(url, f"SELECT count(*) FROM raw.{source}")[0][0]


def test_a_long_pull_of_the_other_portal_runs_in_a_child_process(resources, database_url):
    result = run_weeks(resources, FIRST, LAST)
    assert result.success
    pulled_in = {}
    for node in NODES:
        meta = result.asset_materializations_for_node(node)[0].metadata
        assert meta["weeks_pulled"].value >= CHILD_PROCESS_MIN_WEEKS, node
        # every record the step reports is in its table, whichever process landed it
        assert meta["records_pulled"].value == _count(database_url, node[5:]) > 0, node
        pulled_in[node] = meta["pulled_in"].value
    # the first raw step's own pull in its process, the other portal's pulls in a child
    # (whichever portal's step Dagster runs first)
    provincial = pulled_in["raw__provincial_dossiers"]
    national = {pulled_in["raw__national_sync"], pulled_in["raw__national_payments"]}
    assert {provincial, *national} == {"this process", "a child process"}, pulled_in
    assert len(national) == 1, pulled_in
    staged = table(database_url, "SELECT count(*) FROM staging.sync_records")[0][0]
    assert staged > 0
    # the same rows as a short pull in a thread would land: the coverage of every week pulled
    weeks = table(
        database_url,
        "SELECT source, count(*) FROM raw.coverage GROUP BY source ORDER BY source",
    )
    assert {s for s, _ in weeks} == {"national_payments", "national_sync", "provincial_dossiers"}
    assert len({n for _, n in weeks}) == 1, weeks


def test_a_child_process_failure_is_its_step_failure(simulator, resources, database_url):
    simulator.set_faults(FaultConfig(total_override=-5, paths=("/api/v1/hoso",)))
    try:
        result = run_weeks(resources, FIRST, LAST, raise_on_error=False)
    finally:
        simulator.set_faults(FaultConfig())
    assert not result.success
    starts = [e.step_key for e in result.all_events if e.event_type_value == "STEP_START"]
    # a national step ran first, so the provincial pull was the other portal's: in a child
    assert starts[0].startswith("raw__national_"), starts
    failures = [e for e in result.all_events if e.is_step_failure]
    assert [e.step_key for e in failures] == ["raw__provincial_dossiers"], failures
    message = failures[0].event_specific_data.error.to_string()
    assert "bad paging field total=-5" in message, message
    assert f"{simulator.provincial_url}/api/v1/hoso" in message, message
    assert "prov-secret" not in message
    assert _count(database_url, "provincial_dossiers") == 0  # nothing of the failed pull landed
    assert _count(database_url, "national_sync") > 0  # the other portal's pull did
