"""Within one run the two portals are pulled at the same time (`concurrent_pulls.py`), and the
tables are those of the simulator's truth whichever step a pull ran in."""

from kpi_simulator import FaultConfig

from .helpers import run_weeks, table

FIRST, LAST = "2024-02-23", "2024-03-01"
RAW_WEEKLY = ("provincial_dossiers", "national_sync", "national_payments")
# Every page takes a while, so each pull lasts well beyond the other's start.
SLOW = FaultConfig(slow=1.0, slow_seconds=0.05, paths=("/api/v1/hoso", "/api/v1/dongbo/hoso"))


def _span(url: str, sources: tuple[str, ...]):
    return table(
        url,
        "SELECT min(pulled_at), max(pulled_at) FROM raw.coverage WHERE source = ANY(%s)",
        (list(sources),),
    )[0]


def _slow_run(simulator, resources):
    simulator.set_faults(SLOW)
    try:
        result = run_weeks(resources, FIRST, LAST)
    finally:
        simulator.set_faults(FaultConfig())
    assert result.success
    return result


def test_the_two_portals_are_pulled_at_the_same_time(simulator, resources, database_url):
    result = _slow_run(simulator, resources)
    provincial = _span(database_url, ("provincial_dossiers",))
    national = _span(database_url, ("national_sync", "national_payments"))
    # One portal after the other, one pull's windows would all be read before the other's.
    assert provincial[0] < national[1] and national[0] < provincial[1], (provincial, national)
    # Every record landed in its own table, each step reporting its own pull.
    counts = {
        t: table(database_url, f"SELECT count(*) FROM raw.{t}")[0][0]
        for t in ("provincial_dossiers", "national_sync", "national_payments")
    }
    for node, t in (
        ("raw__provincial_dossiers", "provincial_dossiers"),
        ("raw__national_sync", "national_sync"),
        ("raw__national_payments", "national_payments"),
    ):
        meta = result.asset_materializations_for_node(node)[0].metadata
        assert meta["records_pulled"].value == counts[t] > 0, (node, counts)


def test_a_source_is_staged_while_the_other_portal_is_still_pulled(simulator, resources):
    """Staging steps go first among the ready steps (`staging/assets.py`): the source pulled
    in the step's own thread is conformed while the other portal's pulls run in theirs, so
    some staging step starts before the run's last raw step does."""
    result = _slow_run(simulator, resources)
    starts = [e.step_key for e in result.all_events if e.event_type_value == "STEP_START"]
    weekly_raw = [i for i, k in enumerate(starts) if k.split("__")[-1] in RAW_WEEKLY]
    staging = [i for i, k in enumerate(starts) if k.startswith("staging__")]
    assert len(weekly_raw) == 3 and staging, starts
    assert min(staging) < max(weekly_raw), starts
