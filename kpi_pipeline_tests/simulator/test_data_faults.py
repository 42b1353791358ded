"""The data-fault switches (faults.py) change what a page holds, over real HTTP, and only
where they are aimed."""

from __future__ import annotations

import pytest

from kpi_simulator import FaultConfig
from kpi_simulator.faults import MISSING_PARENT, ORPHAN_UNIT
from kpi_simulator.timestamps import parse

from .conftest import PROVINCIAL_CREDENTIALS, PortalClient
from .test_faults import WINDOW


@pytest.fixture
def client_of(make_server):
    def make(faults: FaultConfig) -> PortalClient:
        return PortalClient(make_server(faults).provincial_url, PROVINCIAL_CREDENTIALS)

    return make


@pytest.fixture
def truth(world):
    return list(world.dossiers_changed(parse(WINDOW["capnhat_tu"]), parse(WINDOW["capnhat_den"])))


def test_total_override_and_offset(client_of, truth):
    body = client_of(FaultConfig(total_override=-5)).get("/api/v1/hoso", page=1, size=20, **WINDOW)
    assert body.json()["total"] == -5 and body.json()["items"] == truth[:20]
    body = client_of(FaultConfig(total_offset=-7)).get("/api/v1/hoso", page=2, size=20, **WINDOW)
    assert body.json()["total"] == len(truth) - 7 and body.json()["items"] == truth[20:40]


def test_ignore_page_serves_page_one_under_the_asked_number(client_of, truth):
    client = client_of(FaultConfig(ignore_page=True))
    body = client.get("/api/v1/hoso", page=3, size=20, **WINDOW).json()
    assert body["page"] == 3 and body["items"] == truth[:20]


def test_wrong_types_rotate_every_nth_record_by_its_place_in_the_window(client_of, truth):
    client = client_of(FaultConfig(wrong_types_every=5, long_text_chars=1000))
    items = []
    for page in (1, 2, 3):  # pages of 7: the rotation follows the window, not the page
        items += client.get("/api/v1/hoso", page=page, size=7, **WINDOW).json()["items"]
    changed = [i for i, (a, b) in enumerate(zip(items, truth, strict=False)) if a != b]
    assert changed == [4, 9, 14, 19]
    assert items[4]["ThanhToan"] == "paid"
    assert items[9]["ThanhToan"]["SoTien"] == -5
    assert items[14]["LyDoTreHan"] == "x" * 1000
    assert items[19]["ThanhToan"] == "paid"


def test_unit_cycle_and_orphan(client_of, world):
    units = world.units()
    client = client_of(FaultConfig(unit_cycle=True, orphan_unit=True))
    served = client.get("/api/v1/donvi", page=1, size=500).json()
    parents = {u["MaDonVi"]: u["MaDonViCha"] for u in served["items"]}
    a, b = sorted(u["MaDonVi"] for u in units if u["CapDonVi"] == "HUYEN")[:2]
    assert parents[a] == b and parents[b] == a
    assert parents[ORPHAN_UNIT] == MISSING_PARENT and MISSING_PARENT not in parents
    assert served["total"] == len(units) + 1


def test_data_faults_only_where_aimed(client_of, truth):
    client = client_of(FaultConfig(total_override=1, wrong_types_every=1, paths=("/thutuc",)))
    body = client.get("/api/v1/hoso", page=1, size=20, **WINDOW).json()
    assert body["total"] == len(truth) and body["items"] == truth[:20]


def test_data_fault_requests_makes_a_fault_transient(client_of, truth):
    client = client_of(FaultConfig(total_offset=3, data_fault_requests=2))
    totals = [client.get("/api/v1/hoso", page=1, size=20, **WINDOW).json()["total"] for _ in "abc"]
    assert totals == [len(truth) + 3, len(truth) + 3, len(truth)]


def test_bad_data_fault_settings_are_refused():
    with pytest.raises(ValueError, match="wrong_types_every"):
        FaultConfig(wrong_types_every=-1)
