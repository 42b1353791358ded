"""`kpi-pipeline backfill` of a past quarter through Dagster's own machinery.

A real `DagsterInstance` on PostgreSQL storage (the project's dagster.yaml), the simulator
over HTTP, a real warehouse: the quarter's 14 weeks and 3 months run as three runs (single-run
backfill policies), and every partition's tables are filled.
"""

from datetime import date

from dagster import DagsterInstance, DagsterRunStatus

from kpi_pipeline import settings
from kpi_pipeline.orchestration.backfill import backfill, partition_range
from kpi_pipeline.partitions import monthly_partitions, weekly_partitions
from kpi_pipeline.warehouse import db

Q4_START, Q4_END = date(2023, 10, 1), date(2023, 12, 31)


def test_partition_range_covers_every_overlapping_period():
    assert partition_range(weekly_partitions, Q4_START, Q4_END) == ("2023-09-29", "2023-12-29")
    assert partition_range(monthly_partitions, Q4_START, Q4_END) == ("2023-10-01", "2023-12-01")


def test_quarter_backfill_is_three_runs_and_fills_every_partition(
    monkeypatch, tmp_path, database_url, simulator
):
    env = {
        settings.KPI_DATABASE_URL: database_url,
        settings.DAGSTER_PG_URL: db.dagster_storage_url(database_url),
        settings.KPI_HOME: str(tmp_path / "kpi"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        **simulator.portal_env(),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    said: list[str] = []
    assert backfill(Q4_START, Q4_END, say=said.append) == 0

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

    weeks = weekly_partitions.get_partition_keys_in_range(
        weekly_partitions.get_partition_key_range_for_time_window(
            weekly_partitions.time_window_for_partition_key("2023-09-29")._replace(
                end=weekly_partitions.time_window_for_partition_key("2023-12-29").end
            )
        )
    )
    assert len(weeks) == 14
    with db.connect(database_url) as conn:
        weekly = dict(
            conn.execute(
                "SELECT period_start::text, count(*) FROM kpi.unit_kpi_weekly GROUP BY 1"
            ).fetchall()
        )
        monthly = dict(
            conn.execute(
                "SELECT period_start::text, count(*) FROM kpi.unit_kpi_monthly GROUP BY 1"
            ).fetchall()
        )
        (units,) = conn.execute(
            "SELECT count(DISTINCT unit_code) FROM ref.units"
            " WHERE valid_from <= '2023-12-31' AND coalesce(valid_to, '9999-12-31') >= '2023-10-01'"
        ).fetchone()
        (province_received,) = conn.execute(
            "SELECT sum(received) FROM kpi.unit_kpi_weekly"
            " WHERE scope = 'rollup' AND unit_level = 'TINH'"
        ).fetchone()
    assert sorted(weekly) == weeks
    assert sorted(monthly) == ["2023-10-01", "2023-11-01", "2023-12-01"]
    assert set(weekly.values()) == {2 * units} and set(monthly.values()) == {2 * units}
    assert province_received > 1000
    reports = sorted((tmp_path / "kpi" / "reports" / "weekly").iterdir())
    assert [p.name for p in reports] == weeks
