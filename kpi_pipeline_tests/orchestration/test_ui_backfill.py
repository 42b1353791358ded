"""A past quarter backfilled the way the UI does it, end to end.

`kpi-pipeline dev` (webserver, daemon, code server: the project's dagster.yaml with its run
queue and limits, PostgreSQL storage) serves the UI; the test sends what the UI's asset graph
sends for "Materialize" over the KPI group and a range of weeks (the `launchPartitionBackfill`
mutation of the webserver's bundle, `assetSelection` + `partitionNames`), and the daemon's
asset-backfill code makes the runs. The history is made complete first, as the lead's design
will (weekly_ingest_job from the quarter's first week through the simulator's current week).
Asserted: the UI would take its single-anchor path (the selection's roots share the weekly
partitioning), the number of runs, their tags, the in-process executor, one check status per
partition, KPI rows equal to the CLI path's on the same data, and that a blocking check that
failed in an earlier run holds the backfill's KPI run back.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from datetime import date

import pytest
import requests
from dagster import DagsterInstance

from kpi_pipeline import settings
from kpi_pipeline.partitions import weekly_partitions
from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.conftest import SIM_NOW
from kpi_pipeline_tests.processes import start_logged, stop_group

Q4_START, Q4_END = date(2023, 10, 1), date(2023, 12, 31)
FIRST_WEEK, LAST_WEEK = "2023-09-29", "2023-12-29"  # the weeks overlapping the quarter
SIM_WEEK = "2024-03-15"  # the week holding the simulator's "now" (SIM_NOW)
LOCATION, REPOSITORY = "kpi_pipeline", "__repository__"

ASSETS_OF_GROUP = """query($group: AssetGroupSelector!) { assetNodes(group: $group) {
  assetKey { path } dependencyKeys { path } partitionDefinition { type description } } }"""
LAUNCH = """mutation LaunchPartitionBackfill($backfillParams: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $backfillParams) {
    __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message }
    ... on InvalidStepError { invalidStepKey } } }"""
BACKFILL = """query($id: String!) { partitionBackfillOrError(backfillId: $id) {
  ... on PartitionBackfill { status } ... on PythonError { message } } }"""
RUNS = """query($id: String!) { runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}) {
  ... on Runs { results { runId status tags { key value } assetSelection { path } } } } }"""
CHECK_STATUS = """query($key: AssetKeyInput!) { assetNodeOrError(assetKey: $key) {
  ... on AssetNode { assetChecksOrError { ... on AssetChecks { checks { name
    partitionStatuses { __typename ... on AssetCheckTimePartitionStatuses {
      ranges { startKey endKey status } } } } } } } } }"""
CHECK_EXECUTIONS = """query($key: AssetKeyInput!, $check: String!) {
  assetCheckExecutions(assetKey: $key, checkName: $check, limit: 200) { runId partition status } }"""
LOCATION_LOADED = """{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class UI:
    """The webserver's GraphQL endpoint, as the UI's JavaScript calls it."""

    def __init__(self, port: int):
        self.url = f"http://127.0.0.1:{port}/graphql"

    def query(self, text: str, **variables):
        r = requests.post(self.url, json={"query": text, "variables": variables}, timeout=60)
        r.raise_for_status()
        body = r.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    def wait_loaded(self, proc, log, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                entries = self.query(LOCATION_LOADED)["workspaceOrError"]["locationEntries"]
                if entries and entries[0]["loadStatus"] == "LOADED":
                    loaded = entries[0]["locationOrLoadError"]
                    assert loaded["__typename"] == "RepositoryLocation", loaded
                    return
            except (requests.ConnectionError, requests.Timeout, requests.HTTPError):
                pass
            time.sleep(1)
        raise AssertionError("the code location did not load:\n" + log.read_text()[-3000:])

    def kpi_group(self) -> list[dict]:
        group = {
            "groupName": "kpi",
            "repositoryName": REPOSITORY,
            "repositoryLocationName": LOCATION,
        }
        return self.query(ASSETS_OF_GROUP, group=group)["assetNodes"]

    def launch(self, assets: list[dict], partitions: list[str]) -> str:
        """The variables the UI's launch dialog sends for a pure asset backfill with an anchor
        asset (LaunchAssetChoosePartitionsDialog.tsx, `pureWithAnchorAsset`)."""
        params = {
            "tags": [{"key": "dagster/from_ui", "value": "true"}],
            "assetSelection": [{"path": a["assetKey"]["path"]} for a in assets],
            "partitionNames": partitions,
            "fromFailure": False,
        }
        out = self.query(LAUNCH, backfillParams=params)["launchPartitionBackfill"]
        assert out["__typename"] == "LaunchBackfillSuccess", out
        return out["backfillId"]

    def wait_backfill(self, backfill_id: str, timeout: float = 900) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.query(BACKFILL, id=backfill_id)["partitionBackfillOrError"]["status"]
            if status not in ("REQUESTED", "CANCELING", "FAILING"):
                return status
            time.sleep(3)
        raise AssertionError(f"backfill {backfill_id} still running after {timeout} s")

    def runs(self, backfill_id: str) -> list[dict]:
        return self.query(RUNS, id=backfill_id)["runsOrError"]["results"]


def _roots(assets: list[dict]) -> list[dict]:
    """The UI's roots of a selection: assets none of whose dependencies are selected."""
    selected = {tuple(a["assetKey"]["path"]) for a in assets}
    return [a for a in assets if not any(tuple(d["path"]) in selected for d in a["dependencyKeys"])]


def _kpi_rows(url: str, table: str, first: str, last: str) -> list[dict]:
    with db.connect(url) as conn:
        return [
            r[0]
            for r in conn.execute(
                f"SELECT to_jsonb(t) - 'computed_at' FROM kpi.{table} t"
                " WHERE period_start BETWEEN %s AND %s ORDER BY period_start, unit_code, scope",
                (first, last),
            ).fetchall()
        ]


def _tags(run: dict) -> dict[str, str]:
    return {t["key"]: t["value"] for t in run["tags"]}


def _in_process(instance: DagsterInstance, run_id: str) -> bool:
    messages = [e.message for e in instance.all_logs(run_id) if e.message]
    return any("Executing steps in process" in m for m in messages) and not any(
        "multiprocess executor" in m for m in messages
    )


@pytest.fixture
def env(monkeypatch, tmp_path, database_url, simulator):
    values = {
        settings.KPI_DATABASE_URL: database_url,
        settings.DAGSTER_PG_URL: db.dagster_storage_url(database_url),
        settings.KPI_HOME: str(tmp_path / "kpi"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        **simulator.portal_env(),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(settings.KPI_CELERY_BROKER_URL, raising=False)
    return values


def test_a_quarter_backfilled_from_the_ui_matches_the_cli(env, tmp_path, database_url):
    from kpi_pipeline.definitions import defs
    from kpi_pipeline.orchestration.plans import PlannedRun
    from kpi_pipeline.orchestration.runner import RunFailed, run_job
    from kpi_pipeline.shell import cli
    from kpi_pipeline.shell.cli import start_checked

    def _run_job(defs, instance, job, start, end=None):
        return run_job(defs, instance, PlannedRun(job, start, end or start), print)

    def backfill(start, end, say=print):
        return cli.main(["backfill", "--start", str(start), "--end", str(end)])

    assert SIM_NOW[:3] == (2024, 3, 20)
    # A new warehouse's first ingestion run syncs its whole change history (the pull reads
    # from the first partition through the week in progress, whatever weeks the run names).
    services = start_checked()  # DAGSTER_HOME gets the project's dagster.yaml
    try:
        instance = DagsterInstance.get()
        _run_job(defs, instance, "weekly_ingest_job", FIRST_WEEK, SIM_WEEK)
    finally:
        services.close()

    port = _free_port()
    log = tmp_path / "dev.log"
    proc = start_logged(
        [sys.executable, "-m", "kpi_pipeline.shell.cli", "dev", "--port", str(port)],
        {**os.environ}, log,
    )  # fmt: skip
    try:
        ui = UI(port)
        ui.wait_loaded(proc, log)

        # What the UI decides for "Materialize" over the KPI group: the roots share one
        # partitioning, so it offers a range of weeks and launches a pure asset backfill.
        assets = ui.kpi_group()
        roots = _roots(assets)
        assert {r["partitionDefinition"]["description"] for r in roots} == {
            assets_weekly := next(
                a["partitionDefinition"]["description"]
                for a in assets
                if a["assetKey"]["path"] == ["kpi", "unit_kpi_weekly"]
            )
        }, [r["assetKey"]["path"] for r in roots]
        assert assets_weekly.startswith("Weekly")
        weeks = weekly_partitions.get_partition_keys_in_range(
            weekly_partitions.get_partition_key_range_for_time_window(
                weekly_partitions.time_window_for_partition_key(FIRST_WEEK)._replace(
                    end=weekly_partitions.time_window_for_partition_key(LAST_WEEK).end
                )
            )
        )
        assert len(weeks) == 14

        t0 = time.monotonic()
        backfill_id = ui.launch(assets, weeks)
        assert ui.wait_backfill(backfill_id) == "COMPLETED_SUCCESS", log.read_text()[-4000:]
        ui_seconds = time.monotonic() - t0
        runs = ui.runs(backfill_id)
        print(f"UI backfill: {len(runs)} runs in {ui_seconds:.0f} s")

        # One run per partitioning: the weekly KPIs, then the months overlapping those weeks.
        assert len(runs) == 2 and all(r["status"] == "SUCCESS" for r in runs)
        by_range = {
            (_tags(r)["dagster/asset_partition_range_start"],
             _tags(r)["dagster/asset_partition_range_end"]): r
            for r in runs
        }  # fmt: skip
        assert set(by_range) == {(FIRST_WEEK, LAST_WEEK), ("2023-09-01", "2024-01-01")}
        weekly_run = by_range[(FIRST_WEEK, LAST_WEEK)]
        # every weekly asset of the group in the weekly run: the roots and the weekly tables
        # that read the stored counts of a root (kpi/unit_procedure_weekly)
        weekly_keys = {
            tuple(a["assetKey"]["path"])
            for a in assets
            if a["partitionDefinition"]["description"] == assets_weekly
        }
        assert {tuple(r["assetKey"]["path"]) for r in roots} < weekly_keys
        assert ("kpi", "unit_kpi_weekly") in weekly_keys - {
            tuple(r["assetKey"]["path"]) for r in roots
        }
        assert {tuple(k["path"]) for k in weekly_run["assetSelection"]} == weekly_keys
        for run in runs:
            tags = _tags(run)
            assert tags["kpi/province"] == "49"  # counted by dagster.yaml's per-province limit
            assert "kpi/portal" not in tags  # KPI runs pull no portal
            assert tags["dagster/from_ui"] == "true"
            assert _in_process(instance, run["runId"]), run["runId"]

        # One consistent status per partition: every week of the range SUCCEEDED, nothing
        # recorded without a partition by the backfill's runs.
        key = {"path": ["kpi", "unit_kpi_weekly"]}
        checks = ui.query(CHECK_STATUS, key=key)["assetNodeOrError"]["assetChecksOrError"]
        valid = next(c for c in checks["checks"] if c["name"] == "valid")
        ranges = valid["partitionStatuses"]["ranges"]
        assert [(r["startKey"], r["endKey"], r["status"]) for r in ranges] == [
            (FIRST_WEEK, LAST_WEEK, "SUCCEEDED")
        ]
        executions = ui.query(CHECK_EXECUTIONS, key=key, check="valid")["assetCheckExecutions"]
        mine = [e for e in executions if e["runId"] == weekly_run["runId"]]
        assert sorted(e["partition"] for e in mine) == weeks
        assert {e["status"] for e in mine} == {"SUCCEEDED"}

        ui_weekly = _kpi_rows(database_url, "unit_kpi_weekly", FIRST_WEEK, LAST_WEEK)
        ui_monthly = _kpi_rows(database_url, "unit_kpi_monthly", "2023-10-01", "2023-12-01")
        assert len({r["period_start"] for r in ui_weekly}) == 14
        assert len({r["period_start"] for r in ui_monthly}) == 3

        # The CLI path on the same data gives the same rows.
        t0 = time.monotonic()
        assert backfill(Q4_START, Q4_END, say=print) == 0
        print(f"CLI backfill: 3 runs in {time.monotonic() - t0:.0f} s")
        assert _kpi_rows(database_url, "unit_kpi_weekly", FIRST_WEEK, LAST_WEEK) == ui_weekly
        assert _kpi_rows(database_url, "unit_kpi_monthly", "2023-10-01", "2023-12-01") == (
            ui_monthly
        )

        # A blocking check that failed in an earlier run holds the backfill's KPI run back.
        strict = tmp_path / "quality.yaml"
        strict.write_text(
            (settings.PROJECT_ROOT / "kpi_pipeline/config/quality.yaml")
            .read_text(encoding="utf-8")
            .replace("max_processing_days: 365", "max_processing_days: 0"),
            encoding="utf-8",
        )
        os.environ["KPI_QUALITY_CONFIG_FILE"] = str(strict)
        try:
            with pytest.raises(RunFailed, match="weekly_ingest_job failed"):
                _run_job(defs, instance, "weekly_ingest_job", LAST_WEEK)
        finally:
            del os.environ["KPI_QUALITY_CONFIG_FILE"]
        held_id = ui.launch(assets, [LAST_WEEK])
        assert ui.wait_backfill(held_id) in ("COMPLETED_FAILED", "FAILED")
        held = ui.runs(held_id)
        assert len(held) == 1 and held[0]["status"] == "FAILURE"  # no monthly run after it
        failure = "\n".join(
            e.dagster_event.event_specific_data.error.message
            for e in instance.all_logs(held[0]["runId"])
            if e.dagster_event is not None and e.dagster_event.is_step_failure
        )
        assert "not computed" in failure and "ref/procedures check 'valid' failed" in failure
        assert "To clear" in failure
        assert _kpi_rows(database_url, "unit_kpi_weekly", FIRST_WEEK, LAST_WEEK) == ui_weekly
    finally:
        stop_group(proc, grace=60)
