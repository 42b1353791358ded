"""GX suites as Dagster asset checks in real `materialize` runs: blocking errors stop the KPI
assets, warnings do not, and on the simulator's data every check passes."""

import json

from dagster import AssetCheckKey, AssetKey, AssetSelection, materialize

from kpi_pipeline.ingestion.assets import ASSETS as INGESTION_ASSETS
from kpi_pipeline.ingestion.resources import PortalResource
from kpi_pipeline.kpis.assets import ASSETS as KPI_ASSETS
from kpi_pipeline.partitions import weekly_partitions
from kpi_pipeline.quality.checks import CHECKS
from kpi_pipeline.staging.assets import stg_dossiers
from kpi_pipeline.warehouse import db
from kpi_pipeline.warehouse.resource import WarehouseResource

WEEK = "2024-03-01"
UNIT_KPI_WEEKLY = next(a for a in KPI_ASSETS if AssetKey(["kpi", "unit_kpi_weekly"]) in a.keys)
GOOD = {
    "MaHoSo": "SO1-1", "MaTTHC": "P3", "MaDonVi": "SO1", "KenhThucHien": 2, "SoHoa": True,
    "NgayTiepNhan": "20240304090000", "NgayHenTra": "20240307090000",
    "NgayKetThucXuLy": "20240306090000", "NgayTra": None, "TrangThaiHoSo": 9,
    "LyDoTreHan": None, "ThanhToan": None, "NgayCapNhat": "20240306090000",
}  # fmt: skip


def _seed(url, records):
    with db.connect(url) as conn:
        conn.execute(
            "INSERT INTO ref.units (unit_code, valid_from, unit_name, unit_level, parent_code)"
            " VALUES ('49', '2022-01-01', 'Tỉnh Quảng Nam', 'TINH', NULL),"
            " ('SO1', '2022-01-01', 'Sở Tư pháp', 'SO_NGANH', '49')"
        )
        conn.execute(
            "INSERT INTO ref.procedures (procedure_code, procedure_name, unit_level, service_level,"
            " fully_online, integrated, has_fee, online_payment, processing_days)"
            " VALUES ('P3', 'Thủ tục', 'TINH', 3, false, true, false, false, 3)"
        )
        for rec in records:
            conn.execute(
                "INSERT INTO raw.provincial_dossiers (partition_key, page, payload, run_id,"
                " fetched_at) VALUES (%s, 1, %s, 'r', now())",
                (WEEK, json.dumps(rec)),
            )
        conn.commit()


def _check(name):
    return next(c for c in CHECKS if any(k.name == name for k in c.check_keys))


def _run(url, tmp_path, monkeypatch, checks):
    monkeypatch.setenv("KPI_HOME", str(tmp_path))
    return materialize(
        [stg_dossiers, UNIT_KPI_WEEKLY, *checks],
        partition_key=WEEK,
        resources={"warehouse": WarehouseResource(database_url=url)},
        raise_on_error=False,
        selection=[stg_dossiers.key, AssetKey(["kpi", "unit_kpi_weekly"])],
    )


def test_blocking_check_failure_stops_the_kpi_assets(database_url, tmp_path, monkeypatch):
    inflated = {**GOOD, "MaHoSo": "SO1-2", "NgayHenTra": "20240314090000"}  # +5 working days
    _seed(database_url, [GOOD, inflated])
    result = _run(database_url, tmp_path, monkeypatch, [_check("staged_dossiers_valid")])
    evaluations = result.get_asset_check_evaluations()
    (evaluation,) = evaluations
    assert (evaluation.asset_key, evaluation.check_name) == (
        AssetKey(["staging", "dossiers"]),
        "staged_dossiers_valid",
    )
    assert not evaluation.passed
    meta = evaluation.metadata
    assert meta["failed_expectations"].value == 1
    assert meta["example_keys"].value == {next(iter(meta["unexpected_counts"].value)): ["SO1-2"]}
    assert meta["data_docs"].value.endswith("index.html")
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert AssetKey(["staging", "dossiers"]) in materialized
    assert AssetKey(["kpi", "unit_kpi_weekly"]) not in materialized
    with db.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM kpi.unit_kpi_weekly").fetchone() == (0,)


def test_warning_check_does_not_block(database_url, tmp_path, monkeypatch):
    bad_status = {**GOOD, "MaHoSo": "SO1-3", "TrangThaiHoSo": 42}
    _seed(database_url, [GOOD, bad_status])
    raw = next(a for a in INGESTION_ASSETS if AssetKey(["raw", "provincial_dossiers"]) in a.keys)
    monkeypatch.setenv("KPI_HOME", str(tmp_path))
    result = materialize(
        [raw, stg_dossiers, UNIT_KPI_WEEKLY, _check("raw_dossiers_shape"),
         _check("staged_dossiers_valid")],
        partition_key=WEEK,
        resources={
            "warehouse": WarehouseResource(database_url=database_url),
            # The raw asset is not run (its rows are seeded); its portal is never called.
            "provincial_portal": PortalResource(
                name="provincial", base_url="http://127.0.0.1:9", client_id="-", client_secret="-"
            ),
        },
        raise_on_error=False,
        selection=AssetSelection.assets(stg_dossiers.key, AssetKey(["kpi", "unit_kpi_weekly"]))
        | AssetSelection.checks(AssetCheckKey(AssetKey(["raw", "provincial_dossiers"]),
                                              "raw_dossiers_shape")),
    )  # fmt: skip
    by_name = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not by_name["raw_dossiers_shape"].passed
    assert by_name["raw_dossiers_shape"].severity.value == "WARN"
    assert by_name["staged_dossiers_valid"].passed  # the bad record was quarantined
    with db.connect(database_url) as conn:
        assert conn.execute(
            "SELECT count(*) FROM kpi.unit_kpi_weekly WHERE scope = 'unit'"
        ).fetchone() == (2,)
        assert conn.execute("SELECT rule FROM quarantine.records").fetchall() == [
            ("unknown_status",)
        ]
    assert weekly_partitions.has_partition_key(WEEK)
