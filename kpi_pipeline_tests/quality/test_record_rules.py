"""Record-level rules never take a province hostage: a dossier that breaks one is flagged,
named and counted per unit in the check's metadata, and the week's KPIs still publish; only a
share of the week above `records.max_share` (systemic) fails the blocking check."""

from __future__ import annotations

import pytest
import yaml
from dagster import AssetCheckSeverity, materialize

from kpi_pipeline.domain.quality_config import (
    DEFAULT_CONFIG_FILE,
    QualityConfig,
    QualityConfigError,
    load_quality_config,
)
from kpi_pipeline.quality.gx_runner import run_suite
from kpi_pipeline.quality.records import is_systemic, rule_over_batch
from kpi_pipeline.quality.suites import suite_for
from kpi_pipeline_tests.file_resources import file_resources
from kpi_pipeline_tests.quality import rows
from kpi_pipeline_tests.quality.test_checks import KPI_WEEKLY, evaluations, materialized, pipeline

VALID = suite_for(("staging", "dossiers"), "valid")
PLAUSIBLE = suite_for(("staging", "dossiers"), "plausible")
UNITS = ("X1", "X2", "SO1", "H1")


def week_of(good: int, pushed: int) -> list[dict]:
    """`good` dossiers spread over four units, and `pushed` whose due date lies 5 working days
    beyond processing time + slack (received by X2)."""
    return [
        *(rows.dossier(f"OK-{i:03}", unit=UNITS[i % 4]) for i in range(good)),
        *(rows.dossier(f"PUSHED-{i}", unit="X2", push_working_days=5) for i in range(pushed)),
    ]


def test_one_dossier_beyond_the_slack_is_named_and_the_week_publishes(warehouse):
    defs, ran = pipeline({rows.WEEK: week_of(good=149, pushed=1)})

    result = materialize(
        defs,
        resources={"warehouse": warehouse, **file_resources()},
        partition_key=rows.WEEK,
        raise_on_error=False,
    )

    assert result.success
    assert ran == [rows.WEEK] and KPI_WEEKLY in materialized(result)
    valid = evaluations(result)["valid"]
    assert valid.passed and valid.severity == AssetCheckSeverity.ERROR
    meta = {k: v.value for k, v in valid.metadata.items()}
    assert meta["failed_expectations"] == {}
    assert meta["flagged_records"] == {
        "due_date_within_slack": {
            "unexpected_count": 1,
            "examples": ["PUSHED-0"],
            "share": round(1 / 150, 6),
            "max_share": 0.01,
            "by_unit": {"X2": 1},
        }
    }
    assert meta["flagged_count"] == 1
    assert "PUSHED-0" in meta["summary"] and "flagged" in meta["summary"]
    assert "records flagged within the tolerated share: due_date_within_slack (1)" in (
        valid.description
    )


def test_five_percent_of_the_week_is_systemic_and_blocks(warehouse):
    defs, ran = pipeline({rows.WEEK: week_of(good=95, pushed=5)})

    result = materialize(
        defs,
        resources={"warehouse": warehouse, **file_resources()},
        partition_key=rows.WEEK,
        raise_on_error=False,
    )

    assert not result.success
    assert ran == [] and KPI_WEEKLY not in materialized(result)
    valid = evaluations(result)["valid"]
    assert not valid.passed
    failed = valid.metadata["failed_expectations"].value
    assert failed["due_date_within_slack"]["share"] == 0.05
    assert failed["due_date_within_slack"]["by_unit"] == {"X2": 5}
    assert failed["due_date_within_slack"]["examples"] == [f"PUSHED-{i}" for i in range(5)]
    assert "flagged_records" not in valid.metadata


