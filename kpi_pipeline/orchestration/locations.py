"""One code location per province: the same code, its own settings and asset keys.

A deployment that runs several provinces starts one code location (a `dagster api grpc` server,
or a Helm user-code deployment) per province from `kpi_pipeline.definitions`, each with its own
`KPI_PROVINCE_CODE`, warehouse (`KPI_DATABASE_URL`), portal settings and
`KPI_ASSET_KEY_PREFIX`. The warehouse tables stay as the contract names them, one warehouse
database per province; the prefix keeps the asset keys of the locations apart in the one
Dagster instance they share (`["p49", "raw", "provincial_dossiers"]`), so each province's
materialisations, partitions and lineage are its own. See docs/SCALING.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from dagster import AssetKey, AssetsDefinition


def with_key_prefix(
    assets: Sequence[AssetsDefinition], prefix: str | None, checks: Sequence = ()
) -> tuple[list, list]:
    """(`assets`, `checks`) with `prefix` put before every key the assets define, wherever the
    assets and checks name it (no prefix: as they are)."""
    if not prefix:
        return list(assets), list(checks)
    own = {key for a in assets for key in a.keys}
    replacements = {key: AssetKey([prefix, *key.path]) for key in own}
    return (
        [a.with_attributes(asset_key_replacements=replacements) for a in assets],
        [c.with_attributes(asset_key_replacements=replacements) for c in checks],
    )
