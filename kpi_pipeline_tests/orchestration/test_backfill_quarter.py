"""`kpi-pipeline backfill` of a past quarter, as a user types it, on a new warehouse.

A real `DagsterInstance` on PostgreSQL storage (the project's dagster.yaml), the simulator
over HTTP, a real warehouse, the CLI without flags: the first run syncs the whole change
history (a new warehouse), so every weekly and monthly KPI row of the quarter equals a recount
from the simulator's own data (kpi_pipeline_tests/truth.py), in three runs.
"""

from datetime import date, datetime

import pytest
from dagster import DagsterInstance, DagsterRunStatus

from kpi_pipeline import settings
from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.orchestration.plans import partition_range
from kpi_pipeline.partitions import monthly_partitions, weekly_partitions
from kpi_pipeline.shell import cli
from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.kpis.helpers import COUNTS
from kpi_pipeline_tests.truth import Truth

Q4_START, Q4_END = date(2023, 10, 1), date(2023, 12, 31)


def test_partition_range_covers_every_overlapping_period():
    now = datetime.now(TZ)
    assert partition_range(weekly_partitions, Q4_START, Q4_END, now) == (
        "2023-09-29",
        "2023-12-29",
    )
    assert partition_range(monthly_partitions, Q4_START, Q4_END, now) == (
        "2023-10-01",
        "2023-12-01",
    )


@pytest.fixture
def cli_env(monkeypatch, tmp_path, database_url, simulator):
    env = {
        settings.KPI_DATABASE_URL: database_url,
        settings.DAGSTER_PG_URL: db.dagster_storage_url(database_url),
        settings.KPI_HOME: str(tmp_path / "kpi"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        **simulator.portal_env(),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return tmp_path


def _rows(url: str, table: str) -> dict[tuple[str, str], dict]:
    cols = ", ".join(COUNTS)
    with db.connect(url) as conn:
        rows = conn.execute(
            f"SELECT period_start::text, unit_code, {cols} FROM kpi.{table} WHERE scope = 'unit'"
        ).fetchall()
    return {(r[0], r[1]): dict(zip(COUNTS, r[2:], strict=True)) for r in rows}


def _cumulative_rows(url: str, anchor: date) -> dict[tuple[date, date], dict[str, dict]]:
    cols = ", ".join(COUNTS)
    with db.connect(url) as conn:
        rows = conn.execute(
            f"SELECT period_start, period_end, unit_code, {cols} FROM kpi.unit_kpi_cumulative"
            " WHERE anchor_month = %s AND scope = 'unit' AND unit_map = 'as_then'",
            (anchor,),
        ).fetchall()
    out: dict = {}
    for r in rows:
        out.setdefault((r[0], r[1]), {})[r[2]] = dict(zip(COUNTS, r[3:], strict=True))
    return out


def _truth_rows(truth: Truth, partitions_def, keys: list[str], units: set[str]) -> dict:
    out = {}
    for key in keys:
        window = partitions_def.time_window_for_partition_key(key)
        counted = truth.counts(window.start, window.end)
        for unit in units:
            out[(key, unit)] = {c: counted.get(unit, {}).get(c, 0) for c in COUNTS}
    return out


def test_quarter_backfill_without_flags_equals_the_simulators_truth(
    cli_env, database_url, simulator, capsys
):
    assert cli.main(["backfill", "--start", str(Q4_START), "--end", str(Q4_END)]) == 0
    said = capsys.readouterr().out
    assert "brought up to date" in said and "weeks 2023-09-29 .. 2023-12-29 in 1 run" in said

    with DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        runs = instance.get_runs()
        assert sorted(r.job_name for r in runs) == [
            "monthly_job",
            "weekly_ingest_job",
            "weekly_report_job",
        ]
        assert all(r.status == DagsterRunStatus.SUCCESS for r in runs)
        weekly_run = next(r for r in runs if r.job_name == "weekly_report_job")
        assert weekly_run.tags["dagster/asset_partition_range_start"] == "2023-09-29"
        assert weekly_run.tags["dagster/asset_partition_range_end"] == "2023-12-29"

    weeks = [k for k in weekly_partitions.get_partition_keys() if "2023-09-29" <= k <= "2023-12-29"]
    months = ["2023-10-01", "2023-11-01", "2023-12-01"]
    assert len(weeks) == 14
    weekly, monthly = (
        _rows(database_url, "unit_kpi_weekly"),
        _rows(database_url, "unit_kpi_monthly"),
    )
    units = {u for _, u in weekly}
    assert sorted({k for k, _ in weekly}) == weeks and sorted({k for k, _ in monthly}) == months

    truth = Truth(simulator.world)
    expected_weekly = _truth_rows(truth, weekly_partitions, weeks, units)
    expected_monthly = _truth_rows(truth, monthly_partitions, months, units)
    differ = [k for k in expected_weekly if weekly.get(k) != expected_weekly[k]]
    differ += [k for k in expected_monthly if monthly.get(k) != expected_monthly[k]]
    assert differ == [], [(k, weekly.get(k) or monthly.get(k)) for k in differ[:3]]
    # not a vacuous equality: the quarter holds real volume, late changes included
    assert sum(r["received"] for r in expected_weekly.values()) > 1000
    assert sum(r["overdue_open"] for r in expected_monthly.values()) > 0
    reports = sorted((cli_env / "kpi" / "reports" / "weekly").iterdir())
    assert [p.name for p in reports] == weeks

    # the cumulative periods the monthly job computed (kpi.unit_kpi_cumulative) by the same rules:
    # Q4 2023, the year 2023 and the same periods of 2022 equal recounts over each whole period
    cumulative = _cumulative_rows(database_url, date(2023, 12, 1))
    assert sorted(cumulative) == [
        (date(2022, 1, 1), date(2023, 1, 1)),
        (date(2022, 10, 1), date(2023, 1, 1)),
        (date(2023, 1, 1), date(2024, 1, 1)),
        (date(2023, 10, 1), date(2024, 1, 1)),
    ]
    for (first, end), rows in cumulative.items():
        counted = truth.counts(
            datetime.combine(first, datetime.min.time(), TZ),
            datetime.combine(end, datetime.min.time(), TZ),
        )
        expected = {u: {c: counted.get(u, {}).get(c, 0) for c in COUNTS} for u in units}
        assert {u: rows[u] for u in units} == expected, (first, end)
    assert sum(r["received"] for r in expected.values()) > 4000  # the year 2023


def test_a_kpi_period_on_an_incomplete_history_fails_naming_the_windows(
    cli_env, database_url, capsys
):
    """A KPI run without the history before it (here: the report job alone on a new
    warehouse) publishes nothing and says what is missing and how to fill it."""
    from kpi_pipeline.definitions import defs
    from kpi_pipeline.orchestration.plans import PlannedRun
    from kpi_pipeline.orchestration.runner import RunFailed, run_job

    said: list[str] = []
    services = cli.start_checked()  # as the CLI does: Dagster's home and storage set up
    try:
        with DagsterInstance.get() as instance, pytest.raises(RunFailed):
            job = PlannedRun("weekly_kpi_job", "2023-10-06", "2023-10-06")
            run_job(defs, instance, job, said.append)
    finally:
        services.close()
    text = "\n".join(said)
    assert "the change history is incomplete, so no KPI of 2023-10-06 .. 2023-10-13" in text
    assert "provincial_dossiers: never pulled" in text and "kpi-pipeline sync" in text
    with db.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM kpi.unit_kpi_weekly").fetchone() == (0,)
