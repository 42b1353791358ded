"""`kpi/procedure_catalogue_monthly`: the level-4 / full-online share of the procedure
catalogue per month and level, against the procedure versions in force at the month's end
(ref.procedure_versions), so a level change takes effect from its date."""

from dagster import AssetDep, AssetKey, TimeWindowPartitionMapping

from kpi_pipeline.kpis.assets import _rows, _window_asset
from kpi_pipeline.partitions import monthly_partitions

procedure_catalogue_monthly = _window_asset(
    "procedure_catalogue_monthly",
    monthly_partitions,
    "Level-4 / full-online share of the procedure catalogue per level, against the versions in force at each month's end.",
    [
        AssetDep(AssetKey(["ref", "procedures"])),
        # after the month's own KPIs, as the other monthly tables (the KPI group's roots stay weekly)
        AssetDep(
            AssetKey(["kpi", "unit_kpi_monthly"]), partition_mapping=TimeWindowPartitionMapping()
        ),
    ],
    _rows,
)

ASSETS = [procedure_catalogue_monthly]
