"""The 2025 reform in the simulator: legacy systems until 2025-06-30, two tiers from 2025-07-01."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import pytest
import requests

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.domain.provinces import deployment
from kpi_simulator import SimulatorConfig, SimulatorServer, World
from kpi_simulator.admin_units import build_units

NOW = datetime(2026, 3, 20, 10, 30, tzinfo=TZ)


def structure(units, d: date) -> Counter:
    return Counter((u.code.rsplit(".", 1)[1], u.level) for u in units if u.valid_on(d))


def test_new_da_nang_history_comes_from_two_legacy_systems():
    dep = deployment("48")
    assert (dep.new_code, dep.legacy_codes) == ("48", ("48", "49"))
    assert deployment("49").new_code == "48" and deployment("49").legacy_codes == ("49",)
    units = build_units("48")
    before = {
        ("H48", "TINH"): 1,
        ("H48", "SO_NGANH"): 20,
        ("H48", "HUYEN"): 8,  # 7 with communes, and Hoàng Sa
        ("H48", "XA"): 47,
        ("H47", "TINH"): 1,
        ("H47", "SO_NGANH"): 20,
        ("H47", "HUYEN"): 18,
        ("H47", "XA"): 235,
    }
    assert structure(units, date(2024, 12, 31)) == before
    # 2025-01-01: Nông Sơn into Quế Sơn (Quảng Nam only)
    jan = structure(units, date(2025, 1, 1))
    assert jan[("H47", "HUYEN")] == 17 and jan[("H47", "XA")] == 233
    assert jan[("H48", "HUYEN")] == 8
    # 2025-03-01: the department mergers (20 -> 15 in each system)
    assert structure(units, date(2025, 2, 28))[("H47", "SO_NGANH")] == 20
    march = structure(units, date(2025, 3, 1))
    assert march[("H47", "SO_NGANH")] == march[("H48", "SO_NGANH")] == 15
    assert structure(units, date(2025, 6, 30)) == {
        **before,
        ("H48", "SO_NGANH"): 15,
        ("H47", "SO_NGANH"): 15,
        ("H47", "HUYEN"): 17,
        ("H47", "XA"): 233,
    }
    # 2025-07-01: one city, two tiers, 94 commune-level units (23 wards, 70 communes, Hoàng Sa)
    assert structure(units, date(2025, 7, 1)) == {
        ("T48", "TINH"): 1,
        ("T48", "SO_NGANH"): 15,
        ("T48", "XA"): 94,
    }
    new = [u for u in units if u.valid_on(date(2025, 7, 1))]
    kinds = Counter(u.name.split(" ")[0] for u in new if u.level == "XA")
    assert kinds == {"Phường": 23, "Xã": 70, "Đặc": 1}
    top = next(u for u in new if u.level == "TINH")
    assert top.name == "UBND thành phố Đà Nẵng"
    assert all(u.parent == top.code for u in new if u.level != "TINH")
    names = {u.name for u in new if u.level == "SO_NGANH"}
    assert "Sở Nông nghiệp và Môi trường" in names and "Sở Dân tộc và Tôn giáo" in names
    assert "Sở Kế hoạch và Đầu tư" not in names and "Sở Giao thông vận tải" not in names


def test_renamed_departments_keep_their_code():
    units = [u for u in build_units("49") if u.code == "000.00.07.H47"]
    assert [(u.name, u.valid_from, u.valid_to) for u in units] == [
        ("Sở Nông nghiệp và Phát triển nông thôn", date(2022, 1, 1), date(2025, 2, 28)),
        ("Sở Nông nghiệp và Môi trường", date(2025, 3, 1), date(2025, 6, 30)),
    ]


def test_hue_is_served_on_both_sides_of_the_reform():
    units = build_units("46")
    assert structure(units, date(2025, 6, 30))[("H46", "XA")] == 133
    assert structure(units, date(2025, 7, 1)) == {
        ("T46", "TINH"): 1,
        ("T46", "SO_NGANH"): 15,
        ("T46", "XA"): 40,
    }


def test_unknown_province_code_is_a_clear_error():
    with pytest.raises(ValueError, match="'47' is not a GSO province code"):
        SimulatorConfig.demo(now=NOW, province_code="47")


def test_each_province_at_its_own_volume():
    def week(code: str, start: date) -> int:
        world = World(SimulatorConfig.demo(now=NOW, province_code=code))
        return sum(len(world.day(date(start.year, start.month, start.day + i))) for i in range(7))

    spring = date(2024, 5, 6)
    hue, quang_nam, da_nang = week("46", spring), week("49", spring), week("48", spring)
    assert hue < quang_nam < da_nang  # Đà Nẵng 48's history: old Đà Nẵng and Quảng Nam
    autumn = date(2025, 10, 6)
    assert week("49", autumn) == week("48", autumn)  # one city after the reform


def test_province_48_is_served_over_http():
    world = World(SimulatorConfig.demo(now=NOW, province_code="48"))
    with SimulatorServer(world) as server:
        token = requests.post(
            f"{server.national_url}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "nat-client",
                "client_secret": "nat-secret",
            },
            timeout=10,
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        ok = requests.get(
            f"{server.national_url}/api/v1/chiso",
            params={"ma_tinh": "48", "thang": "202602"},
            headers=headers,
            timeout=30,
        )
        assert ok.status_code == 200
        codes = {item["MaDonVi"] for item in ok.json()["items"]}
        assert "000.00.00.T48" in codes and not any(c.endswith(".H47") for c in codes)
        wrong = requests.get(
            f"{server.national_url}/api/v1/chiso",
            params={"ma_tinh": "49", "thang": "202602"},
            headers=headers,
            timeout=30,
        )
        assert wrong.status_code == 404


def test_preflight_names_an_unknown_province_code():
    from kpi_pipeline.shell.preflight import static_problems

    assert not [p for p in static_problems({"KPI_PROVINCE_CODE": "48"}) if "PROVINCE" in p]
    problems = [p for p in static_problems({"KPI_PROVINCE_CODE": "47"}) if "PROVINCE" in p]
    assert len(problems) == 1 and "'47' is not a GSO province code" in problems[0]
    assert "48" in problems[0] and "49" in problems[0]  # the valid codes are listed
