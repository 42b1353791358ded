"""A demo-scale simulated province and real HTTP servers over loopback, shared by the tests."""

from __future__ import annotations

from datetime import datetime

import pytest
import requests

from kpi_pipeline.domain.calendar import TZ
from kpi_simulator import FaultConfig, SimulatorConfig, SimulatorServer, World

NOW = datetime(2026, 3, 20, 10, 30, tzinfo=TZ)
PROVINCIAL_CREDENTIALS = ("prov-client", "prov-secret")
NATIONAL_CREDENTIALS = ("nat-client", "nat-secret")


class PortalClient:
    """The least a pipeline client does: get a token, GET with it, read every page."""

    def __init__(self, base_url: str, credentials: tuple[str, str]):
        self.base_url, self.credentials = base_url, credentials
        self.session = requests.Session()
        self._token: str | None = None

    def fetch_token(self) -> str:
        client_id, secret = self.credentials
        r = self.session.post(
            f"{self.base_url}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
            },
            timeout=10,
        )
        r.raise_for_status()
        self._token = r.json()["access_token"]
        return self._token

    def get(self, path: str, timeout: float = 30, **params) -> requests.Response:
        if self._token is None:
            self.fetch_token()
        return self.session.get(
            f"{self.base_url}{path}",
            params=params,
            headers={"Authorization": f"Bearer {self._token}"},
            timeout=timeout,
        )

    def all_pages(self, path: str, size: int, **params) -> list[dict]:
        items: list[dict] = []
        page = 1
        while True:
            r = self.get(path, page=page, size=size, **params)
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["page"] == page and body["size"] == size
            items += body["items"]
            if not body["items"] or len(items) >= body["total"]:
                assert len(items) == body["total"]
                return items
            page += 1


@pytest.fixture(scope="session")
def world() -> World:
    return World(SimulatorConfig.demo(now=NOW))


@pytest.fixture(scope="session")
def server(world):
    """Faults always off: tests that switch faults use `make_server`."""
    with SimulatorServer(world) as srv:
        yield srv


@pytest.fixture
def make_server(world):
    started: list[SimulatorServer] = []

    def make(faults: FaultConfig | None = None, w: World | None = None) -> SimulatorServer:
        srv = SimulatorServer(w or world, faults=faults).start()
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()


@pytest.fixture
def prov(server) -> PortalClient:
    return PortalClient(server.provincial_url, PROVINCIAL_CREDENTIALS)


@pytest.fixture
def nat(server) -> PortalClient:
    return PortalClient(server.national_url, NATIONAL_CREDENTIALS)
