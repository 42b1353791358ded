"""What the CLI prints for the checks of a run: every failed rule with its count, share,
units and a few example keys; flagged records of passed checks the same way."""

from __future__ import annotations

import pytest
from dagster import AssetCheckEvaluation, AssetCheckSeverity, AssetKey, MetadataValue, materialize

from kpi_pipeline.quality.summary import check_lines, rule_line
from kpi_pipeline_tests.file_resources import file_resources
from kpi_pipeline_tests.quality import rows
from kpi_pipeline_tests.quality.test_checks import pipeline
from kpi_pipeline_tests.quality.test_record_rules import week_of


def run_checks(warehouse, week: list[dict]):
    defs, _ = pipeline({rows.WEEK: week})
    result = materialize(
        defs,
        resources={"warehouse": warehouse, **file_resources()},
        partition_key=rows.WEEK,
        raise_on_error=False,
    )
    return result.get_asset_check_evaluations()


def test_a_systemic_rule_prints_rule_count_share_units_and_keys(warehouse):
    lines = check_lines(run_checks(warehouse, week_of(good=95, pushed=5)))
    assert lines == [
        "    ERROR staging/dossiers valid: failed",
        "      due_date_within_slack: 5 records (5% of the checked rows, tolerated 1%)"
        " in unit X2 (5); e.g. PUSHED-0, PUSHED-1, PUSHED-2",
    ]


def test_a_flagged_dossier_is_printed_though_the_check_passed(warehouse):
    lines = check_lines(run_checks(warehouse, week_of(good=149, pushed=1)))
    assert lines == [
        "    ERROR staging/dossiers valid: flagged due_date_within_slack: 1 record"
        " (0.67% of the checked rows, tolerated 1%) in unit X2 (1); e.g. PUSHED-0",
    ]


def test_a_clean_week_prints_nothing(warehouse):
    assert check_lines(run_checks(warehouse, week_of(good=40, pushed=0))) == []


def test_rules_without_shares_and_many_units():
    outcome = {
        "unexpected_count": 12,
        "examples": ["A", "B", "C", "D"],
        "share": 0.2,
        "max_share": 0.01,
        "by_unit": {"X1": 5, "X2": 4, "H1": 2, "SO1": 1},
    }
    assert rule_line("unit_known", outcome, examples=2) == (
        "unit_known: 12 records (20% of the checked rows, tolerated 1%)"
        " in units X1 (5), X2 (4), H1 (2) and 1 more; e.g. A, B"
    )
    assert rule_line("key_unique", {"unexpected_count": 2, "examples": ["DUP"]}) == (
        "key_unique: 2 records; e.g. DUP"
    )


def test_a_failed_check_without_rules_prints_its_description():
    evaluation = AssetCheckEvaluation(
        asset_key=AssetKey(["kpi", "unit_kpi_weekly"]),
        check_name="complete",
        passed=False,
        severity=AssetCheckSeverity.WARN,
        description="2 units have no rows",
        metadata={"failed_expectations": MetadataValue.json({})},
    )
    assert check_lines([evaluation]) == [
        "    WARN kpi/unit_kpi_weekly complete: failed",
        "      2 units have no rows",
    ]


def test_the_cli_prints_the_rule_count_and_keys_of_a_failed_check(warehouse):
    """`kpi-pipeline run`/`backfill` run jobs through `runner.run_job`: a week 5% beyond the
    slack fails its run, and the output names the rule, the count and example keys."""
    from dagster import DagsterInstance, Definitions, define_asset_job

    from kpi_pipeline.orchestration.plans import PlannedRun
    from kpi_pipeline.orchestration.runner import RunFailed, run_job

    assets, _ = pipeline({rows.WEEK: week_of(good=95, pushed=5)})
    defs = Definitions(
        assets=assets,
        jobs=[define_asset_job("week_job")],
        resources={"warehouse": warehouse, **file_resources()},
    )
    said: list[str] = []
    with DagsterInstance.ephemeral() as instance, pytest.raises(RunFailed, match="week_job"):
        run_job(defs, instance, PlannedRun("week_job", rows.WEEK, rows.WEEK), said.append)
    out = "\n".join(said)
    assert "data-quality checks: 1 passed, 1 failed" in out
    assert "ERROR staging/dossiers valid: failed" in out
    assert "due_date_within_slack: 5 records (5% of the checked rows, tolerated 1%)" in out
    assert "e.g. PUSHED-0, PUSHED-1, PUSHED-2" in out
