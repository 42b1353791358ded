"""The checks in real Dagster runs: a blocking failure stops the downstream KPI asset, a
warning does not, partitions (one or a single-run range) restrict what is validated, and the
metadata names the failures and the Data Docs of the run."""

from pathlib import Path

import pytest
from dagster import (
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    Definitions,
    MaterializeResult,
    asset,
    materialize,
)

from kpi_pipeline.partitions import monthly_partitions, weekly_partitions
from kpi_pipeline.quality.checks import CHECKS
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline_tests.file_resources import file_resources
from kpi_pipeline_tests.quality import rows

# The run tags of a partition range run (as orchestration/runner.py sets them).
ASSET_PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
ASSET_PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"

DOSSIERS = AssetKey(["staging", "dossiers"])
KPI_WEEKLY = AssetKey(["kpi", "unit_kpi_weekly"])


def checks_on(key: AssetKey) -> list:
    return [c for c in CHECKS if any(k.asset_key == key for k in c.check_keys)]


def pipeline(crafted: dict[str, list[dict]]):
    """A stand-in for the staging asset (writes `crafted[partition]` for each partition of
    the run) and a downstream KPI asset that records whether it ran."""
    ran: list[str] = []

    @asset(
        key=DOSSIERS,
        partitions_def=weekly_partitions,
        backfill_policy=BackfillPolicy.single_run(),
    )
    def staging_dossiers(
        context: AssetExecutionContext, warehouse: WarehouseResource
    ) -> MaterializeResult:
        with rows.connect(warehouse.database_url) as conn:
            for key in context.partition_keys:
                rows.insert_dossiers(conn, crafted.get(key, []), partition_key=key)
        return MaterializeResult(metadata={"rows": sum(len(v) for v in crafted.values())})

    @asset(
        key=KPI_WEEKLY,
        deps=[DOSSIERS],
        partitions_def=weekly_partitions,
        backfill_policy=BackfillPolicy.single_run(),
    )
    def unit_kpi_weekly(context: AssetExecutionContext) -> None:
        ran.extend(context.partition_keys)

    return [staging_dossiers, unit_kpi_weekly, *checks_on(DOSSIERS)], ran


def evaluations(result) -> dict[str, object]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def materialized(result) -> set[AssetKey]:
    return {
        e.event_specific_data.materialization.asset_key
        for e in result.get_asset_materialization_events()
    }


def test_blocking_failure_stops_the_downstream_kpi_asset(warehouse):
    week = [rows.dossier("OK"), rows.dossier("PUSHED", push_working_days=5)]
    defs, ran = pipeline({rows.WEEK: week})

    result = materialize(
        defs,
        resources={"warehouse": warehouse, **file_resources()},
        partition_key=rows.WEEK,
        raise_on_error=False,
    )

    assert not result.success
    assert ran == [] and KPI_WEEKLY not in materialized(result)
    valid = evaluations(result)["valid"]
    assert not valid.passed and valid.severity == AssetCheckSeverity.ERROR
    meta = {k: v.value for k, v in valid.metadata.items()}
    assert meta["failed_expectations"] == {
        "due_date_within_slack": {
            "unexpected_count": 1,
            "examples": ["PUSHED"],
            "share": 0.5,  # one of the week's two dossiers: systemic
            "max_share": 0.01,
            "by_unit": {"X1": 1},
        }
    }
    assert meta["unexpected_count"] == 1
    assert meta["partitions"] == rows.WEEK
    assert meta["rows_validated"] == {"batch_staging_dossier_versions": 2}
    docs = Path(meta["data_docs"])
    assert docs.name == "index.html" and docs.is_file()
    assert docs.parent == Path(rows.os_kpi_home()) / "gx_docs" / result.run_id / (
        "staging_dossiers_valid"
    )
    assert "due_date_within_slack" in meta["summary"] and "PUSHED" in meta["summary"]


def test_warning_does_not_block(warehouse):
    with rows.connect(warehouse.database_url) as conn:
        rows.volume_scenario(conn, silent_unit=True, spike=False)  # X1 reports nothing
    defs, ran = pipeline({})

    result = materialize(
        defs,
        resources={"warehouse": warehouse, **file_resources()},
        partition_key=rows.WEEK,
        raise_on_error=False,
    )

    assert result.success
    assert ran == [rows.WEEK] and KPI_WEEKLY in materialized(result)
    checks = evaluations(result)
    assert checks["valid"].passed
    plausible = checks["plausible"]
    assert not plausible.passed and plausible.severity == AssetCheckSeverity.WARN
    failed = plausible.metadata["failed_expectations"].value
    assert failed["unit_weekly_volume_plausible"]["examples"] == ["X1/2024-04-26/silent"]
    assert Path(plausible.metadata["data_docs"].value).is_file()


