"""Each quarantine rule on a crafted raw record; the balance raw = staged + quarantined + superseded."""

import json
import unicodedata

import pytest

from kpi_pipeline.staging.conform import DOSSIERS, PAYMENTS, replace_partitions
from kpi_pipeline.warehouse import db

WEEK = "2024-03-01"
GOOD = {
    "MaHoSo": "000.00.01.H47-240301-0001",
    "MaTTHC": "1.000001.000.00.00.H47",
    "MaDonVi": "000.00.01.H47",
    "KenhThucHien": 2,
    "SoHoa": True,
    "NgayTiepNhan": "20240301080000",
    "NgayHenTra": "20240305080000",
    "NgayKetThucXuLy": "20240304100000",
    "NgayTra": None,
    "TrangThaiHoSo": 9,
    "LyDoTreHan": None,
    "ThanhToan": None,
    "NgayCapNhat": "20240304100000",
}


def _seed_reference(conn):
    conn.execute(
        "INSERT INTO ref.units (unit_code, valid_from, unit_name, unit_level, parent_code)"
        " VALUES ('000.00.01.H47', '2022-01-01', 'Sở Tư pháp', 'SO_NGANH', NULL)"
    )
    conn.execute(
        "INSERT INTO ref.procedures (procedure_code, procedure_name, unit_level, service_level,"
        " fully_online, integrated, has_fee, online_payment, processing_days)"
        " VALUES ('1.000001.000.00.00.H47', 'Cấp phiếu lý lịch tư pháp', 'TINH', 4, true, true,"
        " true, true, 2)"
    )


def _land(conn, table, records, key=WEEK):
    for i, rec in enumerate(records):
        conn.execute(
            f"INSERT INTO raw.{table} (partition_key, page, payload, run_id, fetched_at)"
            " VALUES (%s, %s, %s, 'r1', now())",
            (key, 1 + i // 10, json.dumps(rec, ensure_ascii=False)),
        )


BAD_CASES = {
    "missing_key": {"MaHoSo": "  "},
    "unparseable_date": {"NgayTiepNhan": "20240230080000"},
    "unknown_status": {"TrangThaiHoSo": 11},
    "unknown_channel": {"KenhThucHien": 4},
    "unknown_unit": {"MaDonVi": "999.99.99.H47"},
    "unknown_procedure": {"MaTTHC": "9.999999"},
    "finished_before_received": {"NgayKetThucXuLy": "20240229100000"},
    "due_before_received": {"NgayHenTra": "20240229080000"},
    "bad_payment": {"ThanhToan": "paid"},
    "bad_amount": {"ThanhToan": {"HinhThuc": "TRUC_TUYEN", "SoTien": -5}},
    "oversized_field": {"LyDoTreHan": "CHU_QUAN" + " " * 600},
}


@pytest.mark.parametrize("rule", sorted(BAD_CASES))
def test_each_rule_quarantines_and_keeps_the_record(database_url, rule):
    bad = {**GOOD, **BAD_CASES[rule], "MaHoSo": BAD_CASES[rule].get("MaHoSo", "BAD-1")}
    with db.connect(database_url) as conn:
        _seed_reference(conn)
        _land(conn, "provincial_dossiers", [GOOD, bad])
        conn.commit()
        counts = replace_partitions(conn, DOSSIERS, [WEEK], "run-1")
        q = conn.execute("SELECT rule, payload, detail, run_id FROM quarantine.records").fetchall()
        staged = conn.execute("SELECT ma_ho_so FROM staging.dossiers").fetchall()
    assert counts.raw == 2 and counts.staged == 1 and counts.quarantined == 1
    assert [r[0] for r in q] == [rule]
    assert q[0][1] == bad  # the raw record is kept whole
    assert q[0][2] and q[0][3] == "run-1"
    assert staged == [(GOOD["MaHoSo"],)]


def test_duplicates_latest_wins_and_conflicts_are_quarantined(database_url):
    older = {**GOOD, "TrangThaiHoSo": 4, "NgayKetThucXuLy": None, "NgayCapNhat": "20240302090000"}
    twin_a = {**GOOD, "MaHoSo": "X-2", "NgayCapNhat": "20240303090000"}
    twin_b = {**twin_a, "KenhThucHien": 1}
    with db.connect(database_url) as conn:
        _seed_reference(conn)
        _land(conn, "provincial_dossiers", [older, GOOD, GOOD, twin_a, twin_b])
        conn.commit()
        counts = replace_partitions(conn, DOSSIERS, [WEEK], "run-1")
        status = conn.execute("SELECT ma_ho_so, status FROM staging.dossiers").fetchall()
        rules = conn.execute("SELECT record_key, rule FROM quarantine.records").fetchall()
    assert status == [(GOOD["MaHoSo"], 9)]
    assert sorted(rules) == [("X-2", "conflicting_duplicate")] * 2
    assert (counts.raw, counts.staged, counts.quarantined, counts.superseded) == (5, 1, 2, 2)


def test_nfd_text_is_stored_nfc_and_codes_trimmed(database_url):
    nfd_code = unicodedata.normalize("NFD", " Hồ-sơ-1 ")
    rec = {**GOOD, "MaHoSo": nfd_code}
    with db.connect(database_url) as conn:
        _seed_reference(conn)
        _land(conn, "provincial_dossiers", [rec])
        conn.commit()
        replace_partitions(conn, DOSSIERS, [WEEK], "run-1")
        (key,) = conn.execute("SELECT ma_ho_so FROM staging.dossiers").fetchone()
    assert key == unicodedata.normalize("NFC", "Hồ-sơ-1")


def test_latest_version_across_partitions_and_rerun_is_identical(database_url):
    later = {
        **GOOD,
        "TrangThaiHoSo": 10,
        "NgayTra": "20240311090000",
        "NgayCapNhat": "20240311090000",
    }
    with db.connect(database_url) as conn:
        _seed_reference(conn)
        _land(conn, "provincial_dossiers", [GOOD], key=WEEK)
        _land(conn, "provincial_dossiers", [later], key="2024-03-08")
        conn.commit()
        replace_partitions(conn, DOSSIERS, ["2024-03-08"], "run-1")
        replace_partitions(conn, DOSSIERS, [WEEK], "run-2")  # an older week after a newer one
        first = conn.execute("SELECT * FROM staging.dossiers").fetchall()
        replace_partitions(conn, DOSSIERS, [WEEK], "run-2")
        again = conn.execute("SELECT * FROM staging.dossiers").fetchall()
    assert len(first) == 1 and first[0][9] == 10  # status of the later version
    assert first == again


def test_payments_rules(database_url):
    ok = {
        "MaGiaoDich": "GD1",
        "MaHoSo": "H1",
        "SoTien": 50000,
        "NgayThanhToan": "20240301090000",
        "TrangThai": "THANH_CONG",
        "NgayCapNhat": "20240301090000",
    }
    bad = {**ok, "MaGiaoDich": "GD2", "TrangThai": "PENDING"}
    with db.connect(database_url) as conn:
        _land(conn, "national_payments", [ok, bad])
        conn.commit()
        counts = replace_partitions(conn, PAYMENTS, [WEEK], "run-1")
        rules = conn.execute("SELECT rule FROM quarantine.records").fetchall()
    assert counts.staged == 1 and rules == [("unknown_payment_status",)]
