"""The lineage from the package's conversion tables, on the simulator's unit versions."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from kpi_pipeline.domain.lineage import (
    Conversion,
    LineageError,
    UnitVersion,
    build_lineage,
    current_map,
)
from kpi_pipeline.lineage.conversion import SUPPLEMENTS, conversion
from kpi_simulator.admin_units import build_units

LAST_OLD, FIRST_NEW = date(2025, 6, 30), date(2025, 7, 1)


def versions(code: str) -> list[UnitVersion]:
    return [
        UnitVersion(u.code, u.name, u.level, u.parent, u.gso, u.valid_from, u.valid_to)
        for u in build_units(code)
    ]


@pytest.fixture(scope="module", params=["48", "46"])
def built(request):
    units = versions(request.param)
    rows = build_lineage(units, conversion(), SUPPLEMENTS)
    return units, rows, current_map(units, rows)


def test_every_commune_of_2025_06_30_maps_to_units_of_2025_07_01(built):
    units, rows, _ = built
    new = {u.code for u in units if u.valid_on(FIRST_NEW)}
    successors: dict[str, set[str]] = {}
    for r in rows:
        successors.setdefault(r.old_unit_code, set()).add(r.new_unit_code)
    old_communes = [u for u in units if u.level == "XA" and u.valid_on(LAST_OLD)]
    assert len(old_communes) > 100
    for u in old_communes:
        assert successors.get(u.code) and successors[u.code] <= new, u
    # every unit in force on 2025-06-30 (province, departments, districts too) has one
    for u in units:
        if u.valid_on(LAST_OLD):
            assert successors.get(u.code) and successors[u.code] <= new, u


def test_splits_have_one_default_and_shares_are_consistent(built):
    _, rows, _ = built
    by_old: dict[str, list] = {}
    for r in rows:
        by_old.setdefault(r.old_unit_code, []).append(r)
    for old, edges in by_old.items():
        assert sum(r.is_default for r in edges) == 1, old
        if edges[0].source.startswith("no department of that name"):
            assert edges[0].share == "part"  # the province, not a successor: flagged
            continue
        assert {r.share for r in edges} == ({"whole"} if len(edges) == 1 else {"part"}), old
        assert all(r.source for r in edges)


def test_current_map_reaches_todays_units(built):
    units, _, mapping = built
    today = {u.code for u in units if u.valid_to is None}
    assert mapping.keys() == {u.code for u in units}
    assert {target for target, _ in mapping.values()} <= today
    assert all(mapping[code] == (code, False) for code in today)
    assert any(partial for _, partial in mapping.values())


def test_known_successions_of_new_da_nang():
    units = versions("48")
    rows = build_lineage(units, conversion(), SUPPLEMENTS)
    mapping = current_map(units, rows)
    name = {u.code: u.name for u in units}
    # Sở Kế hoạch và Đầu tư -> Sở Tài chính (2025-03-01) -> the city's Sở Tài chính (2025-07-01)
    assert [
        (r.new_unit_code, r.effective_date) for r in rows if r.old_unit_code == "000.00.02.H47"
    ] == [("000.00.03.H47", date(2025, 3, 1))]
    assert mapping["000.00.02.H47"] == ("000.00.03.T48", False)
    # Labour and social affairs split: Nội vụ by default, flagged partial
    labour = {r.new_unit_code: r for r in rows if r.old_unit_code == "000.00.11.H48"}
    assert {name[c] for c in labour} == {"Sở Nội vụ", "Sở Y tế", "Sở Giáo dục và Đào tạo"}
    assert name[mapping["000.00.11.H48"][0]] == "Sở Nội vụ" and mapping["000.00.11.H48"][1]
    # Nông Sơn (2025-01-01, not in the package) -> Quế Sơn -> its communes' successors
    assert [r.new_unit_code for r in rows if r.old_unit_code == "000.00.519.H47"] == [
        "000.00.509.H47"
    ]
    assert mapping["20674.519.H47"][0] == mapping["20671.519.H47"][0]  # Sơn Viên into Quế Lộc
    # Hòa Liên, split in the package between Hải Vân and Liên Chiểu (default)
    hoa_lien = next(u.code for u in units if u.name == "Xã Hòa Liên")
    edges = {name[r.new_unit_code]: r.is_default for r in rows if r.old_unit_code == hoa_lien}
    assert edges == {"Phường Hải Vân": False, "Phường Liên Chiểu": True}
    # Hoàng Sa district has no commune: the special zone, by the table
    assert name[mapping["000.00.498.H48"][0]] == "Đặc khu Hoàng Sa"
    # Both legacy provinces -> the new city
    assert mapping["000.00.00.H47"] == mapping["000.00.00.H48"] == ("000.00.00.T48", False)
    levels = Counter(u.level for u in units if u.code in {r.old_unit_code for r in rows})
    assert levels["HUYEN"] == 26 and levels["TINH"] == 2


def test_a_successor_missing_from_the_units_is_an_error():
    units = [u for u in versions("49") if u.name != "Phường Bàn Thạch"]
    with pytest.raises(LineageError, match="not in force on 2025-07-01"):
        build_lineage(units, conversion(), SUPPLEMENTS)


def test_a_commune_without_conversion_row_stays_itself_under_the_province():
    units = versions("49")
    tam_thang, gso = next((u.code, u.gso) for u in units if u.name == "Xã Tam Thăng")
    full = conversion()
    communes = {k: v for k, v in full.communes.items() if k != gso}
    rows = build_lineage(units, Conversion(communes, full.districts, "partial table"), SUPPLEMENTS)
    mapping = current_map(units, rows)
    assert mapping[tam_thang] == (tam_thang, False)  # kept, counted in the province roll-up
