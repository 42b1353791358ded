"""Asset jobs by period: what a Friday run, a month run and an ingestion range run materialise.

Jobs are built from the asset list so that each holds only assets of one partitioning (plus
the unpartitioned reference assets, refreshed by every weekly run).
"""

from dagster import AssetsDefinition, AssetSelection, define_asset_job

from kpi_pipeline.partitions import monthly_partitions, weekly_partitions

PORTAL_TAGS = {"kpi/portal": "pull"}  # counted by dagster.yaml's run concurrency limit
PROVINCE_TAG = "kpi/province"  # every run: which province's location launched it


def _keys(assets: list[AssetsDefinition], partitions_def, groups: set[str] | None = None):
    keys = []
    for a in assets:
        if a.partitions_def != partitions_def:
            continue
        for key in a.keys:
            if groups is None or a.group_names_by_key[key] in groups:
                keys.append(key)
    return keys


def build_jobs(assets: list[AssetsDefinition], province: str | None = None) -> dict:
    reference = AssetSelection.keys(*_keys(assets, None, {"reference"}))
    ingest = AssetSelection.keys(*_keys(assets, weekly_partitions, {"raw", "staging"}))
    weekly_rest = AssetSelection.keys(
        *[k for k in _keys(assets, weekly_partitions) if k not in set(ingest.resolve(assets))]
    )
    weekly_kpis = AssetSelection.keys(*_keys(assets, weekly_partitions, {"kpi"}))
    monthly = AssetSelection.keys(*_keys(assets, monthly_partitions))
    where = {PROVINCE_TAG: province} if province else {}
    pulls = {**PORTAL_TAGS, **where}
    return {
        "weekly_ingest_job": define_asset_job(
            "weekly_ingest_job",
            selection=reference | ingest,
            tags=pulls,
            description="Reference data, then each week's raw pulls and staging.",
        ),
        "weekly_report_job": define_asset_job(
            "weekly_report_job",
            selection=weekly_rest,
            tags=where,
            description="Weekly KPI tables, drill-down, reconciliation and the Friday report.",
        ),
        "weekly_kpi_job": define_asset_job(
            "weekly_kpi_job",
            selection=weekly_kpis,
            tags=where,
            description="Weekly KPI tables only (history for trends and heatmaps; no report).",
        ),
        "weekly_job": define_asset_job(
            "weekly_job",
            selection=reference | ingest | weekly_rest,
            tags=pulls,
            description="The Friday run: pull the week, conform, validate, KPIs, report.",
        ),
        "monthly_job": define_asset_job(
            "monthly_job",
            selection=monthly,
            tags=pulls,
            description="The month: national published figures, monthly KPIs, reconciliation, reports.",
        ),
    }
