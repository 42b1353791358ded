"""Paging that a broken portal cannot fool: the simulator's data faults over real HTTP, the
pipeline's raw and staging assets on a real PostgreSQL (client.PageCounter's rules)."""

import pytest

from kpi_pipeline_tests.conftest import make_portals
from kpi_simulator import FaultConfig

from .helpers import run_weeks, table

WEEK = "2024-03-01"
HOSO = ("/api/v1/hoso",)
RAW = "SELECT payload::text FROM raw.provincial_dossiers ORDER BY 1"
RAW_WEEK = "SELECT payload::text FROM raw.provincial_dossiers WHERE partition_key = %s"


@pytest.fixture
def small_pages(simulator, sim_config, resources):
    """Pages of 50 (the week holds several hundred dossiers), a short retry budget."""
    return {
        "warehouse": resources["warehouse"],
        **make_portals(simulator, sim_config, retry_budget_seconds=2.0, page_size=50),
    }


def _run_with(simulator, res, faults: FaultConfig):
    simulator.set_faults(faults)
    try:
        return run_weeks(res, WEEK, WEEK, raise_on_error=False)
    finally:
        simulator.set_faults(FaultConfig())


def _failure(result) -> str:
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    return failure.event_specific_data.error.to_string()


@pytest.fixture
def clean(simulator, small_pages, database_url):
    """The week pulled without faults: its raw rows, the reference to compare with."""
    run_weeks(small_pages, WEEK, WEEK)
    rows = table(database_url, RAW)
    assert len(rows) > 150  # several pages of 50
    return rows


@pytest.mark.parametrize(
    "faults, says",
    [
        (FaultConfig(total_override=-5, paths=HOSO), "bad paging field total=-5"),
        (FaultConfig(total_override=50, paths=HOSO), "beyond it is not records that arrived"),
        (FaultConfig(total_offset=7, paths=HOSO), "7 records would be lost (after 3 reads)"),
        (FaultConfig(ignore_page=True, paths=HOSO), "ignores the page parameter"),
    ],
    ids=["total_negative", "total_understated", "total_overstated", "page_ignored"],
)
def test_untrustworthy_paging_fails_naming_the_url_and_publishes_nothing(
    simulator, small_pages, database_url, clean, faults, says
):
    message = _failure(_run_with(simulator, small_pages, faults))
    assert says in message
    assert f"provincial portal: {simulator.provincial_url}/api/v1/hoso" in message
    assert "prov-secret" not in message
    assert table(database_url, RAW) == clean  # the previous pull stays published


def test_records_that_arrived_during_the_read_are_tolerated_and_all_land(
    simulator, small_pages, database_url, clean
):
    """A `total` counted before 12 records arrived: every record is read and landed."""
    result = _run_with(simulator, small_pages, FaultConfig(total_offset=-12, paths=HOSO))
    assert result.success
    assert table(database_url, RAW) == clean


def test_repeated_records_across_pages_are_tolerated(simulator, small_pages, database_url, clean):
    faults = FaultConfig(repeated_records=1.0, repeated_count=2, paths=HOSO)
    result = _run_with(simulator, small_pages, faults)
    assert result.success
    raw = table(database_url, RAW)
    assert len(raw) > len(clean) and sorted(set(raw)) == clean
    staged = table(database_url, "SELECT count(*) FROM staging.dossiers")[0][0]
    assert staged == len(set(clean))


def test_a_count_short_once_is_read_again_and_lands_whole(
    simulator, small_pages, database_url, clean
):
    """The first page's total counts 7 records that are gone by the end of the read: the client
    reads the window again; both reads land, staging keeps one version of each record. (The
    pull reads the week through the week in progress: the first window is the week's.)"""
    first_window = table(database_url, RAW_WEEK, (WEEK,))
    faults = FaultConfig(total_offset=7, data_fault_requests=1, paths=HOSO)
    result = _run_with(simulator, small_pages, faults)
    assert result.success
    raw = table(database_url, RAW)
    assert sorted(raw) == sorted(clean + first_window)
    pages = table(
        database_url,
        "SELECT max(page) FROM raw.provincial_dossiers WHERE partition_key = %s",
        (WEEK,),
    )[0][0]
    assert pages > len(first_window) // 50 + 1  # the second read's pages are numbered on
    staged = table(database_url, "SELECT count(*) FROM staging.dossiers")[0][0]
    assert staged == len(clean)
