"""The dossiers and the national side: determinism, consistency and plausibility."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from kpi_pipeline.domain.calendar import TZ, WorkingCalendar
from kpi_simulator import SimulatorConfig, World
from kpi_simulator.timestamps import parse

from .conftest import NOW

WEEK = (datetime(2026, 2, 27, tzinfo=TZ), datetime(2026, 3, 6, tzinfo=TZ))
ALL = (datetime(2022, 1, 1, tzinfo=TZ), NOW + timedelta(seconds=1))


@pytest.fixture(scope="module")
def history(world):
    """Every record of the demo world, each in its current state."""
    return {
        "hoso": list(world.dossiers_changed(*ALL)),
        "dongbo": list(world.sync_records_changed(*ALL)),
        "thanhtoan": list(world.payments_changed(*ALL)),
        "procs": {p["MaTTHC"]: p for p in world.procedures()},
    }


def test_same_seed_and_now_give_identical_data_other_seed_differs(world):
    twin = World(SimulatorConfig.demo(now=NOW))
    for method in ("dossiers_changed", "sync_records_changed", "payments_changed"):
        ours = list(getattr(world, method)(*WEEK))
        assert ours and ours == list(getattr(twin, method)(*WEEK))
    assert twin.chiso(date(2026, 2, 1)) == world.chiso(date(2026, 2, 1))
    assert twin.units() == world.units() and twin.procedures() == world.procedures()
    other = World(SimulatorConfig.demo(now=NOW, seed=50))
    assert list(other.dossiers_changed(*WEEK)) != list(world.dossiers_changed(*WEEK))


def test_a_dossier_is_the_same_whenever_it_is_generated(world):
    """Days are generated in any order; a later `now` only reveals later events."""
    cold = World(SimulatorConfig.demo(now=NOW))
    day = date(2025, 11, 14)
    assert [x.provincial_item(cold.now) for x in cold.day(day)] == [
        x.provincial_item(world.now) for x in world.day(day)
    ]
    later = World(SimulatorConfig.demo(now=NOW + timedelta(days=60)))
    earlier = {x.code: x.provincial_item(world.now) for x in world.day(day)}
    for x in later.day(day):
        item = x.provincial_item(later.now)
        assert item["NgayTiepNhan"] == earlier[x.code]["NgayTiepNhan"]
        assert item["NgayCapNhat"] >= earlier[x.code]["NgayCapNhat"]


def test_window_holds_exactly_the_latest_changes_in_page_order(world, history):
    items = list(world.dossiers_changed(*WEEK))
    lo, hi = (w.strftime("%Y%m%d%H%M%S") for w in WEEK)
    assert all(lo <= i["NgayCapNhat"] < hi for i in items)
    assert [(i["NgayCapNhat"], i["MaHoSo"]) for i in items] == sorted(
        (i["NgayCapNhat"], i["MaHoSo"]) for i in items
    )
    expected = {i["MaHoSo"] for i in history["hoso"] if lo <= i["NgayCapNhat"] < hi}
    assert {i["MaHoSo"] for i in items} == expected and len(items) == len(expected)
    # consecutive windows partition the history: each dossier in exactly one of them
    windows = [(WEEK[0] + timedelta(days=k), WEEK[0] + timedelta(days=k + 1)) for k in range(7)]
    codes = [i["MaHoSo"] for a, b in windows for i in world.dossiers_changed(a, b)]
    assert sorted(codes) == sorted(expected)


def test_dossier_fields_are_consistent(world, history):
    now = NOW.strftime("%Y%m%d%H%M%S")
    procs = history["procs"]
    units = {u["MaDonVi"] for u in world.units()}
    for x in history["hoso"]:
        proc = procs[x["MaTTHC"]]
        assert x["MaDonVi"] in units and x["MaHoSo"].startswith(
            x["MaDonVi"] + "-" + x["NgayTiepNhan"][2:8] + "-"
        )
        assert x["NgayTiepNhan"] <= x["NgayCapNhat"] <= now
        assert x["KenhThucHien"] in (1, 2, 3)
        assert x["KenhThucHien"] != 2 or proc["MucDo"] >= 3
        finished = x["NgayKetThucXuLy"]
        assert (finished is not None) == (x["TrangThaiHoSo"] in (9, 10))
        assert (x["NgayTra"] is not None) == (x["TrangThaiHoSo"] == 10)
        assert (x["LyDoTreHan"] is not None) == (
            finished is not None and finished > x["NgayHenTra"]
        )
        assert x["LyDoTreHan"] in (None, "KHACH_QUAN", "CHU_QUAN")
        pay = x["ThanhToan"]
        if pay is not None:
            assert (
                proc["CoPhiLePhi"]
                and pay["SoTien"] > 0
                and pay["NgayThanhToan"] <= x["NgayCapNhat"]
            )
            assert pay["HinhThuc"] == "TRUC_TIEP" or proc["ThanhToanTrucTuyen"]
    statuses = Counter(x["TrangThaiHoSo"] for x in history["hoso"])
    assert {3, 4, 5, 7, 8, 9, 10} <= statuses.keys()
    late = [x for x in history["hoso"] if x["LyDoTreHan"]]
    assert {x["LyDoTreHan"] for x in late} == {"KHACH_QUAN", "CHU_QUAN"}
    overdue_open = [
        x for x in history["hoso"] if x["TrangThaiHoSo"] in (2, 4, 5, 6) and x["NgayHenTra"] < now
    ]
    assert len(overdue_open) > 100
    # some dossiers change long after receipt (late payment, late finish, late return)
    assert (
        sum(
            parse(x["NgayCapNhat"]) - parse(x["NgayTiepNhan"]) > timedelta(days=21)
            for x in history["hoso"]
        )
        > 500
    )


def test_due_dates_follow_the_working_calendar(world, history):
    calendar = WorkingCalendar(
        {
            date(int(h["Ngay"][:4]), int(h["Ngay"][4:6]), int(h["Ngay"][6:])): h["Loai"]
            for y in range(2022, 2028)
            for h in world.holidays(y)
        }
    )
    procs = history["procs"]
    sample = history["hoso"][::50]
    assert len(sample) > 500
    for x in sample:
        due = calendar.due_at(parse(x["NgayTiepNhan"]), procs[x["MaTTHC"]]["ThoiHanGiaiQuyet"])
        assert due.strftime("%Y%m%d%H%M%S") == x["NgayHenTra"], x


def _online_share(items, procs) -> float:
    eligible = [
        x for x in items
        if x["TrangThaiHoSo"] != 3 and procs[x["MaTTHC"]]["MucDo"] >= 3 and procs[x["MaTTHC"]]["TichHopDVCQG"]
    ]  # fmt: skip
    return sum(x["KenhThucHien"] == 2 for x in eligible) / len(eligible)


def test_online_share_improves_and_is_plausible(world, history):
    procs = history["procs"]
    y2022 = world.dossiers_received(date(2022, 1, 1), date(2023, 1, 1))
    y2026 = world.dossiers_received(date(2026, 1, 1), date(2026, 3, 1))
    share_2022, share_2026 = _online_share(y2022, procs), _online_share(y2026, procs)
    assert 0.08 <= share_2022 <= 0.3 and 0.45 <= share_2026 <= 0.8
    assert share_2026 > share_2022 + 0.2
    # some units stay red in 2026 (below 40% online)
    by_unit: dict[str, list] = {}
    for x in y2026:
        by_unit.setdefault(x["MaDonVi"], []).append(x)
    shares = [
        _online_share(xs, procs)
        for xs in by_unit.values()
        if len(xs) >= 20 and _has_eligible(xs, procs)
    ]
    assert any(s < 0.4 for s in shares) and any(s > 0.7 for s in shares)
    # seed 002: Tam Kỳ city 2023 Q1 around 41-49% online, June 2023 near 2%
    tam_ky = [
        x
        for x in world.dossiers_received(date(2023, 1, 1), date(2023, 7, 1))
        if x["MaDonVi"] == "000.00.502.H47"
    ]
    q1 = [x for x in tam_ky if x["NgayTiepNhan"] < "20230401"]
    june = [x for x in tam_ky if x["NgayTiepNhan"] >= "20230601"]
    assert 0.3 <= _online_share(q1, procs) <= 0.6 and _online_share(june, procs) < 0.1


def _has_eligible(items, procs) -> bool:
    return any(
        procs[x["MaTTHC"]]["MucDo"] >= 3 and procs[x["MaTTHC"]]["TichHopDVCQG"] for x in items
    )


def test_peak_months_jump(world):
    counts = Counter(
        x["NgayTiepNhan"][:6] for x in world.dossiers_received(date(2022, 2, 1), date(2026, 2, 1))
    )
    months = sorted(counts)
    for i, month in enumerate(months[1:-1], 1):
        if int(month[4:]) in (3, 6, 9, 12):
            assert counts[month] > max(counts[months[i - 1]], counts[months[i + 1]]), month
    per_year = Counter()
    for month, n in counts.items():
        per_year[month[:4]] += n
    assert 8_000 <= per_year["2023"] <= 16_000  # scale 0.01 of ~1,000,000 a year


def test_some_dossiers_never_reach_the_national_portal_and_some_lag(history):
    prov = {x["MaHoSo"]: x for x in history["hoso"]}
    nat = {x["MaHoSo"]: x for x in history["dongbo"]}
    assert nat.keys() <= prov.keys()
    missing = len(prov.keys() - nat.keys()) / len(prov)
    assert 0.01 <= missing <= 0.08
    stale = sum(nat[k]["TrangThaiHoSo"] != prov[k]["TrangThaiHoSo"] for k in nat) / len(nat)
    assert 0.002 <= stale <= 0.05
    for k, n in nat.items():
        p = prov[k]
        assert (n["MaTTHC"], n["MaDonVi"], n["NgayTiepNhan"], n["NgayHenTra"], n["KenhThucHien"]) == (
            p["MaTTHC"], p["MaDonVi"], p["NgayTiepNhan"], p["NgayHenTra"], p["KenhThucHien"],
        )  # fmt: skip
        assert n["NgayDongBo"] == n["NgayCapNhat"] >= n["NgayTiepNhan"]


def test_national_payments_match_most_but_not_all_online_payments(history):
    by_dossier: dict[str, list] = {}
    for t in history["thanhtoan"]:
        by_dossier.setdefault(t["MaHoSo"], []).append(t)
    online = [
        x for x in history["hoso"] if x["ThanhToan"] and x["ThanhToan"]["HinhThuc"] == "TRUC_TUYEN"
    ]
    matched = [
        x for x in online
        if any(t["MaGiaoDich"] == x["ThanhToan"]["MaGiaoDich"] and t["TrangThai"] == "THANH_CONG" for t in by_dossier.get(x["MaHoSo"], []))
    ]  # fmt: skip
    assert 0.85 <= len(matched) / len(online) < 0.99
    statuses = Counter(t["TrangThai"] for t in history["thanhtoan"])
    assert statuses.keys() == {"THANH_CONG", "THAT_BAI", "HOAN_TIEN"}
    assert any(len(ts) == 2 for ts in by_dossier.values())  # failed attempt, then success
    assert len({t["MaGiaoDich"] for t in history["thanhtoan"]}) == len(history["thanhtoan"])


def test_chiso_follows_the_counting_rules_on_the_national_view(world, history):
    """Recompute one month from the national records with kpi-tables.md's rules."""
    month, nxt = "202602", "202603"
    procs = history["procs"]
    latest: dict[str, tuple] = {}
    for t in history["thanhtoan"]:
        key = (t["NgayThanhToan"], t["NgayCapNhat"])
        if t["MaHoSo"] not in latest or key > latest[t["MaHoSo"]][0]:
            latest[t["MaHoSo"]] = (key, t["TrangThai"])
    counts: dict[str, list[int]] = {}
    for x in history["dongbo"]:
        c = counts.setdefault(x["MaDonVi"], [0] * 6)
        fin = x["NgayKetThucXuLy"]
        if fin and month <= fin[:6] < nxt:
            c[0] += 1
            c[1] += fin <= x["NgayHenTra"]
        if month <= x["NgayTiepNhan"][:6] < nxt and x["TrangThaiHoSo"] != 3:
            p = procs[x["MaTTHC"]]
            if p["MucDo"] >= 3 and p["TichHopDVCQG"]:
                c[2] += 1
                c[3] += x["KenhThucHien"] == 2
            if p["CoPhiLePhi"] and p["ThanhToanTrucTuyen"]:
                c[4] += 1
                c[5] += latest.get(x["MaHoSo"], (None, None))[1] == "THANH_CONG"

    counts = {code: c for code, c in counts.items() if any(c)}

    def pct(n, d):  # percent, one decimal, half up
        return None if d == 0 else (2000 * n + d) // (2 * d) / 10

    chiso = {c["MaDonVi"]: c for c in world.chiso(date(2026, 2, 1))}
    assert chiso.keys() >= counts.keys()
    for code, c in counts.items():
        assert chiso[code]["TyLeDungHan"] == pytest.approx(pct(c[1], c[0]), abs=0.051), code
        assert chiso[code]["TyLeTrucTuyen"] == pytest.approx(pct(c[3], c[2]), abs=0.051), code
        assert chiso[code]["TyLeThanhToanTrucTuyen"] == pytest.approx(pct(c[5], c[4]), abs=0.051), (
            code
        )
    # the province receives nothing itself; in 2026 it is the new Đà Nẵng (48)
    assert chiso["000.00.00.T48"]["TyLeDungHan"] is None
    assert not any(code.endswith(".H47") for code in chiso)  # Quảng Nam's units ended in 2025
    assert "000.00.519.H47" in {c["MaDonVi"] for c in world.chiso(date(2024, 12, 1))}
