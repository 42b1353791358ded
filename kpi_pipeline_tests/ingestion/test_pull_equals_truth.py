"""A pull of several weeks through real Dagster runs equals the simulator's truth, record for record.

A pull reads from its first week through the week in progress (the change history stays
complete: domain/history.py), so the truth is every record changed from the first week's
start to the simulator's "now".
"""

import unicodedata
from datetime import timedelta

import pytest

from kpi_simulator import FaultConfig

from .helpers import STAGED_DOSSIER_COLUMNS, run_weeks, table, truth_row, window

FIRST, LAST = "2024-02-09", "2024-03-01"  # four weeks, Tết 2024 included

# Every fault the simulator can inject, at once.
EVERY_FAULT = FaultConfig(
    rate_limit=0.05,
    retry_after_seconds=0,
    server_error=0.05,
    html_body=0.05,
    connection_reset=0.05,
    slow=0.02,
    slow_seconds=0.2,
    repeated_records=0.3,
    nfd_text=1.0,
    token_max_uses=7,
)


def _truth(simulator, first=FIRST):
    start, _ = window(first, first)
    world = simulator.world
    end = world.config.now + timedelta(seconds=1)
    return {
        "dossiers": sorted(truth_row(i) for i in world.dossiers_changed(start, end)),
        "sync": sorted(i["MaHoSo"] for i in world.sync_records_changed(start, end)),
        "payments": sorted(i["MaGiaoDich"] for i in world.payments_changed(start, end)),
    }


def _staged(url):
    return {
        "dossiers": sorted(table(url, f"SELECT {STAGED_DOSSIER_COLUMNS} FROM staging.dossiers")),
        "sync": sorted(r[0] for r in table(url, "SELECT ma_ho_so FROM staging.sync_records")),
        "payments": sorted(r[0] for r in table(url, "SELECT transaction_id FROM staging.payments")),
    }


def _snapshot(url):
    """Every published table, without load-time columns."""
    return {
        "raw": table(
            url,
            "SELECT partition_key, payload FROM raw.provincial_dossiers"
            " ORDER BY partition_key, payload::jsonb->>'MaHoSo'",
        ),
        "versions": table(
            url,
            "SELECT partition_key, ma_ho_so, status, updated_at FROM staging.dossier_versions"
            " ORDER BY 1, 2",
        ),
        **_staged(url),
        "units": table(
            url, "SELECT unit_code, valid_from, valid_to, unit_name FROM ref.units ORDER BY 1, 2"
        ),
        "quarantine": table(
            url, "SELECT source, record_key, rule FROM quarantine.records ORDER BY 1, 2, 3"
        ),
    }


def test_pull_equals_truth_and_rerun_is_identical(simulator, resources, database_url):
    result = run_weeks(resources, FIRST, LAST)
    truth = _truth(simulator)
    staged = _staged(database_url)
    assert len(truth["dossiers"]) > 100
    assert staged == truth
    assert table(database_url, "SELECT count(*) FROM quarantine.records") == [(0,)]

    meta = result.asset_materializations_for_node("staging__dossiers")[0].metadata
    assert (
        meta["raw_records"].value
        == meta["staged"].value + meta["quarantined"].value + meta["superseded_duplicates"].value
    )
    assert meta["balanced"].value is True
    assert meta["dagster/row_count"].value == meta["staged"].value == len(truth["dossiers"])
    columns = {c.name: c for c in meta["dagster/column_schema"].schema.columns}
    assert list(columns)[:3] == ["ma_ho_so", "procedure_code", "unit_code"]
    assert columns["received_at"].type == "timestamp with time zone"
    assert not columns["received_at"].constraints.nullable
    assert columns["finished_at"].constraints.nullable
    raw = result.asset_materializations_for_node("raw__provincial_dossiers")[0].metadata
    assert raw["dagster/row_count"].value == raw["records"].value > 0
    assert "payload" in {c.name for c in raw["dagster/column_schema"].schema.columns}

    before = _snapshot(database_url)
    run_weeks(resources, FIRST, LAST)
    assert _snapshot(database_url) == before


def test_every_fault_on_gives_the_same_tables(simulator, resources, database_url):
    simulator.set_faults(EVERY_FAULT)
    try:
        result = run_weeks(resources, FIRST, LAST)
    finally:
        simulator.set_faults(FaultConfig())
    assert _staged(database_url) == _truth(simulator)
    # The faults did happen, and the raw pulls retried through them (which pull the seeded
    # draws hit depends on the request sequence: a range is pulled one week at a time).
    retries = {
        node: result.asset_materializations_for_node(node)[0].metadata["portal_retries"].value
        for node in ("raw__provincial_dossiers", "raw__national_sync", "raw__national_payments")
    }
    assert sum(retries.values()) > 0, retries
    # NFD text from the portal is stored NFC.
    names = [r[0] for r in table(database_url, "SELECT unit_name FROM ref.units")]
    assert names and all(unicodedata.is_normalized("NFC", n) for n in names)
    assert any(unicodedata.normalize("NFD", n) != n for n in names)


@pytest.mark.parametrize("first,last", [("2024-03-01", "2024-03-01")])
def test_single_week_matches_truth(simulator, resources, database_url, first, last):
    run_weeks(resources, first, last)
    assert _staged(database_url) == _truth(simulator, first)
