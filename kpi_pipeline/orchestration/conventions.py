"""Owners and a code version on every asset, where Dagster's UI and catalogue show them.

The code version is the package's version: bump it (pyproject.toml) with a change to what a
table holds or how it is counted, and Dagster marks the assets' materialisations as made by
older code until they are run again.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version

from dagster import AssetsDefinition

OWNERS = ("team:kpi-pipeline",)
CODE_VERSION = version("kpi-pipeline")


def with_owners_and_code_version(assets: Sequence[AssetsDefinition]) -> list[AssetsDefinition]:
    return [
        a.map_asset_specs(
            lambda spec: spec.replace_attributes(
                owners=[*spec.owners, *(o for o in OWNERS if o not in spec.owners)],
                code_version=spec.code_version or CODE_VERSION,
            )
        )
        for a in assets
    ]
