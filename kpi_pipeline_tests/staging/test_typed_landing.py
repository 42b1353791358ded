"""Fields typed at landing (`ingestion/typed_fields.py`) conform exactly as the JSON does.

Each corpus below holds a plain record and that record with one field changed to every odd
shape a portal could send (wrong types, spaces, non-ASCII, bad dates, out-of-range codes),
plus repeats and conflicting twins. The corpus is landed twice in the same warehouse: once
as bare JSON rows (no typed columns: conform reads the JSON, as for rows landed before typing
existed) and once through the loader (plain records typed, the rest left to the JSON). Staged
versions, current rows, quarantined records with their rule and detail, and the counts must
be identical; and the loader must really have typed the plain records.
"""

import json
import unicodedata

import pytest

from kpi_pipeline.ingestion.loader import land_raw
from kpi_pipeline.ingestion.typed_fields import dossier_row, payment_row, sync_row
from kpi_pipeline.staging.conform import DOSSIERS, PAYMENTS, SYNC_RECORDS, replace_partitions
from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.staging.test_conform_rules import GOOD, WEEK, _seed_reference

NFD = unicodedata.normalize("NFD", "Hồ sơ")
TS = "20240301080000"
TIMESTAMPS = [
    TS, "20240230080000", "20240229080000", "20230229080000", "20240301240000",
    "20240301086000", "20240301080060", "18990301080000", "21000301080000", " 20240301080000",
    "2024030108000", "202403010800000", "", None, 20240301080000, "２０２４0301080000",
    "20240431080000", "20241301080000", "20240300080000", "20240229235959",
]  # fmt: skip
CODES = ["X", " X ", "", "  ", None, 5, 5.5, True, ["X"], {"a": 1}, NFD, " " + NFD, "x" * 600]
SMALL = [1, 2, 3, 4, 9, 10, 11, 0, -1, "2", " 2 ", "02", "002", "", " ", 2.0, True, None, "x"]
DROP = object()  # the field left out of the record


def _variants(base: dict, fields: dict[str, list]) -> list[dict]:
    out = [dict(base)]
    for field, values in fields.items():
        for value in [*values, DROP]:
            rec = dict(base)
            if value is DROP:
                rec.pop(field, None)
            else:
                rec[field] = value
            out.append(rec)
    return out


def _keyed(records: list[dict], key_field: str) -> list[dict]:
    """Every record its own key, but for the ones whose key is the field under test."""
    out = []
    for i, rec in enumerate(records):
        rec = dict(rec)
        if rec.get(key_field) == records[0][key_field]:
            rec[key_field] = f"K-{i:03d}"
        out.append(rec)
    return out


def _repeats(rec: dict, key_field: str) -> list[dict]:
    """An identical repeat (in another key order), and two conflicting twins."""
    twin = {**rec, key_field: "TWIN"}
    return [
        {**rec, key_field: "REPEAT"},
        dict(reversed(list({**rec, key_field: "REPEAT"}.items()))),
        twin,
        {**twin, next(k for k in rec if k != key_field): "other"},
    ]


