"""Run tags declared on the assets, so that a run gets them whatever launched it.

The jobs carry `kpi/province` and `kpi/portal=pull` (`jobs.py`), which `dagster.yaml`'s run
concurrency limits count. A run an asset backfill makes (the UI's "Materialize" over a
partition range, processed by the daemon) runs Dagster's implicit asset job, not ours, and
carries only the backfill's tags. So every asset also declares the run tags a run
materialising it must have: `kpi/province=<code>` on all of them, `kpi/portal=pull` on those
that call a portal (they require a portal resource); `coordinator.KpiRunCoordinator` adds them
to every submitted run that lacks them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from dagster import AssetsDefinition

from kpi_pipeline.orchestration.jobs import PORTAL_TAGS, PROVINCE_TAG

PORTAL_RESOURCES = frozenset({"provincial_portal", "national_portal"})
RUN_TAG_KEYS = frozenset({PROVINCE_TAG, *PORTAL_TAGS})


def with_run_tags(assets: Sequence[AssetsDefinition], province: str) -> list[AssetsDefinition]:
    """`assets` with the run tags each declares (see the module docstring)."""
    out = []
    for a in assets:
        extra = {PROVINCE_TAG: province}
        if a.required_resource_keys & PORTAL_RESOURCES:
            extra.update(PORTAL_TAGS)
        out.append(a.map_asset_specs(lambda spec, extra=extra: spec.merge_attributes(tags=extra)))
    return out


def run_tags_from_assets(asset_tags: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """The run tags of a run materialising assets with these tags: the union of their
    declared run tags (a run pulls a portal as soon as one of its assets does)."""
    tags: dict[str, str] = {}
    for one in asset_tags:
        tags.update({k: v for k, v in one.items() if k in RUN_TAG_KEYS})
    return tags