def test_every_record_rule_is_counted_per_unit_and_tolerated(conn, db):
    """One record per rule in a week of 700: each flagged with its unit, the suite passes."""
    rows.relax(conn, "staging.dossier_versions")
    bad = [
        rows.dossier("BAD-STATUS", unit="X1", status=11),
        rows.dossier("BAD-CHANNEL", unit="X2", channel=4),
        rows.dossier("FINISHED-FIRST", unit="SO1", status=9,
                     finished_at=rows.ts("2024-04-25 08:00:00")),
        rows.dossier("DUE-FIRST", unit="H1", due_at=rows.ts("2024-04-25 08:00:00")),
        rows.dossier("UNKNOWN-UNIT", unit="NOPE"),
        rows.dossier("UNKNOWN-PROC", unit="X1", procedure="NOPE"),
        rows.dossier("PUSHED", unit="X2", push_working_days=5),
    ]  # fmt: skip
    rows.insert_dossiers(conn, week_of(good=693, pushed=0) + bad)

    result = run_suite(db, VALID, rows.week_params(), build_docs=False)

    assert result.success, result.failures
    flagged = {f.name: (f.examples, f.by_unit) for f in result.flagged}
    assert flagged == {
        "status_in_set": (["BAD-STATUS"], {"X1": 1}),
        "channel_in_set": (["BAD-CHANNEL"], {"X2": 1}),
        "received_before_finished": (["FINISHED-FIRST"], {"SO1": 1}),
        "received_before_due": (["DUE-FIRST"], {"H1": 1}),
        "unit_known": (["UNKNOWN-UNIT"], {"NOPE": 1}),
        "procedure_known": (["UNKNOWN-PROC"], {"X1": 1}),
        "due_date_within_slack": (["PUSHED"], {"X2": 1}),
    }
    assert all(f.share == round(1 / 700, 6) for f in result.flagged)


def test_a_systemic_problem_is_counted_whole_beyond_what_gx_returns(conn, db):
    """GX returns at most 200 unexpected rows; the per-unit counts come from our own query."""
    week = [
        rows.dossier(f"D-{i:03}", unit=UNITS[i % 4], push_working_days=5 if i < 300 else 0)
        for i in range(400)
    ]
    rows.insert_dossiers(conn, week)

    result = run_suite(db, VALID, rows.week_params(), build_docs=False)

    (due,) = result.failures
    assert due.name == "due_date_within_slack" and due.unexpected_count == 300
    assert due.by_unit == {"H1": 75, "SO1": 75, "X1": 75, "X2": 75}
    assert due.share == 0.75 and len(due.examples) == QualityConfig().max_examples


def test_keys_stay_zero_tolerance(conn, db):
    """A duplicate key in the week's versions means staging's deduplication broke: systemic."""
    rows.relax(conn, "staging.dossier_versions")
    rows.insert_dossiers(conn, [*week_of(good=300, pushed=0), rows.dossier("OK-000")])
    result = run_suite(db, VALID, rows.week_params(), build_docs=False)
    assert [f.name for f in result.failures] == ["key_unique"]


def test_a_warning_suite_reports_every_flagged_record(conn, db):
    """A warning blocks nothing, so it has nothing to tolerate: one record in 300 warns."""
    rows.insert_dossiers(
        conn, [*week_of(good=299, pushed=0), rows.dossier("NO-FINISH-DATE", unit="H1", status=9)]
    )
    result = run_suite(db, PLAUSIBLE, rows.week_params(), build_docs=False)
    got = {f.name: (f.examples, f.by_unit) for f in result.failures}
    assert got["finished_has_date"] == (["NO-FINISH-DATE"], {"H1": 1})
    assert not result.flagged


def test_the_tolerance_is_configurable(conn, db):
    rows.insert_dossiers(conn, week_of(good=95, pushed=5))
    lenient = QualityConfig(max_record_share=0.05)
    assert run_suite(db, VALID, rows.week_params(), config=lenient, build_docs=False).success
    strict = QualityConfig(max_record_share=0.0)
    assert not run_suite(db, VALID, rows.week_params(), config=strict, build_docs=False).success


@pytest.mark.parametrize(
    "value, message",
    [(1.5, "records.max_share: expected a number in 0..1"), ("1%", "records.max_share")],
)
def test_the_tolerance_is_validated(tmp_path, value, message):
    data = yaml.safe_load(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"))
    assert data["records"] == {"max_share": 0.01}
    data["records"]["max_share"] = value
    bad = tmp_path / "quality.yaml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(QualityConfigError, match=message):
        load_quality_config(bad)
    del data["records"]
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(QualityConfigError, match=r"missing key\(s\) \['records'\]"):
        load_quality_config(bad)


def test_share_above_the_tolerance_is_systemic():
    assert not is_systemic(1, 100, 0.01) and is_systemic(2, 100, 0.01)
    assert not is_systemic(0, 0, 0.0) and is_systemic(1, 1, 0.0)


def test_the_rule_reads_the_batch_query_with_or_without_an_alias():
    batch = "SELECT 1 AS x"
    assert rule_over_batch("SELECT * FROM {batch} AS batch_rows JOIN t", batch) == (
        "SELECT * FROM (SELECT 1 AS x) AS batch_rows JOIN t"
    )
    assert rule_over_batch("SELECT * FROM {batch}", batch) == (
        "SELECT * FROM (SELECT 1 AS x) AS batch_rows"
    )
