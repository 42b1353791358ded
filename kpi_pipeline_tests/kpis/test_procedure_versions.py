"""Procedure versions (ref.procedure_versions): a level change takes effect from its date and
leaves the past as it was; kpi.procedure_catalogue_monthly counts each month against the
versions in force at its end. The catalogue goes through the reference merge's own SQL."""

import json
from datetime import date, datetime

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.kpis.catalogue import procedure_catalogue_monthly
from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.kpis.helpers import query, run


def _item(code, level=3, fully_online=False, effective=None, unit_level="XA"):
    item = {
        "MaTTHC": code,
        "TenTTHC": f"Thủ tục {code}",
        "MaLinhVuc": "HO_TICH",
        "TenLinhVuc": "Hộ tịch",
        "CapThucHien": unit_level,
        "MucDo": level,
        "ToanTrinh": fully_online,
        "TichHopDVCQG": True,
        "CoPhiLePhi": False,
        "ThanhToanTrucTuyen": False,
        "ThoiHanGiaiQuyet": 5,
    }
    if effective:
        item["HieuLucTu"] = effective
    return item


def _load(url, items, run_id):
    with db.connect(url) as conn, conn.transaction():
        db.execute_file(conn, "ref/create_incoming")
        with conn.cursor() as cur, cur.copy("COPY incoming (payload) FROM STDIN") as copy:
            for item in items:
                copy.write_row((json.dumps(item, ensure_ascii=False),))
        db.execute_file(conn, "ref/merge_procedures", {"run_id": run_id})


def _versions(url):
    return [
        (r["procedure_code"], r["valid_from"], r["valid_to"], r["service_level"])
        for r in query(
            url,
            "SELECT * FROM ref.procedure_versions ORDER BY procedure_code, valid_from",
        )
    ]


def test_a_level_change_takes_effect_from_its_date(database_url):
    today = datetime.now(TZ).date()
    _load(database_url, [_item("A"), _item("B"), _item("C", level=4)], "r1")
    first = date(2022, 1, 1)  # the first catalogue stands for the past
    assert _versions(database_url) == [
        ("A", first, None, 3),
        ("B", first, None, 3),
        ("C", first, None, 4),
    ]

    # A goes to level 4 from 15 March 2024 (HieuLucTu); B's level changes with no date: today;
    # C unchanged; D is new (from today)
    _load(
        database_url,
        [
            _item("A", level=4, effective="20240315"),
            _item("B", level=2),
            _item("C", level=4),
            _item("D"),
        ],
        "r2",
    )
    assert _versions(database_url) == [
        ("A", first, date(2024, 3, 14), 3),
        ("A", date(2024, 3, 15), None, 4),
        ("B", first, date.fromordinal(today.toordinal() - 1), 3),
        ("B", today, None, 2),
        ("C", first, None, 4),
        ("D", today, None, 3),
    ]
    # the same catalogue again: nothing changes
    _load(
        database_url,
        [
            _item("A", level=4, effective="20240315"),
            _item("B", level=2),
            _item("C", level=4),
            _item("D"),
        ],
        "r3",
    )
    assert len(_versions(database_url)) == 6
    assert query(
        database_url, "SELECT service_level FROM ref.procedures WHERE procedure_code = 'A'"
    ) == [{"service_level": 4}]

    # February 2024 keeps A at level 3; March (in force on 31 March) counts it at level 4
    run(database_url, [procedure_catalogue_monthly], start="2024-02-01", end="2024-03-01")
    rows = {
        r["period_start"]: (r["procedures"], r["procedures_level4"], r["level4_share"])
        for r in query(database_url, "SELECT * FROM kpi.procedure_catalogue_monthly")
    }
    assert rows[date(2024, 2, 1)][:2] == (3, 1)  # A, B, C; C at level 4
    assert rows[date(2024, 3, 1)][:2] == (3, 2)  # A now level 4 too


def test_an_unparseable_effective_date_is_quarantined(database_url):
    _load(database_url, [_item("A", effective="2024-13-45"), _item("B")], "r1")
    assert [v[0] for v in _versions(database_url)] == ["B"]
    q = query(database_url, "SELECT record_key, rule FROM quarantine.records")
    assert q == [{"record_key": "A", "rule": "bad_field"}]


def test_the_simulators_level_change_on_a_date_becomes_a_version(database_url):
    from kpi_simulator import SimulatorConfig, World

    base = World(SimulatorConfig.demo(now=datetime(2024, 3, 1, tzinfo=TZ))).procedures()
    code = next(p["MaTTHC"] for p in base if p["MucDo"] == 3 and p["CapThucHien"] == "XA")
    change = ((code, date(2024, 3, 15), 4),)

    def catalogue(now):
        cfg = SimulatorConfig.demo(now=now, procedure_level_changes=change)
        return World(cfg).procedures()

    before = catalogue(datetime(2024, 3, 10, tzinfo=TZ))
    after = catalogue(datetime(2024, 3, 20, tzinfo=TZ))
    item = {p["MaTTHC"]: p for p in after}[code]
    assert (item["MucDo"], item["ToanTrinh"], item["HieuLucTu"]) == (4, True, "20240315")
    assert {p["MaTTHC"]: p for p in before}[code]["MucDo"] == 3
    assert "HieuLucTu" not in {p["MaTTHC"]: p for p in before}[code]

    _load(database_url, before, "r1")
    _load(database_url, after, "r2")
    mine = [v for v in _versions(database_url) if v[0] == code]
    assert mine == [
        (code, date(2022, 1, 1), date(2024, 3, 14), 3),
        (code, date(2024, 3, 15), None, 4),
    ]
    assert len(_versions(database_url)) == len(base) + 1  # nothing else changed
