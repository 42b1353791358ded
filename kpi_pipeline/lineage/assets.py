"""The lineage asset (`ref/unit_lineage`) and the KPI tables on today's map.

Thin: the lineage comes from `domain.lineage` over `ref.units` and the package's conversion
tables; the current-map tables reuse the KPI window assets with their own SQL
(`sql/kpi/*_current_map.sql`).
"""

from collections import Counter

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from kpi_pipeline.domain.lineage import UnitVersion, build_lineage, current_map
from kpi_pipeline.kpis.assets import AFTER_WEEKS, MONTH_COUNTS, WEEK_COUNTS, _deps, _window_asset
from kpi_pipeline.kpis.compute import unit_kpi_metadata
from kpi_pipeline.lineage.conversion import SUPPLEMENTS, conversion
from kpi_pipeline.partitions import monthly_partitions, weekly_partitions
from kpi_pipeline.warehouse.db import execute_file, sql_text, statement
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline.warehouse.table_metadata import table_metadata

UNIT_LINEAGE = AssetKey(["ref", "unit_lineage"])


def replace_lineage(conn) -> tuple[list, dict]:
    """Rebuild ref.unit_lineage and ref.unit_current_map from ref.units (caller's transaction)."""
    units = [UnitVersion(*row) for row in conn.execute(sql_text("ref/select_unit_versions"))]
    rows = build_lineage(units, conversion(), SUPPLEMENTS)
    mapping = current_map(units, rows)
    execute_file(conn, "ref/delete_lineage")
    with conn.cursor() as cur:
        with cur.copy(statement("ref/copy_unit_lineage")) as copy:
            for r in rows:
                copy.write_row(
                    (
                        r.old_unit_code,
                        r.new_unit_code,
                        r.share,
                        r.is_default,
                        r.effective_date,
                        r.source,
                    )
                )
        with cur.copy(statement("ref/copy_unit_current_map")) as copy:
            for code in sorted(mapping):
                copy.write_row((code, *mapping[code]))
    return rows, mapping


@asset(
    key=UNIT_LINEAGE,
    deps=[AssetKey(["ref", "units"])],
    group_name="reference",
    kinds={"postgres"},
    description="Old unit -> successor (whole/part, default, date, source) across the 2025 "
    "reform, and every unit's unit on today's map (ref.unit_current_map).",
)
def ref_unit_lineage(context: AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.connect() as conn, conn.transaction():
        rows, mapping = replace_lineage(conn)
        standard = table_metadata(conn, context.asset_key.path, len(rows))
    shares = Counter(r.share for r in rows)
    partial = sum(1 for _, p in mapping.values() if p)
    context.log.info(
        "ref.unit_lineage: %d rows %s; %d units map partially", len(rows), dict(shares), partial
    )
    return MaterializeResult(
        metadata={
            **standard,
            "rows": len(rows),
            "by_share": MetadataValue.json(dict(shares)),
            "units_mapped": len(mapping),
            "units_partial": partial,
        }
    )


LINEAGE = _deps([], [UNIT_LINEAGE])

unit_kpi_weekly_current_map = _window_asset(
    "unit_kpi_weekly_current_map",
    weekly_partitions,
    "Weekly KPIs on today's map: every week's dossiers attributed to today's units through the "
    "lineage (lineage_partial: through a split unit's default successor).",
    [*WEEK_COUNTS, *LINEAGE],
    unit_kpi_metadata,
)
unit_kpi_monthly_current_map = _window_asset(
    "unit_kpi_monthly_current_map",
    monthly_partitions,
    "Monthly KPIs on today's map (as the weekly one), with the peak-month columns.",
    [*MONTH_COUNTS, *LINEAGE, AFTER_WEEKS],  # the KPI group keeps weekly roots only (README, UI)
    unit_kpi_metadata,
)

ASSETS = [ref_unit_lineage, unit_kpi_weekly_current_map, unit_kpi_monthly_current_map]
