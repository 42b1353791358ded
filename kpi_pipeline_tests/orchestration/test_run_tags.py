"""The run tags each asset declares (what `KpiRunCoordinator` gives an asset-backfill run)."""

from kpi_pipeline.definitions import ALL_ASSETS, JOBS
from kpi_pipeline.orchestration.run_tags import run_tags_from_assets


def _tags_by_key():
    return {k.to_user_string(): dict(s.tags) for a in ALL_ASSETS for s in a.specs for k in [s.key]}


def test_every_asset_names_its_province_and_only_pulls_name_the_portal():
    tags = _tags_by_key()
    assert {t["kpi/province"] for t in tags.values()} == {"49"}
    pulls = {k for k, t in tags.items() if t.get("kpi/portal") == "pull"}
    assert pulls == {
        "raw/provincial_dossiers", "raw/national_sync", "raw/national_payments",
        "raw/national_chiso", "ref/units", "ref/procedures", "ref/holidays",
    }  # fmt: skip


def test_a_run_gets_the_tags_of_the_job_that_would_run_the_same_assets():
    tags = _tags_by_key()
    for name in ("weekly_ingest_job", "weekly_kpi_job", "monthly_job", "weekly_job"):
        job = JOBS[name]
        keys = job.selection.resolve(ALL_ASSETS)
        declared = run_tags_from_assets(tags[k.to_user_string()] for k in keys)
        assert declared == dict(job.tags), name