def _dossiers() -> list[dict]:
    base = {
        **GOOD,
        "ThanhToan": {
            "HinhThuc": "TRUC_TUYEN",
            "SoTien": 50000,
            "NgayThanhToan": "20240302090000",
            "MaGiaoDich": "GD-1",
        },
    }
    payments = [
        None, "paid", [], 5, {}, {"SoTien": -5}, {"SoTien": "100"}, {"SoTien": " 100"},
        {"SoTien": 10**18}, {"SoTien": 10**18 - 1}, {"SoTien": 10**19}, {"SoTien": 1.5},
        {"SoTien": None}, {"SoTien": "0012"}, {"SoTien": True}, {"NgayThanhToan": ""},
        {"NgayThanhToan": "bad"}, {"NgayThanhToan": None}, {"HinhThuc": " TRUC_TUYEN "},
        {"HinhThuc": NFD}, {"MaGiaoDich": 5}, {"MaGiaoDich": "  "},
        {**base["ThanhToan"], "SoTien": "7"},
    ]  # fmt: skip
    fields = {
        "MaHoSo": CODES,
        "MaTTHC": CODES + [" " + GOOD["MaTTHC"] + " "],
        "MaDonVi": CODES + [" " + GOOD["MaDonVi"]],
        "KenhThucHien": SMALL,
        "TrangThaiHoSo": SMALL,
        "SoHoa": [True, False, "true", "TRUE", "False", " true", 1, 0, None, "yes", ""],
        "NgayTiepNhan": TIMESTAMPS,
        "NgayHenTra": TIMESTAMPS + ["20240229080000"],
        "NgayKetThucXuLy": TIMESTAMPS,
        "NgayTra": TIMESTAMPS,
        "NgayCapNhat": TIMESTAMPS,
        "LyDoTreHan": ["CHU_QUAN", " CHU_QUAN ", "", " ", "x" * 500, "x" * 501, NFD, 5, None],
        "ThanhToan": payments,
    }
    records = _keyed(_variants(base, fields), "MaHoSo")
    return records + _repeats(base, "MaHoSo")


def _sync() -> list[dict]:
    base = {
        "MaHoSo": "H-1",
        "MaTTHC": "1.000001.000.00.00.H47",
        "MaDonVi": "000.00.01.H47",
        "TrangThaiHoSo": 9,
        "KenhThucHien": 2,
        "NgayTiepNhan": "20240301080000",
        "NgayHenTra": "20240305080000",
        "NgayKetThucXuLy": "20240304100000",
        "NgayDongBo": "20240304110000",
        "NgayCapNhat": "20240304110000",
    }
    fields = {
        "MaHoSo": CODES,
        "MaTTHC": CODES,
        "MaDonVi": CODES,
        "TrangThaiHoSo": SMALL,
        "KenhThucHien": SMALL,
        **{f: TIMESTAMPS for f in ("NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy")},
        "NgayDongBo": TIMESTAMPS,
        "NgayCapNhat": TIMESTAMPS,
    }
    return _keyed(_variants(base, fields), "MaHoSo") + _repeats(base, "MaHoSo")


def _payments() -> list[dict]:
    base = {
        "MaGiaoDich": "GD-1",
        "MaHoSo": "H-1",
        "SoTien": 50000,
        "NgayThanhToan": "20240301090000",
        "TrangThai": "THANH_CONG",
        "NgayCapNhat": "20240301090000",
    }
    statuses = ["THANH_CONG", "thanh_cong", " HOAN_TIEN ", "THAT_BAI", "PENDING", "", None, 5]
    fields = {
        "MaGiaoDich": CODES,
        "MaHoSo": CODES,
        "SoTien": [0, 1, -1, "100", " 100 ", "", " ", "1e3", 1.5, None, 10**18, 10**20, True],
        "NgayThanhToan": TIMESTAMPS,
        "TrangThai": statuses,
        "NgayCapNhat": TIMESTAMPS,
    }
    return _keyed(_variants(base, fields), "MaGiaoDich") + _repeats(base, "MaGiaoDich")


CASES = {
    "dossiers": (DOSSIERS, _dossiers, dossier_row, "staging.dossiers"),
    "sync": (SYNC_RECORDS, _sync, sync_row, "staging.sync_records"),
    "payments": (PAYMENTS, _payments, payment_row, "staging.payments"),
}


def _outcome(conn, spec, current: str) -> dict:
    rows = {
        "versions": f"SELECT * FROM {spec.versions_table}",
        "current": f"SELECT * FROM {current}",
        "quarantine": "SELECT source, partition_key, record_key, rule, detail, payload, run_id"
        " FROM quarantine.records",
    }
    out = {name: sorted(map(repr, conn.execute(q).fetchall())) for name, q in rows.items()}
    return out


def _reset(conn, spec, current: str) -> None:
    for table in (f"raw.{spec.source}", spec.versions_table, current, "quarantine.records"):
        conn.execute(f"DELETE FROM {table}")
    conn.commit()


