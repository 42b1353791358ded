"""`kpi/unit_kpi_field_monthly`: the month's KPIs by field (lĩnh vực) for the province and each
district (their roll-ups; after the 2025 reform, each commune under the province instead), by
the contract's rules."""

from dagster import AssetDep, AssetKey, TimeWindowPartitionMapping

from kpi_pipeline.kpis.assets import MONTH_COUNTS, _rows, _window_asset
from kpi_pipeline.partitions import monthly_partitions

unit_kpi_field_monthly = _window_asset(
    "unit_kpi_field_monthly",
    monthly_partitions,
    "Monthly KPIs by field (lĩnh vực) for the province and each district (each commune after the reform).",
    [
        *MONTH_COUNTS,  # the month's counts per unit and procedure, and ref
        # after the month's own KPIs, as the other monthly tables (the KPI group's roots stay weekly)
        AssetDep(
            AssetKey(["kpi", "unit_kpi_monthly"]), partition_mapping=TimeWindowPartitionMapping()
        ),
    ],
    _rows,
)

ASSETS = [unit_kpi_field_monthly]
