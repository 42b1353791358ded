"""The unit tree a broken portal serves, over real HTTP into a real PostgreSQL: a cycle and an
orphan fail `ref/units`'s blocking check by name, and the portal's corrected list heals the
warehouse (the withdrawn versions move to ref.units_delisted) so the next run passes."""

import pytest
from dagster import AssetKey, materialize

from kpi_pipeline.ingestion.assets import ref_units
from kpi_pipeline.quality.checks import CHECKS
from kpi_simulator import FaultConfig
from kpi_simulator.faults import MISSING_PARENT, ORPHAN_UNIT

from .helpers import table

UNITS = AssetKey(["ref", "units"])
CHECKS_ON_UNITS = [c for c in CHECKS if any(k.asset_key == UNITS for k in c.check_keys)]


@pytest.fixture(autouse=True)
def kpi_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KPI_HOME", str(tmp_path / "kpi_home"))


def _pull_units(simulator, resources, faults: FaultConfig):
    simulator.set_faults(faults)
    try:
        result = materialize(
            [ref_units, *CHECKS_ON_UNITS], resources=resources, raise_on_error=False
        )
    finally:
        simulator.set_faults(FaultConfig())
    (evaluation,) = result.get_asset_check_evaluations()
    return evaluation


def _failed(evaluation) -> dict:
    return evaluation.metadata["failed_expectations"].data


def test_unit_cycle_fails_the_check_naming_both_units(simulator, resources, world_units):
    evaluation = _pull_units(simulator, resources, FaultConfig(unit_cycle=True))
    assert not evaluation.passed and evaluation.severity.value == "ERROR"
    failed = _failed(evaluation)
    a, b = sorted(u["MaDonVi"] for u in world_units if u["CapDonVi"] == "HUYEN")[:2]
    examples = failed["parents_without_cycle"]["examples"]
    assert {e.split("/")[0] for e in examples} >= {a, b}
    assert failed["parents_without_cycle"]["unexpected_count"] >= 2

    healed = _pull_units(simulator, resources, FaultConfig())
    assert healed.passed  # the portal corrected the parents: the versions are updated


def test_orphan_unit_blocks_until_the_portal_stops_listing_it(simulator, resources, database_url):
    evaluation = _pull_units(simulator, resources, FaultConfig(orphan_unit=True))
    assert not evaluation.passed
    assert _failed(evaluation)["parent_known"]["examples"] == [f"{ORPHAN_UNIT}/2022-01-01"]
    orphan = f"SELECT parent_code FROM ref.units WHERE unit_code = '{ORPHAN_UNIT}'"
    assert table(database_url, orphan) == [(MISSING_PARENT,)]

    # the same list again: the check fails the same way (nothing heals by itself)
    assert not _pull_units(simulator, resources, FaultConfig(orphan_unit=True)).passed

    healed = _pull_units(simulator, resources, FaultConfig())
    assert healed.passed
    assert table(database_url, orphan) == []
    delisted = table(
        database_url, "SELECT unit_code, parent_code, delisted_run FROM ref.units_delisted"
    )
    assert [(u, p) for u, p, _ in delisted] == [(ORPHAN_UNIT, MISSING_PARENT)]
    assert delisted[0][2]

    # listed again, it comes back (and fails again): the portal's list is the truth
    assert not _pull_units(simulator, resources, FaultConfig(orphan_unit=True)).passed
    assert table(database_url, "SELECT count(*) FROM ref.units_delisted") == [(0,)]


@pytest.fixture
def world_units(simulator):
    return simulator.world.units()
