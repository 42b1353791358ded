"""Every endpoint of portal-api.md over real HTTP: auth, paging, parameters, the World's truth."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
import requests

from kpi_pipeline.domain.calendar import TZ
from kpi_simulator import FaultConfig, SimulatorConfig, SimulatorServer, World

from .conftest import NATIONAL_CREDENTIALS, NOW, PROVINCIAL_CREDENTIALS, PortalClient

TU, DEN = datetime(2026, 2, 27, tzinfo=TZ), datetime(2026, 3, 6, tzinfo=TZ)
WINDOW = {"capnhat_tu": "20260227000000", "capnhat_den": "20260306000000"}


def _token_response(url, client_id, secret, grant="client_credentials"):
    return requests.post(
        f"{url}/oauth/token",
        data={"grant_type": grant, "client_id": client_id, "client_secret": secret},
        timeout=10,
    )


def test_token_endpoint(server):
    r = _token_response(server.provincial_url, *PROVINCIAL_CREDENTIALS)
    assert r.status_code == 200
    body = r.json()
    assert body["access_token"] and body["expires_in"] == 3600
    r = _token_response(server.provincial_url, "prov-client", "wrong")
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    assert r.headers["Content-Type"].startswith("application/json")
    # each portal has its own clients
    assert _token_response(server.national_url, *PROVINCIAL_CREDENTIALS).status_code == 401
    assert _token_response(server.national_url, *NATIONAL_CREDENTIALS).status_code == 200
    assert (
        _token_response(
            server.provincial_url, *PROVINCIAL_CREDENTIALS, grant="password"
        ).status_code
        == 400
    )
    # HTTP Basic client authentication works too
    r = requests.post(
        f"{server.provincial_url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=PROVINCIAL_CREDENTIALS,
    )
    assert r.status_code == 200


def test_data_endpoints_require_a_valid_token_of_their_portal(server, prov, nat):
    url = f"{server.provincial_url}/api/v1/donvi"
    r = requests.get(url, timeout=10)
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    assert (
        requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=10).status_code == 401
    )
    national_token = nat.fetch_token()
    assert (
        requests.get(
            url, headers={"Authorization": f"Bearer {national_token}"}, timeout=10
        ).status_code
        == 401
    )
    assert prov.get("/api/v1/donvi").status_code == 200


def test_expired_token_is_refused(world, make_server):
    short = World(replace(world.config, token_ttl_seconds=1))
    srv = make_server(w=short)
    client = PortalClient(srv.provincial_url, PROVINCIAL_CREDENTIALS)
    assert client.get("/api/v1/thutuc", size=1).status_code == 200
    time.sleep(1.1)
    r = client.get("/api/v1/thutuc", size=1)
    assert r.status_code == 401 and r.json()["message"] == "token expired"
    client.fetch_token()
    assert client.get("/api/v1/thutuc", size=1).status_code == 200


def test_reference_endpoints_page_to_the_world(world, prov):
    assert prov.all_pages("/api/v1/donvi", size=100) == world.units()
    assert prov.all_pages("/api/v1/thutuc", size=250) == world.procedures()
    assert prov.all_pages("/api/v1/ngaynghi", size=5, nam=2024) == world.holidays(2024)
    body = prov.get("/api/v1/ngaynghi", nam=2030).json()
    assert body == {"total": 0, "page": 1, "size": 500, "items": []}


def test_dossier_pages_concatenate_to_the_world_truth(world, prov):
    truth = list(world.dossiers_changed(TU, DEN))
    assert len(truth) > 150
    assert prov.all_pages("/api/v1/hoso", size=37, **WINDOW) == truth
    first = prov.get("/api/v1/hoso", page=1, size=37, **WINDOW).json()
    assert first["total"] == len(truth) and first["items"] == truth[:37]
    beyond = prov.get("/api/v1/hoso", page=1000, size=37, **WINDOW).json()
    assert beyond["items"] == [] and beyond["total"] == len(truth)
    # an empty window, and a window in the future
    assert (
        prov.get("/api/v1/hoso", capnhat_tu="20260301000000", capnhat_den="20260301000000").json()[
            "total"
        ]
        == 0
    )
    assert (
        prov.get("/api/v1/hoso", capnhat_tu="20270101000000", capnhat_den="20270201000000").json()[
            "total"
        ]
        == 0
    )


def test_national_endpoints_page_to_the_world_truth(world, nat):
    sync = list(world.sync_records_changed(TU, DEN))
    assert sync and nat.all_pages("/api/v1/dongbo/hoso", size=41, ma_tinh="49", **WINDOW) == sync
    payments = list(world.payments_changed(TU, DEN))
    assert payments
    got = nat.all_pages(
        "/api/v1/thanhtoan",
        size=9,
        ma_tinh="49",
        tu=WINDOW["capnhat_tu"],
        den=WINDOW["capnhat_den"],
    )
    assert got == payments
    chiso = world.chiso(date(2026, 2, 1))
    assert nat.all_pages("/api/v1/chiso", size=100, ma_tinh="49", thang="202602") == chiso
    assert all(
        set(c) == {"MaDonVi", "TyLeDungHan", "TyLeTrucTuyen", "TyLeThanhToanTrucTuyen"}
        for c in chiso
    )


def test_size_is_capped_and_reported(world, make_server):
    srv = make_server(w=World(replace(world.config, max_page_size=100)))
    client = PortalClient(srv.provincial_url, PROVINCIAL_CREDENTIALS)
    body = client.get("/api/v1/thutuc", size=500).json()
    assert (
        body["size"] == 100
        and len(body["items"]) == 100
        and body["total"] == len(world.procedures())
    )
    assert client.get("/api/v1/thutuc").json()["size"] == 100  # default size: the cap
    assert client.all_pages("/api/v1/thutuc", size=100) == world.procedures()
    assert client.get("/api/v1/hoso", size=1000, **WINDOW).json()["size"] == 100


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v1/hoso", {"capnhat_den": "20260306000000"}, 400),
        ("/api/v1/hoso", {"capnhat_tu": "2026-02-27", "capnhat_den": "20260306000000"}, 400),
        ("/api/v1/hoso", {"capnhat_tu": "20260306000000", "capnhat_den": "20260227000000"}, 400),
        ("/api/v1/hoso", {**WINDOW, "page": 0}, 400),
        ("/api/v1/hoso", {**WINDOW, "size": "abc"}, 400),
        ("/api/v1/hoso", {**WINDOW, "size": 0}, 400),
        ("/api/v1/ngaynghi", {}, 400),
        ("/api/v1/ngaynghi", {"nam": "20x4"}, 400),
        ("/api/v1/nothing", {}, 404),
    ],
)
def test_bad_provincial_parameters(prov, path, params, status):
    r = prov.get(path, **params)
    assert r.status_code == status
    assert r.json()["message"]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v1/dongbo/hoso", WINDOW, 400),  # no ma_tinh
        ("/api/v1/dongbo/hoso", {"ma_tinh": "48", **WINDOW}, 404),  # another province
        ("/api/v1/thanhtoan", {"ma_tinh": "49", **WINDOW}, 400),  # its window is tu/den
        ("/api/v1/chiso", {"ma_tinh": "49", "thang": "202613"}, 400),
        ("/api/v1/chiso", {"ma_tinh": "49"}, 400),
        ("/api/v1/chiso", {"ma_tinh": "48", "thang": "202602"}, 404),
    ],
)
def test_bad_national_parameters(nat, path, params, status):
    r = nat.get(path, **params)
    assert r.status_code == status
    assert r.json()["message"]


def test_responses_are_byte_identical_for_the_same_config(world, make_server):
    """Two servers on two Worlds of the same config; data is JSON UTF-8, not ASCII-escaped."""
    a, b = make_server(), make_server(w=World(SimulatorConfig.demo(now=NOW)))
    bodies = []
    for srv in (a, b):
        client = PortalClient(srv.provincial_url, PROVINCIAL_CREDENTIALS)
        r = client.get("/api/v1/hoso", page=2, size=50, **WINDOW)
        assert r.headers["Content-Type"] == "application/json; charset=utf-8"
        bodies.append(r.content + client.get("/api/v1/donvi", size=30).content)
    assert bodies[0] == bodies[1]
    assert "Sở Tư pháp".encode() in bodies[0]


def test_admin_endpoint_switches_faults_and_is_never_faulted(make_server):
    srv = make_server()
    client = PortalClient(srv.provincial_url, PROVINCIAL_CREDENTIALS)
    client.fetch_token()
    r = requests.post(
        f"{srv.url}/_sim/faults",
        json={"server_error": 1.0, "server_error_statuses": [503]},
        timeout=10,
    )
    assert r.status_code == 200 and r.json()["server_error"] == 1.0
    assert srv.faults == FaultConfig(server_error=1.0, server_error_statuses=(503,))
    assert client.get("/api/v1/thutuc").status_code == 503
    assert requests.get(f"{srv.url}/_sim/faults", timeout=10).status_code == 200  # admin: no fault
    log = requests.get(f"{srv.url}/_sim/log", timeout=10).json()
    assert {"portal": "provincial", "endpoint": "/api/v1/thutuc", "status": 503, "count": 1} in log[
        "requests"
    ]
    assert requests.post(f"{srv.url}/_sim/faults", json={"bogus": 1}, timeout=10).status_code == 400
    assert requests.post(f"{srv.url}/_sim/faults", json={}, timeout=10).status_code == 200
    assert client.get("/api/v1/thutuc").status_code == 200
    assert srv.request_log[("provincial", "/api/v1/thutuc", 200)] == 1


def test_command_line_entry_point_serves_until_killed():
    proc = subprocess.Popen(
        [sys.executable, "-m", "kpi_simulator", "--port", "0", "--now", "20260320103000"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = {}
        while "KPI_PROVINCE_CODE" not in lines:
            line = proc.stdout.readline()
            assert line, "the simulator exited early"
            if "=" in line:
                key, _, value = line.strip().partition("=")
                lines[key] = value
        client = PortalClient(
            lines["PROVINCIAL_PORTAL_URL"],
            (lines["PROVINCIAL_PORTAL_CLIENT_ID"], lines["PROVINCIAL_PORTAL_CLIENT_SECRET"]),
        )
        assert client.get("/api/v1/thutuc", size=1).json()["total"] > 600
        assert lines["NATIONAL_PORTAL_URL"].endswith("/national")
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_kpi_pipeline_simulator_is_the_same_command_line(capsys, monkeypatch):
    """`kpi-pipeline simulator` passes its flags to the simulator's one parser, serving the
    embedded default's province unless KPI_PROVINCE_CODE names another; other commands still
    refuse flags they do not have."""
    from kpi_pipeline.shell import cli

    monkeypatch.delenv("KPI_PROVINCE_CODE", raising=False)
    with pytest.raises(SystemExit) as exc:
        cli.main(["simulator", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: kpi-pipeline simulator")
    for flag in ("--port", "--scale", "--seed", "--province", "--now", "--max-page-size"):
        assert flag in out
    assert "(default 48)" in out
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "--scale", "1"])
    assert exc.value.code == 2
    assert "unrecognized arguments: --scale 1" in capsys.readouterr().err


def test_server_stops_and_releases_its_port(world):
    srv = SimulatorServer(world).start()
    url = srv.provincial_url
    assert _token_response(url, *PROVINCIAL_CREDENTIALS).status_code == 200
    srv.stop()
    with pytest.raises(requests.ConnectionError):
        _token_response(url, *PROVINCIAL_CREDENTIALS)


def test_time_passes_with_a_later_world(world, make_server):
    """Late changes: with a later `now`, a dossier leaves the window it was in."""
    srv = make_server()
    client = PortalClient(srv.provincial_url, PROVINCIAL_CREDENTIALS)
    recent = {"capnhat_tu": "20260316000000", "capnhat_den": "20260321000000"}
    before = {i["MaHoSo"]: i for i in client.all_pages("/api/v1/hoso", size=500, **recent)}
    srv.set_world(World(SimulatorConfig.demo(now=NOW + timedelta(days=30))))
    after = {i["MaHoSo"]: i for i in client.all_pages("/api/v1/hoso", size=500, **recent)}
    moved = before.keys() - after.keys()
    assert moved
    now = NOW.strftime("%Y%m%d%H%M%S")
    assert all(after[k]["NgayCapNhat"] > now for k in after.keys() - before.keys())  # changed since
    later = srv.world.dossiers_received(date(2026, 3, 16), date(2026, 3, 21))
    assert all(i["NgayCapNhat"] >= "20260321000000" for i in later if i["MaHoSo"] in moved)
