"""`chiso` rows repeated across pages (the contract allows repeats) are deduplicated like every
other source: identical copies are one record, the copy of the later page wins, and only two
different copies on the same page are quarantined."""

import json

from dagster import materialize

from kpi_pipeline.ingestion.assets import raw_national_chiso
from kpi_pipeline.staging.assets import stg_chiso
from kpi_pipeline.warehouse import db
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline_tests.conftest import make_portals
from kpi_pipeline_tests.ingestion.helpers import table
from kpi_simulator import FaultConfig

MONTH = "2024-02-01"
STAGED = "SELECT unit_code, on_time_pct, online_pct, online_payment_pct FROM staging.chiso"


def _pull(simulator, sim_config, database_url, faults: FaultConfig):
    res = {
        "warehouse": WarehouseResource(database_url=database_url),
        **make_portals(simulator, sim_config, page_size=100),
    }
    simulator.set_faults(faults)
    try:
        result = materialize([raw_national_chiso, stg_chiso], partition_key=MONTH, resources=res)
    finally:
        simulator.set_faults(FaultConfig())
    event = next(
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key.path == ["staging", "chiso"]
    )
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_repeated_chiso_rows_from_the_portal_are_one_record(simulator, sim_config, database_url):
    clean_meta = _pull(simulator, sim_config, database_url, FaultConfig())
    clean = sorted(table(database_url, STAGED + " ORDER BY 1"))
    assert len(clean) > 200 and clean_meta["superseded_duplicates"] == 0

    faults = FaultConfig(repeated_records=1.0, repeated_count=3, paths=("/api/v1/chiso",))
    meta = _pull(simulator, sim_config, database_url, faults)
    assert sorted(table(database_url, STAGED + " ORDER BY 1")) == clean
    assert meta["quarantined"] == 0
    assert meta["superseded_duplicates"] == 3 * (len(clean) // 100)  # pages 2.. repeat 3 rows
    assert meta["raw_records"] == len(clean) + meta["superseded_duplicates"]
    assert meta["balanced"] is True


def _row(unit: str, on_time: float) -> dict:
    return {
        "MaDonVi": unit,
        "TyLeDungHan": on_time,
        "TyLeTrucTuyen": 50.0,
        "TyLeThanhToanTrucTuyen": 20.0,
    }


def test_later_page_wins_and_same_page_conflicts_are_quarantined(database_url):
    rows = [
        (1, _row("A", 80.0)),
        (2, _row("A", 81.5)),  # changed during the read: the later page is the latest version
        (1, _row("B", 90.0)),
        (1, _row("B", 90.0)),  # an identical copy
        (3, _row("C", 70.0)),
        (3, _row("C", 71.0)),  # two different copies on one page: neither can be trusted
    ]
    with db.connect(database_url) as conn:
        for page, item in rows:
            conn.execute(
                "INSERT INTO raw.national_chiso (partition_key, page, payload, run_id, fetched_at)"
                " VALUES (%s, %s, %s, 'r1', now())",
                (MONTH, page, json.dumps(item)),
            )
        conn.commit()
        with conn.transaction():
            db.execute_file(conn, "staging/replace_chiso", {"keys": [MONTH], "run_id": "run-1"})
    staged = table(database_url, "SELECT unit_code, on_time_pct FROM staging.chiso ORDER BY 1")
    assert [(u, float(p)) for u, p in staged] == [("A", 81.5), ("B", 90.0)]
    quarantined = table(
        database_url,
        "SELECT record_key, rule, detail FROM quarantine.records"
        " WHERE source = 'national_chiso' ORDER BY detail",
    )
    assert [(k, r) for k, r, _ in quarantined] == [("C", "conflicting_duplicate")] * 2
    assert quarantined[0][2].startswith("two different rows for this unit on page 3")
