"""`kpi/unit_score_monthly` on hand-made KPI rows, published figures and dossiers, through a
real `dagster.materialize` on a real PostgreSQL database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import yaml
from dagster import AssetKey, materialize

from kpi_pipeline.config_files import build_config_files
from kpi_pipeline.domain.score_766 import DEFAULT_FILE, load_score_config, points
from kpi_pipeline.scores.assets import ASSETS, unit_score_monthly
from kpi_pipeline.warehouse import db
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline_tests.history import record_complete_history
from kpi_pipeline_tests.reports.scenario import PROC_A, SO, C, D, E, P
from kpi_pipeline_tests.reports.warehouse_rows import (
    COUNTS,
    at,
    ensure_kpi_tables,
    insert_dossiers,
    insert_kpi_rows,
    insert_procedures,
    kpi_row,
)

MONTH = date(2024, 6, 1)

# Own dossiers per unit (scope `unit`), chosen to sit on, just below and above the thresholds.
OWN = {
    SO: dict(  # every component exactly at its threshold: full points
        finished=100, finished_on_time=80, online_eligible=100,
        online_eligible_received_online=50, payment_eligible=25, paid_online=20,
        received=100, digitised=80,
    ),
    D: dict(  # just below: 79% on time, 49% online; no payment-eligible dossier; 0% digitised
        finished=100, finished_on_time=79, online_eligible=100,
        online_eligible_received_online=49, received=100,
    ),
    C: dict(),  # no dossier at all
    E: dict(finished=10, finished_on_time=10, received=10, digitised=10),  # above: 100%
}  # fmt: skip


def _rollup(unit, members) -> dict:
    counts = {k: sum(OWN[m].get(k, 0) for m in members) for k in COUNTS}
    return kpi_row(MONTH, unit, scope="rollup", **counts)


def kpi_rows() -> list[dict]:
    rows = [kpi_row(MONTH, u, **c) for u, c in OWN.items()]
    rows.append(kpi_row(MONTH, P))
    rows += [
        _rollup(SO, [SO]),
        _rollup(C, [C]),
        _rollup(E, [E]),
        _rollup(D, [D, C, E]),
        _rollup(P, [SO, D, C, E]),
    ]
    return rows


# The national portal's published percentages (compared with the `rollup` rows).
CHISO = [
    # unit, on time, online, online payment
    (D[0], "70.0", "60.0", "30.0"),  # 17.5 + 11 (payment: we have no data) vs 20 + 10.78
    (SO[0], "75.0", "50.0", "80.0"),  # 18.75 + 11 + 11 vs 20 + 11 + 11: 1.25
    (E[0], "78.0", None, None),  # 19.5 vs 20: exactly the 0.5 tolerance, not listed
    (P[0], "80.5", "49.5", "80.0"),  # the same points as ours: no difference
]


def _sync(conn, rows: list[dict]) -> None:
    for r in rows:
        r = {"status": 10, "channel": 1, "finished_at": None, **r}
        conn.execute(
            "INSERT INTO staging.sync_records (ma_ho_so, procedure_code, unit_code, status,"
            " channel, received_at, due_at, finished_at, synced_at, updated_at, source_partition,"
            " run_id) VALUES (%(ma_ho_so)s, %(procedure_code)s, %(unit_code)s, %(status)s,"
            " %(channel)s, %(received_at)s, %(due_at)s, %(finished_at)s, %(received_at)s,"
            " %(received_at)s, 'test', 'test')",
            r,
        )


def _dossier(code, unit, finished=None, due=None, **kw) -> dict:
    return {
        "ma_ho_so": code,
        "procedure_code": PROC_A[0],
        "unit_code": unit[0],
        "received_at": at(2024, 6, 3),
        "due_at": due or at(2024, 6, 12),
        "finished_at": finished,
        "status": 10 if finished else 4,
        **kw,
    }


def load(conn) -> None:
    ensure_kpi_tables(conn)
    insert_kpi_rows(conn, "unit_kpi_monthly", kpi_rows())
    conn.cursor().executemany(
        "INSERT INTO staging.chiso (month, unit_code, on_time_pct, online_pct,"
        " online_payment_pct, run_id) VALUES (%s, %s, %s, %s, %s, 'test')",
        [(MONTH, *c) for c in CHISO],
    )
    insert_procedures(conn, [PROC_A])
    insert_dossiers(
        conn,
        [
            _dossier("d1-missing", D, at(2024, 6, 10)),
            _dossier("d2-status", E, at(2024, 6, 10)),  # a commune of the district roll-up
            _dossier("d3-on-time", D, at(2024, 6, 10)),
            _dossier("d4-month", D, at(2024, 6, 28), due=at(2024, 7, 5)),
            _dossier("d5-national-only", D),
            _dossier("d6-channel", D, channel=1),
            _dossier("d7-agrees", D, at(2024, 6, 11)),
            _dossier("d8-so-missing", SO, at(2024, 6, 11)),
            _dossier("d9-may", D, at(2024, 5, 20), received_at=at(2024, 5, 10)),  # May: not listed
        ],
    )
    _sync(
        conn,
        [
            _dossier("d2-status", E, at(2024, 6, 10)) | {"status": 4},
            _dossier("d3-on-time", D, at(2024, 6, 13)),  # finished after its due date nationally
            _dossier("d4-month", D, at(2024, 7, 2), due=at(2024, 7, 5)),
            _dossier("d5-national-only", D, at(2024, 6, 20)),
            _dossier("d6-channel", D) | {"channel": 2},
            _dossier("d7-agrees", D, at(2024, 6, 11)),
        ],
    )


@pytest.fixture(autouse=True)
def compare_rollups(tmp_path, monkeypatch):
    """These cases compare the published figures with `rollup` rows (a district with its
    communes); the shipped configuration compares `unit` rows, as the simulated portal
    publishes each unit's own dossiers. Both scopes run the same SQL."""
    config = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))
    config["comparison"]["scope"] = "rollup"
    path = tmp_path / "score_rollup.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("KPI_SCORE_CONFIG_FILE", str(path))