@pytest.mark.parametrize("case", sorted(CASES))
def test_typed_records_conform_as_the_json_does(database_url, case):
    spec, corpus, type_row, current = CASES[case]
    records = corpus()
    with db.connect(database_url) as conn:
        _seed_reference(conn)
        conn.commit()
        # as bare JSON rows: conform reads every field from the JSON
        for i, rec in enumerate(records):
            conn.execute(
                f"INSERT INTO raw.{spec.source} (partition_key, page, payload, run_id, fetched_at)"
                " VALUES (%s, %s, %s, 'r1', now())",
                (WEEK, 1 + i // 10, json.dumps(rec, ensure_ascii=False)),
            )
        conn.commit()
        from_json = replace_partitions(conn, spec, [WEEK], "run-1")
        expected = _outcome(conn, spec, current)
        _reset(conn, spec, current)
        # through the loader: the plain records typed
        land_raw(
            conn, spec.source, [WEEK], ((1 + i // 10, r) for i, r in enumerate(records)),
            lambda _: WEEK, "r1",
        )  # fmt: skip
        conn.commit()
        typed = conn.execute(
            f"SELECT count(*) FILTER (WHERE typed), count(*) FROM raw.{spec.source}"
        ).fetchone()
        from_typed = replace_partitions(conn, spec, [WEEK], "run-1")
        got = _outcome(conn, spec, current)
    plain = sum(1 for r in records if type_row(r) is not None)
    assert typed == (plain, len(records))
    assert 0 < plain < len(records)  # both paths are exercised
    assert from_typed == from_json
    assert from_json.quarantined > 10 and from_json.superseded >= 1
    assert got == expected


def test_plain_dossier_typed_values():
    row = dossier_row({**GOOD, "MaHoSo": " A-1 ", "KenhThucHien": " 3", "SoHoa": "FALSE"})
    assert row[:6] == ("A-1", GOOD["MaTTHC"], GOOD["MaDonVi"], 3, 9, False)
    assert row[6] == "20240301T080000" and row[9] is None  # NgayTra null
    assert dossier_row({**GOOD, "MaDonVi": NFD}) is None  # NFC is SQL's to apply
    assert dossier_row({**GOOD, "NgayTiepNhan": "20240230080000"}) is None


def test_a_warehouse_with_jsonb_payloads_is_converted_and_conforms_the_same(database_url):
    """Raw tables made before the JSON was kept as text: `ensure_schema` converts them, and
    their rows (no content hash, no typed columns) conform as before: a repeat in another key
    order is still a repeat, and a changed field still a conflict."""
    rec = {**GOOD, "MaHoSo": "OLD-1"}
    twin = {**GOOD, "MaHoSo": "OLD-2"}
    rows = [rec, dict(reversed(list(rec.items()))), twin, {**twin, "KenhThucHien": 1}]
    with db.connect(database_url) as conn:
        _seed_reference(conn)
        conn.execute("ALTER TABLE raw.provincial_dossiers ALTER COLUMN payload TYPE jsonb"
                     " USING payload::jsonb")  # fmt: skip
        for rec in rows:
            conn.execute(
                "INSERT INTO raw.provincial_dossiers (partition_key, page, payload, run_id,"
                " fetched_at) VALUES (%s, 1, %s::jsonb, 'r0', now())",
                (WEEK, json.dumps(rec, ensure_ascii=False)),
            )
        conn.commit()
    db.ensure_schema(database_url)
    with db.connect(database_url) as conn:
        kind = conn.execute(
            "SELECT data_type FROM information_schema.columns WHERE table_schema = 'raw'"
            " AND table_name = 'provincial_dossiers' AND column_name = 'payload'"
        ).fetchone()
        counts = replace_partitions(conn, DOSSIERS, [WEEK], "run-1")
        rules = conn.execute("SELECT record_key, rule FROM quarantine.records").fetchall()
    assert kind == ("text",)
    assert (counts.raw, counts.staged, counts.superseded, counts.quarantined) == (4, 1, 1, 2)
    assert sorted(rules) == [("OLD-2", "conflicting_duplicate")] * 2
