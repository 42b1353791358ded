"""The KPI assets as Dagster sees them: keys, deps, partition mappings, policies, metadata."""

from dagster import (
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    Definitions,
    MarkdownMetadataValue,
    MetadataValue,
)

from kpi_pipeline.kpis.assets import ASSETS, unit_kpi_weekly
from kpi_pipeline.partitions import monthly_partitions, weekly_partitions
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline_tests.file_resources import file_resources
from kpi_pipeline_tests.kpis.helpers import run

KPI_KEYS = {
    "unit_procedure_weekly",
    "unit_procedure_monthly",
    "unit_kpi_weekly",
    "unit_kpi_monthly",
    "drilldown_procedures_weekly",
    "drilldown_procedures_monthly",
    "overdue_dossiers_weekly",
    "overdue_dossiers_monthly",
    "reconciliation_sync_weekly",
    "reconciliation_payments_weekly",
    "reconciliation_chiso_monthly",
    "reconciliation_chiso_dossiers_monthly",
}

# Stand-ins for the reference and staging assets built in other packages.
UPSTREAM = [
    AssetSpec(["staging", "dossiers"], partitions_def=weekly_partitions),
    AssetSpec(["staging", "payments"], partitions_def=weekly_partitions),
    AssetSpec(["staging", "sync_records"], partitions_def=weekly_partitions),
    AssetSpec(["staging", "chiso"], partitions_def=monthly_partitions),
    AssetSpec(["ref", "units"]),
    AssetSpec(["ref", "procedures"]),
    AssetSpec(["ref", "holidays"]),
]


def _graph():
    defs = Definitions(
        assets=[*ASSETS, *UPSTREAM],
        resources={
            "warehouse": WarehouseResource(database_url="postgresql://unused/db"),
            **file_resources(),
        },
    )
    return defs.resolve_asset_graph()


def test_keys_groups_kinds_policies():
    graph = _graph()
    kpi = {k for k in graph.get_all_asset_keys() if k.path[0] == "kpi"}
    assert {k.path[1] for k in kpi} == KPI_KEYS
    for key in kpi:
        node = graph.get(key)
        assert node.group_name == "kpi"
        assert "dagster/kind/postgres" in node.tags
        assert node.description and "\n" not in node.description
        assert node.backfill_policy == BackfillPolicy.single_run()
        expected = weekly_partitions if key.path[1].endswith("weekly") else monthly_partitions
        assert node.partitions_def == expected


def test_monthly_kpis_map_to_overlapping_weeks_of_staging():
    graph = _graph()
    counts = AssetKey(["kpi", "unit_procedure_monthly"])
    month = AssetKey(["kpi", "unit_kpi_monthly"])
    assert AssetKey(["staging", "dossiers"]) in graph.get(counts).parent_keys
    upstream = graph.get_parent_partition_keys_for_child(
        "2024-03-01", AssetKey(["staging", "dossiers"]), counts
    )
    # weeks do not nest in months: March 2024 overlaps five Friday weeks, the last one
    # (29 March - 5 April) running into April
    assert sorted(upstream.partitions_subset.get_partition_keys()) == [
        "2024-03-01",
        "2024-03-08",
        "2024-03-15",
        "2024-03-22",
        "2024-03-29",
    ]
    weekly = graph.get_parent_partition_keys_for_child(
        "2024-03-01", AssetKey(["staging", "dossiers"]), AssetKey(["kpi", "unit_procedure_weekly"])
    )
    assert list(weekly.partitions_subset.get_partition_keys()) == ["2024-03-01"]
    # the unit tables and drill-downs read their period kind's counts, not staging again
    for table, source, key in (
        ("unit_kpi_weekly", "unit_procedure_weekly", "2024-03-01"),
        ("drilldown_procedures_weekly", "unit_procedure_weekly", "2024-03-01"),
        ("unit_kpi_monthly", "unit_procedure_monthly", "2024-03-01"),
        ("drilldown_procedures_monthly", "unit_procedure_monthly", "2024-03-01"),
    ):
        node = AssetKey(["kpi", table])
        parents = graph.get(node).parent_keys
        assert AssetKey(["kpi", source]) in parents
        assert AssetKey(["staging", "dossiers"]) not in parents
        same = graph.get_parent_partition_keys_for_child(key, AssetKey(["kpi", source]), node)
        assert list(same.partitions_subset.get_partition_keys()) == [key]
    chiso = AssetKey(["kpi", "reconciliation_chiso_monthly"])
    assert {AssetKey(["staging", "chiso"]), month} <= graph.get(chiso).parent_keys
    overdue = graph.get(AssetKey(["kpi", "overdue_dossiers_weekly"])).parent_keys
    assert AssetKey(["ref", "holidays"]) in overdue
    sync = graph.get(AssetKey(["kpi", "reconciliation_sync_weekly"])).parent_keys
    assert AssetKey(["staging", "sync_records"]) in sync


def test_metadata_bands_province_and_red_units(seed, database_url):
    seed.procedure("P3")
    # X1 red (0/2 on time), X2 green (1/1 on time, nothing else), the rest without data
    seed.dossier("A", "X1", "P3", "2023-12-28", "2024-01-08", finished="2024-01-09")
    seed.dossier("B", "X1", "P3", "2023-12-28", "2024-01-08", finished="2024-01-09")
    seed.dossier("C", "X2", "P3", "2023-12-28", "2024-01-08", finished="2024-01-08")
    result = run(database_url, [unit_kpi_weekly], "2024-01-05")
    (mat,) = result.asset_materializations_for_node("kpi__unit_kpi_weekly")
    meta = mat.metadata
    assert meta["units_by_band"] == MetadataValue.json(
        {"green": 1, "yellow": 0, "orange": 0, "red": 1, "no_data": 6}
    )
    assert meta["units_red"].value == 1 and meta["units_no_data"].value == 6
    province = meta["province"].data
    assert province["unit_code"] == "49"
    assert province["on_time_pct"] == "33.33"  # exact decimal, as text
    assert province["online_pct"] is None
    md = meta["red_units"]
    assert isinstance(md, MarkdownMetadataValue)
    assert "| X1 | Unit X1 | XA | 0.0% (red)" in md.value
    assert "X2" not in md.value
    assert meta["rows"].value == 16 and meta["periods"].value == 1
    # Dagster's own names for the table's size and shape
    assert meta["dagster/row_count"].value == 16
    columns = {c.name: c.type for c in meta["dagster/column_schema"].schema.columns}
    assert columns["unit_code"] == "text" and columns["period_start"] == "date"
    assert columns["on_time_band"] == "text" and len(columns) > 20
