"""The new assets in the code location as the lead wires them (definitions.py, resources.py):
the Friday job holds the Friday alerts, the monthly job the score and peak-month alerts."""

from __future__ import annotations

from dagster import AssetKey, Definitions

from kpi_pipeline.alerts.assets import ASSETS as ALERT_ASSETS
from kpi_pipeline.alerts.resources import build_alert_resource
from kpi_pipeline.definitions import ALL_ASSETS
from kpi_pipeline.orchestration.jobs import build_jobs
from kpi_pipeline.orchestration.schedules import build_schedules
from kpi_pipeline.resources import build_resources
from kpi_pipeline.scores.assets import ASSETS as SCORE_ASSETS


def test_definitions_load_with_the_new_assets_and_the_alerts_resource():
    # definitions.py already collects them (with their run tags: orchestration/run_tags.py)
    own = {k for a in ALL_ASSETS for k in a.keys}
    assert {k for a in [*SCORE_ASSETS, *ALERT_ASSETS] for k in a.keys} <= own
    assets = list(ALL_ASSETS)
    jobs = build_jobs(assets)
    schedules, sensors = build_schedules(jobs)
    defs = Definitions(
        assets=assets,
        jobs=list(jobs.values()),
        schedules=schedules,
        sensors=sensors,
        resources={**build_resources(), "alerts": build_alert_resource()},
    )
    weekly = defs.resolve_job_def("weekly_job").asset_layer.selected_asset_keys
    monthly = defs.resolve_job_def("monthly_job").asset_layer.selected_asset_keys
    assert AssetKey(["alerts", "friday_alerts"]) in weekly
    assert AssetKey(["reports", "friday_report"]) in weekly
    assert AssetKey(["kpi", "unit_score_monthly"]) in monthly
    assert AssetKey(["alerts", "peak_month_alerts"]) in monthly
    assert AssetKey(["alerts", "peak_month_alerts"]) not in weekly