@pytest.fixture
def loaded(database_url) -> str:
    with db.connect(database_url) as conn:
        load(conn)
        conn.commit()
    return database_url


def _run(database_url, key="2024-06-01"):
    record_complete_history(database_url)
    result = materialize(
        [unit_score_monthly],
        partition_key=key,
        resources={
            "warehouse": WarehouseResource(database_url=database_url),
            "config_files": build_config_files(),  # KPI_SCORE_CONFIG_FILE, as deployed
        },
    )
    assert result.success
    return result.get_asset_materialization_events()[-1].materialization.metadata


def _scores(database_url, scope: str) -> dict[str, dict]:
    from psycopg.rows import dict_row

    with db.connect(database_url) as conn, conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "SELECT * FROM kpi.unit_score_monthly WHERE period_start = %s AND scope = %s",
            (MONTH, scope),
        )
        return {r["unit_code"]: r for r in cur.fetchall()}


def test_asset_key_and_deps():
    assert [a.key for a in ASSETS] == [AssetKey(["kpi", "unit_score_monthly"])]
    deps = unit_score_monthly.dependency_keys
    assert AssetKey(["kpi", "unit_kpi_monthly"]) in deps and AssetKey(["staging", "chiso"]) in deps


def test_sql_points_agree_with_the_python_twin(database_url):
    cases = [
        (n, d, w, f)
        for w, f in ((20, 80), (11, 50), (11, "33.3"), (22, 80))
        for n, d in ((0, 0), (0, 7), (1, 3), (2, 3), (49, 100), (1, 2), (79, 100), (4, 5),
                     (799, 1000), (7999999, 10000000), (333, 1000), (81, 100), (7, 7))
    ]  # fmt: skip
    with db.connect(database_url) as conn:
        got = conn.execute(
            "SELECT kpi.score_766_points(n, d, w, f) FROM unnest(%s::numeric[], %s::numeric[],"
            " %s::numeric[], %s::numeric[]) AS t(n, d, w, f)",
            (
                [Decimal(c[0]) for c in cases],
                [Decimal(c[1]) for c in cases],
                [Decimal(c[2]) for c in cases],
                [Decimal(c[3]) for c in cases],
            ),
        ).fetchall()
    for case, (value,) in zip(cases, got, strict=True):
        assert value == points(*case), case


