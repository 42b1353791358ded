"""Wrongly typed dossier fields served by the simulator over real HTTP: each record is
quarantined with the field and the reason, counted, and nothing is coerced out of sight."""

from kpi_pipeline_tests.conftest import make_portals
from kpi_pipeline_tests.ingestion.helpers import run_weeks, table
from kpi_simulator import FaultConfig

WEEK = "2024-03-01"
EVERY = 20
RULES = ("bad_payment", "bad_amount", "oversized_field")  # wrongly_typed's rotation


def test_wrongly_typed_fields_are_quarantined_field_by_field(
    simulator, sim_config, resources, database_url
):
    res = {"warehouse": resources["warehouse"], **make_portals(simulator, sim_config)}
    simulator.set_faults(
        FaultConfig(wrong_types_every=EVERY, long_text_chars=2_000_000, paths=("/api/v1/hoso",))
    )
    try:
        result = run_weeks(res, WEEK, WEEK, raise_on_error=False)
    finally:
        simulator.set_faults(FaultConfig())
    assert result.success
    # the pull reads the week through the week in progress, one window a week; the fault
    # counts the items of each window
    per_window = table(
        database_url, "SELECT count(*) FROM raw.provincial_dossiers GROUP BY partition_key"
    )
    raw = sum(n for (n,) in per_window)
    expected = {rule: 0 for rule in RULES}
    for (n,) in per_window:
        for i in range(EVERY - 1, n, EVERY):
            expected[RULES[(i // EVERY) % 3]] += 1
    assert all(expected.values())
    rows = table(
        database_url,
        "SELECT rule, detail, length(payload::text) FROM quarantine.records"
        " WHERE source = 'provincial_dossiers' ORDER BY rule",
    )
    got = {rule: sum(1 for r in rows if r[0] == rule) for rule in RULES}
    assert got == expected and len(rows) == sum(expected.values())
    details = {r[0]: r[1] for r in rows}
    assert details["bad_payment"] == "ThanhToan is a string (paid), not an object or null"
    assert details["bad_amount"].startswith("ThanhToan.SoTien=-5 is not a whole")
    assert details["oversized_field"] == "LyDoTreHan is 2000000 characters long (at most 500)"
    assert all(r[2] > 2_000_000 for r in rows if r[0] == "oversized_field")  # kept whole

    staged = table(
        database_url,
        "SELECT count(*), count(*) FILTER (WHERE length(late_reason) > 500"
        " OR payment_amount < 0) FROM staging.dossiers",
    )[0]
    assert staged == (raw - len(rows), 0)  # raw = staged + quarantined (no repeats here)
    event = next(
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key.path == ["staging", "dossiers"]
    )
    meta = event.materialization.metadata
    assert meta["balanced"].value is True
    assert meta["quarantined_by_rule"].data == expected
