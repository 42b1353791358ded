"""Each fault switch produces its fault, deterministically, and only where it is aimed."""

from __future__ import annotations

import time
import unicodedata

import pytest
import requests

from kpi_simulator import FaultConfig
from kpi_simulator.timestamps import parse

from .conftest import PROVINCIAL_CREDENTIALS, PortalClient

WINDOW = {"capnhat_tu": "20260227000000", "capnhat_den": "20260306000000"}


@pytest.fixture
def faulty(make_server):
    """A fresh server and a client that already holds a token (the token endpoint is not
    faulted unless asked)."""

    def make(faults: FaultConfig):
        srv = make_server(faults)
        client = PortalClient(srv.provincial_url, PROVINCIAL_CREDENTIALS)
        client.fetch_token()
        return srv, client

    return make


def test_rate_limit_with_retry_after(faulty):
    srv, client = faulty(FaultConfig(rate_limit=1.0, retry_after_seconds=1, max_faults=1))
    r = client.get("/api/v1/thutuc", size=5)
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    assert client.get("/api/v1/thutuc", size=5).status_code == 200  # exactly once
    assert srv.fault_log["rate_limit"] == 1
    assert srv.request_log[("provincial", "/api/v1/thutuc", 429)] == 1


def test_server_errors_cover_the_gateway_statuses(faulty):
    srv, client = faulty(FaultConfig(server_error=1.0))
    statuses = {client.get("/api/v1/donvi", size=1).status_code for _ in range(40)}
    assert statuses == {500, 502, 503, 504}
    srv.set_faults(FaultConfig(server_error=1.0, server_error_statuses=(502,), max_faults=2))
    assert [client.get("/api/v1/donvi", size=1).status_code for _ in range(3)] == [502, 502, 200]


def test_slow_response_times_out_the_client(faulty):
    srv, client = faulty(FaultConfig(slow=1.0, slow_seconds=0.6, max_faults=1))
    with pytest.raises(requests.Timeout):
        client.get("/api/v1/thutuc", size=1, timeout=0.2)
    assert client.get("/api/v1/thutuc", size=1, timeout=5).status_code == 200


def test_connection_reset_mid_page(faulty):
    srv, client = faulty(FaultConfig(connection_reset=1.0, max_faults=1))
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
        client.get("/api/v1/hoso", size=200, **WINDOW)
    assert client.get("/api/v1/hoso", size=200, **WINDOW).status_code == 200
    assert srv.fault_log["connection_reset"] == 1


def test_html_page_with_status_200(faulty):
    srv, client = faulty(FaultConfig(html_body=1.0, max_faults=1))
    r = client.get("/api/v1/thutuc", size=1)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert r.text.startswith("<!DOCTYPE html>")
    with pytest.raises(requests.JSONDecodeError):
        r.json()


def test_repeated_records_across_pages(world, faulty):
    srv, client = faulty(FaultConfig(repeated_records=1.0, repeated_count=3))
    truth = list(world.dossiers_changed(parse(WINDOW["capnhat_tu"]), parse(WINDOW["capnhat_den"])))
    page1 = client.get("/api/v1/hoso", page=1, size=20, **WINDOW).json()
    page2 = client.get("/api/v1/hoso", page=2, size=20, **WINDOW).json()
    assert page1["items"] == truth[:20]  # never on page 1
    assert page2["items"][:3] == page1["items"][-3:]  # same keys, same content
    assert page2["items"][3:] == truth[20:40]
    # a client that de-duplicates by key still gets the truth
    seen: dict[str, dict] = {}
    for page in range(1, 100):
        body = client.get("/api/v1/hoso", page=page, size=20, **WINDOW).json()
        if not body["items"]:
            break
        for item in body["items"]:
            seen[item["MaHoSo"]] = item
    assert list(seen.values()) == truth


def test_nfd_text(world, faulty):
    srv, client = faulty(FaultConfig(nfd_text=1.0))
    items = client.get("/api/v1/donvi", size=50).json()["items"]
    truth = world.units()[:50]
    names = [i["TenDonVi"] for i in items]
    assert all(unicodedata.is_normalized("NFD", n) for n in names)
    assert any(not unicodedata.is_normalized("NFC", n) for n in names)
    assert [unicodedata.normalize("NFC", n) for n in names] == [u["TenDonVi"] for u in truth]
    assert [i["MaDonVi"] for i in items] == [u["MaDonVi"] for u in truth]


def test_tokens_expire_after_n_uses(faulty):
    srv, client = faulty(FaultConfig(token_max_uses=2))
    assert [client.get("/api/v1/thutuc", size=1).status_code for _ in range(3)] == [200, 200, 401]
    client.fetch_token()
    assert client.get("/api/v1/thutuc", size=1).status_code == 200
    assert srv.request_log[("provincial", "/oauth/token", 200)] == 2


def test_short_token_ttl(faulty):
    srv, client = faulty(FaultConfig(token_ttl_seconds=0.3))
    assert client.get("/api/v1/thutuc", size=1).status_code == 200
    time.sleep(0.35)
    assert client.get("/api/v1/thutuc", size=1).status_code == 401


def test_start_after_and_paths_aim_a_fault(faulty):
    srv, client = faulty(
        FaultConfig(
            server_error=1.0,
            server_error_statuses=(500,),
            start_after=2,
            max_faults=1,
            paths=("/api/v1/hoso",),
        )
    )
    assert client.get("/api/v1/thutuc", size=1).status_code == 200  # not aimed at
    codes = [
        client.get("/api/v1/hoso", page=p, size=10, **WINDOW).status_code for p in (1, 2, 3, 4)
    ]
    assert codes == [200, 200, 500, 200]  # the third page read, once


def test_token_endpoint_is_faulted_only_when_asked(make_server):
    srv = make_server(FaultConfig(rate_limit=1.0))
    client = PortalClient(srv.provincial_url, PROVINCIAL_CREDENTIALS)
    client.fetch_token()  # not faulted
    srv.set_faults(FaultConfig(rate_limit=1.0, include_token_endpoint=True, max_faults=1))
    with pytest.raises(requests.HTTPError):
        client.fetch_token()
    client.fetch_token()


def test_fault_sequence_is_deterministic(make_server):
    def statuses() -> list[int]:
        srv = make_server(FaultConfig(rate_limit=0.2, server_error=0.2, seed=7))
        client = PortalClient(srv.provincial_url, PROVINCIAL_CREDENTIALS)
        return [client.get("/api/v1/thutuc", size=1).status_code for _ in range(30)]

    first = statuses()
    assert first == statuses()
    assert {200, 429} <= set(first) and set(first) & {500, 502, 503, 504}


def test_no_faults_by_default(server):
    assert server.faults == FaultConfig()
    client = PortalClient(server.provincial_url, PROVINCIAL_CREDENTIALS)
    assert all(client.get("/api/v1/thutuc", size=1).status_code == 200 for _ in range(20))