def test_points_at_below_and_above_every_threshold(loaded):
    _run(loaded)
    unit = _scores(loaded, "unit")
    so, d, c, e = unit[SO[0]], unit[D[0]], unit[C[0]], unit[E[0]]
    # exactly at each threshold: full points, score 100
    assert (so["on_time_points"], so["online_points"]) == (20, 11)
    assert (so["online_payment_points"], so["digitisation_points"]) == (11, 22)
    assert so["score_points"] == 64 and so["max_points"] == 64 and so["score"] == 100
    # just below: linear; 0% digitised earns 0; no payment-eligible dossier: null, not counted
    assert d["on_time_points"] == Decimal("19.75")
    assert d["online_points"] == Decimal("10.78")
    assert d["online_payment_points"] is None
    assert d["digitisation_points"] == 0
    assert d["score_points"] == Decimal("30.53") and d["max_points"] == 53
    assert d["score"] == Decimal("57.60")  # 100 x 30.53 / 53, 2 decimals
    # above: capped at full points
    assert e["on_time_points"] == 20 and e["digitisation_points"] == 22
    assert e["online_points"] is None and e["score"] == 100
    # no dossier at all: nothing applies, no score (never a zero or a full score)
    assert [c[k] for k in ("on_time_points", "online_points", "score_points", "score")] == [
        None,
        None,
        None,
        None,
    ]
    assert c["max_points"] == 0
    # the unit-scope rows are not compared (the configured comparison scope is `rollup`)
    assert all(r["national_on_time_pct"] is None for r in unit.values())


def test_comparison_with_published_figures_lists_the_largest_differences(loaded):
    meta = _run(loaded)
    rollup = _scores(loaded, "rollup")
    d, so, e, p = rollup[D[0]], rollup[SO[0]], rollup[E[0]], rollup[P[0]]
    assert d["on_time_points"] == 20  # 89/110 on time, above 80%
    assert d["national_on_time_points"] == Decimal("17.5")  # 70.0%
    assert d["national_online_points"] == 11
    assert d["national_online_payment_points"] == Decimal("4.125")  # 30.0% against 80%
    assert d["compared_components"] == ["on_time", "online"]  # we have no payment figure
    assert d["own_compared_points"] == Decimal("30.78")
    assert d["national_compared_points"] == Decimal("28.5")
    assert d["diff_points"] == Decimal("2.28") and d["diff_rank"] == 1
    assert so["diff_points"] == Decimal("1.25") and so["diff_rank"] == 2
    assert e["diff_points"] == Decimal("0.5") and e["diff_rank"] is None  # at the tolerance
    assert p["diff_points"] == 0 and p["diff_rank"] is None
    assert rollup[C[0]]["diff_points"] is None  # nothing to compare
    assert meta["units_listed"].value == 2
    md = meta["largest_differences"].value
    assert md.index("Huyện Nam Trà My") < md.index("Sở Tư pháp") and "+2.28" in md


def test_dossiers_explain_the_listed_units(loaded):
    meta = _run(loaded)
    with db.connect(loaded) as conn:
        rows = conn.execute(
            "SELECT unit_code, component, ma_ho_so, dossier_unit_code, reason"
            " FROM kpi.unit_score_dossiers_monthly WHERE period_start = %s"
            " ORDER BY unit_code, component, ma_ho_so",
            (MONTH,),
        ).fetchall()
    assert rows == [
        (SO[0], "on_time", "d8-so-missing", SO[0], "missing_from_sync"),
        (D[0], "on_time", "d1-missing", D[0], "missing_from_sync"),
        (D[0], "on_time", "d2-status", E[0], "status_mismatch"),  # a commune of the roll-up
        (D[0], "on_time", "d3-on-time", D[0], "on_time_mismatch"),
        (D[0], "on_time", "d4-month", D[0], "finished_date_mismatch"),
        (D[0], "on_time", "d5-national-only", D[0], "finished_only_nationally"),
        (D[0], "online", "d1-missing", D[0], "missing_from_sync"),  # online-eligible too
        (D[0], "online", "d6-channel", D[0], "channel_mismatch"),
    ]
    assert meta["explaining_dossiers"].value == 8
    assert meta["dossiers_by_reason"].value["missing_from_sync"] == 3


def test_rerun_replaces_the_month_and_config_changes_apply(loaded, tmp_path, monkeypatch):
    _run(loaded)
    _run(loaded)
    with db.connect(loaded) as conn:
        n = conn.execute("SELECT count(*) FROM kpi.unit_score_monthly").fetchone()[0]
    assert n == len(kpi_rows())

    raw = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))
    raw["comparison"]["top_units"] = 1
    raw["components"]["on_time"]["full_at_percent"] = 90
    path = tmp_path / "score.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv("KPI_SCORE_CONFIG_FILE", str(path))
    assert load_score_config(path).components["on_time"].full_at_percent == 90
    meta = _run(loaded)
    assert meta["units_listed"].value == 1
    unit = _scores(loaded, "unit")
    assert unit[SO[0]]["on_time_points"] == Decimal("17.7777")  # 80% against 90%: truncated