def by_partition(result, check_name: str) -> dict[str | None, object]:
    found = [e for e in result.get_asset_check_evaluations() if e.check_name == check_name]
    out = {e.partition: e for e in found}
    assert len(out) == len(found), "one evaluation per partition"
    return out


def test_a_single_run_backfill_records_each_partition_it_checked(warehouse):
    first, second = "2024-04-19", rows.WEEK
    crafted = {
        first: [rows.dossier("W1-BAD-CHANNEL", "2024-04-19 09:00:00", channel=7)],
        second: [rows.dossier("W2-OK")],
    }
    defs, ran = pipeline(crafted)
    result = materialize(
        defs,
        resources={"warehouse": warehouse, **file_resources()},
        tags={ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: second},
        raise_on_error=False,
    )
    valid = by_partition(result, "valid")
    assert set(valid) == {first, second}  # never a partition-less evaluation
    assert ran == [] and not result.success  # the failed partition blocks the range run
    bad, good = valid[first], valid[second]
    assert not bad.passed and good.passed and bad.blocking
    assert bad.metadata["partitions"].value == first
    assert bad.metadata["rows_validated"].value == {"batch_staging_dossier_versions": 1}
    assert bad.metadata["failed_expectations"].value["channel_in_set"]["examples"] == [
        "W1-BAD-CHANNEL"
    ]
    assert good.metadata["failed_expectations"].value == {}
    assert Path(bad.metadata["data_docs"].value).parent.name == first
    assert bad.target_materialization_data is not None  # linked to the partition's materialisation
    assert set(by_partition(result, "plausible")) == {first, second}


def test_a_passing_range_passes_each_partition_from_one_validation(warehouse):
    first, second = "2024-04-19", rows.WEEK
    crafted = {
        first: [rows.dossier("W1-OK", "2024-04-19 09:00:00")],
        second: [rows.dossier("W2-OK")],
    }
    defs, ran = pipeline(crafted)
    result = materialize(
        defs,
        resources={"warehouse": warehouse, **file_resources()},
        tags={ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: second},
        raise_on_error=False,
    )
    valid = by_partition(result, "valid")
    assert set(valid) == {first, second} and all(e.passed for e in valid.values())
    assert ran == [first, second]
    for key, evaluation in valid.items():
        assert evaluation.metadata["partitions"].value == key
        assert evaluation.metadata["validated_with"].value == f"{first}..{second}"
        assert evaluation.metadata["rows_validated"].value == {"batch_staging_dossier_versions": 2}


def test_checks_attach_to_the_published_assets(warehouse):
    """Every check loads in one Definitions with the assets it names (stand-ins here)."""
    partitions = {
        ("raw", "provincial_dossiers"): weekly_partitions,
        ("staging", "dossiers"): weekly_partitions,
        ("staging", "sync_records"): weekly_partitions,
        ("staging", "payments"): weekly_partitions,
        ("ref", "units"): None,
        ("ref", "procedures"): None,
        ("kpi", "unit_kpi_weekly"): weekly_partitions,
        ("kpi", "unit_kpi_monthly"): monthly_partitions,
    }
    specs = [AssetSpec(list(k), partitions_def=p) for k, p in partitions.items()]
    defs = Definitions(
        assets=specs, asset_checks=CHECKS, resources={"warehouse": warehouse, **file_resources()}
    )
    Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = {(tuple(k.asset_key.path), k.name) for k in graph.asset_check_keys}
    assert keys == {
        (("raw", "provincial_dossiers"), "readable"),
        (("staging", "dossiers"), "valid"),
        (("staging", "dossiers"), "plausible"),
        (("staging", "sync_records"), "valid"),
        (("staging", "payments"), "valid"),
        (("staging", "payments"), "plausible"),
        (("ref", "units"), "valid"),
        (("ref", "procedures"), "valid"),
        (("kpi", "unit_kpi_weekly"), "valid"),
        (("kpi", "unit_kpi_weekly"), "complete"),
        (("kpi", "unit_kpi_monthly"), "valid"),
        (("kpi", "unit_kpi_monthly"), "complete"),
    }
    blocking = {
        (tuple(s.asset_key.path), s.name) for c in CHECKS for s in c.check_specs if s.blocking
    }
    assert blocking == {k for k in keys if k[1] in ("valid", "readable")}


@pytest.mark.parametrize("key", [("ref", "units"), ("ref", "procedures")])
def test_reference_checks_run_unpartitioned(warehouse, key):
    @asset(key=list(key))
    def reference() -> None:  # the rows are already in the test database
        return None

    result = materialize(
        [reference, *checks_on(AssetKey(list(key)))],
        resources={"warehouse": warehouse, **file_resources()},
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed and "partitions" not in evaluation.metadata
