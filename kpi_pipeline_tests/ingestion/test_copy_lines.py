"""`land_raw` writes COPY text lines of its own: every stored value must be what psycopg's
`copy.write_row` stored (the loader's earlier path, kept below as the reference), for values
that need COPY's escapes, and the weekly key read off the typed stamp must be `week_key_of`'s.
"""

import hashlib
from datetime import UTC, datetime

import pytest

from kpi_pipeline.ingestion import loader
from kpi_pipeline.ingestion.typed_fields import TYPERS
from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.staging.test_conform_rules import GOOD, WEEK

FETCHED = datetime(2026, 12, 1, 23, 59, 58, 123456, tzinfo=UTC)
NASTY = [
    "A\\1", "A\\\\1", "\\", "A\t1", "A\n1", "A\r1", "A\r\n1", "\\N", "\\.", "\\t", "a\\nb",
    "A\x08\x0b\x0c\x7f1", "Hồ sơ", "A\\Hồ\t", " \\N ", "A\u20281", "\"q\"", "{}", "",
]  # fmt: skip
INTS = [1, 3, 10**17, 10**18 - 1, 10**18, 10**19, 10**30, -(10**30), 0, -1]


def _reference_land(conn, table, key, items, key_of, run_id):
    """The loader before its own COPY lines: `write_row` of each row's values (main's code)."""
    conn.execute(f"DELETE FROM raw.{table} WHERE partition_key = %s", (key,))
    typer = TYPERS.get(table)
    if typer is None:
        stmt = db.statement("raw/copy_pages", table=f"raw.{table}")
    else:
        columns, type_row = typer
        untyped = (False,) + (None,) * len(columns)
        stmt = db.statement("raw/copy_typed_pages", table=f"raw.{table}", columns=columns)
    with conn.cursor() as cur, cur.copy(stmt) as copy:
        for page, item in items:
            k = key_of(item)
            k = k if k == key else key
            if typer is None:
                copy.write_row((k, page, loader._json_text(item), run_id, FETCHED))
                continue
            data = loader._json_bytes(item)
            digest = hashlib.md5(data, usedforsecurity=False).hexdigest()
            typed = type_row(item)
            fields = untyped if typed is None else (True, *typed)
            copy.write_row((k, page, data.decode(), run_id, FETCHED, digest, *fields))


def _rows(conn, table):
    return conn.execute(
        f"SELECT to_jsonb(t) - 'ctid' FROM raw.{table} t ORDER BY page, payload"
    ).fetchall()


@pytest.fixture
def fixed_now(monkeypatch):
    class _Fixed(datetime):
        @classmethod
        def now(cls, tz=None):
            return FETCHED

    monkeypatch.setattr(loader, "datetime", _Fixed)


def _dossiers():
    out = []
    for i, v in enumerate(NASTY):
        for field in ("MaHoSo", "MaTTHC", "MaDonVi", "LyDoTreHan"):
            out.append({**GOOD, "MaHoSo": f"D-{field}-{i}", field: v})
        pay = {"HinhThuc": v, "SoTien": 1000, "NgayThanhToan": None, "MaGiaoDich": v}
        out.append({**GOOD, "MaHoSo": f"P-{i}", "ThanhToan": pay})
        out.append({**GOOD, "MaHoSo": f"K-{i}", v or "empty": v})  # a key to escape
    for i, n in enumerate(INTS):
        pay = {"HinhThuc": "CK", "SoTien": n, "NgayThanhToan": None, "MaGiaoDich": "T"}
        out.append({**GOOD, "MaHoSo": f"I-{i}", "ThanhToan": pay})
        out.append({**GOOD, "MaHoSo": f"J-{i}", "KenhThucHien": n})
    out.append({**GOOD, "MaHoSo": "typed-plain"})
    return out


@pytest.mark.parametrize("table", ["provincial_dossiers", "national_chiso"])
def test_copy_lines_store_what_write_row_stored(database_url, fixed_now, table):
    records = _dossiers()
    items = [(1 + i // 7, r) for i, r in enumerate(records)]
    with db.connect(database_url) as conn:
        loader.land_raw(conn, table, [WEEK], iter(items), lambda _: WEEK, "run\t\\N\n1")
        ours = _rows(conn, table)
        conn.rollback()
        _reference_land(conn, table, WEEK, items, lambda _: WEEK, "run\t\\N\n1")
        reference = _rows(conn, table)
        conn.rollback()
    assert len(ours) == len(records)
    assert ours == reference
    if table == "provincial_dossiers":  # both paths exercised, the typed one with escapes
        typed = [r[0] for r in ours if r[0]["typed"]]
        assert any("\\" in r["ma_ho_so"] for r in typed)
        assert any("\t" in (r["late_reason"] or "") for r in typed)
        assert any(r["late_reason"] == "\\N" for r in typed)
        assert any(r["payment_amount"] == 10**18 - 1 for r in typed)
        assert 0 < len(typed) < len(ours)


STAMPS = [
    "20240304100000", "20240301000000", "20240229235959", "20240307235959", "20240308000000",
    " 20240304100000", "20240304100000 ", "20240230100000", "20240304240000", "20240304106000",
    "20240304100060", "20240304100061", "20240304100062", "18990304100000", "21000304100000",
    "２０２４0304100000", "2024030410000", None, 20240304100000, "",
]  # fmt: skip


@pytest.mark.parametrize("table", ["provincial_dossiers", "national_sync", "national_payments"])
def test_weekly_key_of_a_typed_record_is_week_key_of(database_url, fixed_now, table):
    base = {
        "national_payments": {
            "MaGiaoDich": "T-1",
            "MaHoSo": "H-1",
            "SoTien": 5,
            "NgayThanhToan": None,
            "TrangThai": "THANH_CONG",
        },  # fmt: skip
    }.get(table, GOOD)
    records = [{**base, "MaHoSo": f"H-{i}", "NgayCapNhat": s} for i, s in enumerate(STAMPS)]
    keys = ["2024-02-23", WEEK, "2024-03-08"]
    with db.connect(database_url) as conn:
        landed = loader.land_raw(
            conn, table, keys, ((1, r) for r in records), loader.week_of_change, "r"
        )
        got = conn.execute(
            f"SELECT payload::jsonb->>'MaHoSo', partition_key, typed FROM raw.{table}"
        ).fetchall()
        conn.rollback()
    expected = {}
    for r in records:
        key = loader.week_key_of(r["NgayCapNhat"])
        expected[r["MaHoSo"]] = key if key in keys else min(keys)
    assert {m: k for m, k, _ in got} == expected
    assert landed == {k: list(expected.values()).count(k) for k in keys}
    typed = {m for m, _, t in got if t}
    assert len(typed) >= 5 and len(typed) < len(records)  # both ways of keying exercised
