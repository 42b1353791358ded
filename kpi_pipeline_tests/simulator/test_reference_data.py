"""Units, procedures and holidays: the reference data the portal serves."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from kpi_simulator.holidays import load_holidays


def _valid_on(unit: dict, d: date) -> bool:
    ymd = d.strftime("%Y%m%d")
    return unit["HieuLucTu"] <= ymd and (unit["HieuLucDen"] is None or ymd <= unit["HieuLucDen"])


def test_unit_levels_codes_and_parents(world):
    units = world.units()
    assert Counter(u["CapDonVi"] for u in units if _valid_on(u, date(2023, 1, 1))) == {
        "TINH": 1,
        "SO_NGANH": 20,
        "HUYEN": 18,
        "XA": 235,  # the package's 233, with Nông Sơn's 7 communes before they merged into 5
    }
    assert Counter(u["CapDonVi"] for u in units if _valid_on(u, date(2025, 6, 1)))["XA"] == 233
    by_code = {u["MaDonVi"]: u for u in units}
    province = by_code["000.00.00.H47"]
    assert province["TenDonVi"] == "UBND tỉnh Quảng Nam" and province["MaDonViCha"] is None
    assert by_code["000.00.01.H47"]["TenDonVi"] == "Sở Tư pháp"
    for u in units:
        assert re.fullmatch(r"\d{8}", u["HieuLucTu"])
        if not u["MaDonVi"].endswith(".H47"):
            continue  # the new Đà Nẵng from 2025-07-01 (test_reform_structure.py)
        assert u["HieuLucDen"] is not None and u["HieuLucDen"] <= "20250630"
        if u["CapDonVi"] in ("SO_NGANH", "HUYEN"):
            assert u["MaDonViCha"] == "000.00.00.H47"
        if u["CapDonVi"] == "HUYEN":
            assert u["MaDonVi"] == f"000.00.{u['MaHanhChinh']}.H47"
            assert 502 <= int(u["MaHanhChinh"]) <= 519
        if u["CapDonVi"] == "XA":
            assert re.fullmatch(r"\d{5}\.5(0[2-9]|1\d)\.H47", u["MaDonVi"])
            assert u["MaDonVi"].startswith(u["MaHanhChinh"] + ".")
            assert by_code[u["MaDonViCha"]]["CapDonVi"] == "HUYEN"
    # unique per version
    assert len({(u["MaDonVi"], u["HieuLucTu"]) for u in units}) == len(units)


def test_nong_son_merges_into_que_son_on_2025_01_01(world):
    units = world.units()

    def districts(d: date) -> set[str]:
        return {u["MaHanhChinh"] for u in units if u["CapDonVi"] == "HUYEN" and _valid_on(u, d)}

    for d in (date(2022, 1, 1), date(2023, 6, 1), date(2024, 12, 31)):
        assert districts(d) == {str(c) for c in range(502, 520)}
    assert districts(date(2025, 1, 1)) == {str(c) for c in range(502, 519)}
    nong_son = next(u for u in units if u["MaHanhChinh"] == "519")
    assert (nong_son["TenDonVi"], nong_son["HieuLucDen"]) == ("Huyện Nông Sơn", "20241231")
    # a commune that survives keeps its code: two versions, parent 519 then 509
    que_loc = sorted(
        (u for u in units if u["MaDonVi"] == "20671.519.H47"), key=lambda u: u["HieuLucTu"]
    )
    assert [(u["MaDonViCha"], u["HieuLucTu"], u["HieuLucDen"]) for u in que_loc] == [
        ("000.00.519.H47", "20220101", "20241231"),
        ("000.00.509.H47", "20250101", "20250630"),  # districts end with the reform
    ]
    # no commune hangs under a district that is not valid when it is
    by_code: dict[str, list[dict]] = {}
    for u in units:
        by_code.setdefault(u["MaDonVi"], []).append(u)
    for u in units:
        if u["CapDonVi"] == "XA":
            start = u["HieuLucTu"]
            parent = [
                p
                for p in by_code[u["MaDonViCha"]]
                if _valid_on(p, date(int(start[:4]), int(start[4:6]), int(start[6:])))
            ]
            assert parent, u


def test_tra_mai_is_under_nam_tra_my(world):
    # the package re-uses GSO code 20944 for the new commune Nam Trà My (2025-07-01)
    tra_mai = [u for u in world.units() if u["MaHanhChinh"] == "20944" and u["HieuLucDen"]]
    assert len(tra_mai) == 1
    assert tra_mai[0]["TenDonVi"] == "Xã Trà Mai"
    assert tra_mai[0]["MaDonViCha"] == "000.00.516.H47"
    assert tra_mai[0]["MaDonVi"] == "20944.516.H47"


def test_procedure_catalogue(world):
    procs = world.procedures()
    per_level = Counter(p["CapThucHien"] for p in procs)
    assert 300 <= per_level["TINH"] <= 400
    assert 180 <= per_level["HUYEN"] <= 260
    assert 80 <= per_level["XA"] <= 130
    assert len({p["MaTTHC"] for p in procs}) == len(procs)
    for p in procs:
        assert re.fullmatch(r"[12]\.\d{6}\.000\.00\.00\.H47", p["MaTTHC"])
        assert p["MucDo"] in (2, 3, 4)
        assert p["ToanTrinh"] == (p["MucDo"] == 4)
        assert 0 <= p["ThoiHanGiaiQuyet"] <= 30
        assert not p["ThanhToanTrucTuyen"] or (p["CoPhiLePhi"] and p["MucDo"] >= 3)
    online = [p for p in procs if p["MucDo"] >= 3]
    assert sum(p["TichHopDVCQG"] for p in online) / len(online) > 0.8
    assert 0.3 <= sum(p["CoPhiLePhi"] for p in procs) / len(procs) <= 0.5
    assert {"Hộ tịch", "Đất đai", "Chứng thực", "Đường bộ"} <= {p["TenLinhVuc"] for p in procs}
    assert Counter(p["MucDo"] for p in procs).keys() == {2, 3, 4}


def test_holidays(world):
    for year in range(2022, 2028):
        days = world.holidays(year)
        assert days and all(d["Ngay"].startswith(str(year)) for d in days)
        names = {d["TenNgayNghi"] for d in days}
        assert {"Tết Dương lịch", "Tết Nguyên đán", "Giỗ Tổ Hùng Vương", "Quốc khánh"} <= names
        assert sum(d["TenNgayNghi"] == "Quốc khánh" for d in days) == 2  # 2/9 plus one day
        assert [d["Ngay"] for d in days] == sorted(d["Ngay"] for d in days)
    kinds = {d["Ngay"]: d["Loai"] for d in world.holidays(2023)}
    assert kinds["20230506"] == "LAM_BU" and kinds["20230502"] == "BU" and kinds["20230430"] == "LE"
    assert world.holidays(2021) == []
    # the calendar the dossiers use is the one served
    cal = world.calendar
    assert not cal.is_working_day(date(2024, 2, 12)) and cal.is_working_day(date(2023, 5, 6))
    assert {h.kind for h in load_holidays()} == {"LE", "BU", "LAM_BU"}
