"""A failed blocking check holds the KPI assets downstream back in later runs too, with a
message that names the check, asset, partition and how to clear it; a passing re-check
releases them. Real PostgreSQL (warehouse and Dagster storage), real GX, real Dagster runs."""

from __future__ import annotations

import uuid

import pytest
from dagster import AssetKey, AssetSpec, DagsterInstance, materialize

from kpi_pipeline.kpis.assets import unit_kpi_weekly, unit_procedure_weekly
from kpi_pipeline.quality.gate import CheckState, blocked_by, hold_message
from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.file_resources import file_resources
from kpi_pipeline_tests.history import record_complete_history
from kpi_pipeline_tests.quality import rows
from kpi_pipeline_tests.quality.test_checks import DOSSIERS, KPI_WEEKLY, pipeline


def state(status: str, partition: str | None = "2024-04-26", check: str = "valid") -> CheckState:
    return CheckState("staging/dossiers", check, partition, status, "run-1")


def test_only_failed_latest_evaluations_hold():
    states = [state("SUCCEEDED"), state("PLANNED", "2024-04-19"), state("FAILED", "2024-05-03")]
    assert blocked_by(states) == [states[2]]
    assert blocked_by([state("SUCCEEDED"), state("PLANNED")]) == []


def test_the_message_names_check_asset_partition_and_the_way_out():
    text = hold_message(
        "kpi/unit_kpi_weekly",
        "2024-04-19..2024-05-03",
        [state("FAILED", "2024-05-03"), state("FAILED", None, "readable")],
    )
    assert text.startswith("kpi/unit_kpi_weekly [2024-04-19..2024-05-03] not computed")
    assert "staging/dossiers check 'valid' failed for partition 2024-05-03 (run run-1)" in text
    assert "check 'readable' failed for whole table" in text
    assert "kpi-pipeline backfill" in text and "re-materialise the checked asset" in text


@pytest.fixture
def instance(tmp_path, pg_server_url):
    """A Dagster instance whose runs and events live in a fresh PostgreSQL database."""
    name = f"dagster_gate_{uuid.uuid4().hex[:10]}"
    url = db.create_database(pg_server_url, name)
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        f"storage:\n  postgres:\n    postgres_url: {db.dagster_storage_url(url)!r}\n"
        "telemetry:\n  enabled: false\n",
        encoding="utf-8",
    )
    with DagsterInstance.from_config(str(home)) as inst:
        yield inst
    db.drop_database(pg_server_url, name)


def _failure_text(result) -> str:
    (event,) = [e for e in result.all_events if e.is_step_failure]
    err = event.event_specific_data.error
    return "\n".join(e.message for e in [err, *([err.cause] if err.cause else [])])


def test_a_failed_check_of_an_earlier_run_holds_the_kpis_until_it_passes(warehouse, instance):
    good, bad = (
        [rows.dossier("OK")],
        [rows.dossier("OK"), rows.dossier("PUSHED", push_working_days=5)],
    )
    crafted = {rows.WEEK: bad}
    stand_ins, _ = pipeline(crafted)
    staging = [a for a in stand_ins if not isinstance(a, AssetSpec)]
    others = [AssetSpec(["staging", "payments"]), AssetSpec(["ref", "units"]),
              AssetSpec(["ref", "procedures"])]  # fmt: skip
    assets = [*staging[:1], *staging[2:], unit_procedure_weekly, unit_kpi_weekly, *others]
    resources = {"warehouse": warehouse, **file_resources()}

    def run(selection):
        return materialize(
            assets, instance=instance, selection=selection, partition_key=rows.WEEK,
            resources=resources, raise_on_error=False,
        )  # fmt: skip

    ingest = run([DOSSIERS])  # the ingest run: its blocking check fails
    assert not ingest.success
    # a later, separate KPI run (as an asset backfill launches it), of the unit table alone:
    # the hold looks through the counts it reads to the staging check behind them
    kpis = run([KPI_WEEKLY])
    assert not kpis.success
    assert not kpis.get_asset_materialization_events()
    text = _failure_text(kpis)
    assert f"kpi/unit_kpi_weekly [{rows.WEEK}] not computed" in text
    assert f"staging/dossiers check 'valid' failed for partition {rows.WEEK}" in text
    assert ingest.run_id in text and "To clear" in text
    with rows.connect(warehouse.database_url) as conn:
        (n,) = conn.execute("SELECT count(*) FROM kpi.unit_kpi_weekly").fetchone()
    assert n == 0

    with rows.connect(warehouse.database_url) as conn:  # the source is fixed and the week
        conn.execute("DELETE FROM staging.dossier_versions")  # pulled again
        conn.execute("DELETE FROM staging.dossiers")
    crafted[rows.WEEK] = good
    assert run([DOSSIERS]).success
    record_complete_history(warehouse.database_url)  # the stand-ins pull nothing themselves
    released = run([unit_procedure_weekly.key, KPI_WEEKLY])
    assert released.success
    assert AssetKey(["kpi", "unit_kpi_weekly"]) in {
        e.event_specific_data.materialization.asset_key
        for e in released.get_asset_materialization_events()
    }
