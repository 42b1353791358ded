"""Bad configuration fails at start, with a message naming the variable to set and no secret:
through `kpi-pipeline run` (a subprocess: exit code 2, the message on stderr, no run launched)
and through the resources at run start (a run launched any other way)."""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import subprocess
import sys
import threading

import pytest
from dagster import materialize

from kpi_pipeline.ingestion.assets import ref_units
from kpi_pipeline.ingestion.resources import PortalResource
from kpi_pipeline.warehouse import db
from kpi_pipeline.warehouse.resource import WarehouseResource

SECRET = "s3cr3t-never-printed"
DB_PASSWORD = "hunter2-never-printed"


class PasswordRefusingServer(threading.Thread):
    """Speaks just enough of the PostgreSQL protocol to ask for a password and refuse it, as a
    server with password authentication does (the test servers trust every local login)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.passwords: list[bytes] = []

    def run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, contextlib.suppress(OSError, struct.error):
                self._serve(conn)

    def _serve(self, conn):
        while True:
            (length,) = struct.unpack("!i", _read(conn, 4))
            body = _read(conn, length - 4)
            if struct.unpack("!i", body[:4])[0] in (80877103, 80877104):  # SSL / GSS request
                conn.sendall(b"N")
                continue
            break
        conn.sendall(b"R" + struct.pack("!ii", 8, 3))  # AuthenticationCleartextPassword
        kind = _read(conn, 1)
        (length,) = struct.unpack("!i", _read(conn, 4))
        if kind == b"p":
            self.passwords.append(_read(conn, length - 4).rstrip(b"\0"))
        fields = b"".join(
            k + v.encode() + b"\0"
            for k, v in (
                (b"S", "FATAL"),
                (b"V", "FATAL"),
                (b"C", "28P01"),
                (b"M", 'password authentication failed for user "kpi"'),
            )
        )
        conn.sendall(b"E" + struct.pack("!i", len(fields) + 5) + fields + b"\0")

    def close(self):
        self.sock.close()


def _read(conn, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data


@pytest.fixture
def refusing_server():
    server = PasswordRefusingServer()
    server.start()
    yield server
    server.close()


def _cli_run(tmp_path, env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_PORTAL_URL")}
    for name in ("DAGSTER_PG_URL", "DAGSTER_HOME"):
        env.pop(name, None)
    env["KPI_HOME"] = str(tmp_path / "kpi")
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-m", "kpi_pipeline.shell.cli", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# (name of the case, overrides on a good configuration, variable the message must name, words)
CLI_CASES = [
    (
        "missing secret",
        {"NATIONAL_PORTAL_CLIENT_SECRET": None},
        "NATIONAL_PORTAL_CLIENT_SECRET",
        "is not set",
    ),
    ("ftp portal URL", {"PROVINCIAL_PORTAL_URL": "ftp://x"}, "PROVINCIAL_PORTAL_URL", "http(s)"),
    (
        "unreachable portal",
        {"NATIONAL_PORTAL_URL": "http://127.0.0.1:1/national"},
        "NATIONAL_PORTAL_URL",
        "127.0.0.1:1",
    ),
    (
        "refused credentials",
        {"PROVINCIAL_PORTAL_CLIENT_SECRET": SECRET},
        "PROVINCIAL_PORTAL_CLIENT_SECRET",
        "401",
    ),
    (
        "unreachable database",
        {"KPI_DATABASE_URL": f"postgresql://kpi:{DB_PASSWORD}@127.0.0.1:1/kpi"},
        "KPI_DATABASE_URL",
        "cannot reach PostgreSQL at 127.0.0.1:1",
    ),
    ("no such database", {"KPI_DATABASE_URL": "nosuchdb"}, "KPI_DATABASE_URL", "does not exist"),
    ("refused password", {"KPI_DATABASE_URL": "refusing"}, "KPI_DATABASE_URL", "refused the login"),
    (
        "not a PostgreSQL URL",
        {"KPI_DATABASE_URL": "mysql://kpi@db/kpi"},
        "KPI_DATABASE_URL",
        "not a PostgreSQL URL",
    ),
]


@pytest.mark.parametrize(
    "overrides,variable,words", [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES]
)
def test_cli_run_stops_at_start_naming_the_variable(
    tmp_path,
    simulator,
    sim_config,
    database_url,
    refusing_server,
    overrides,
    variable,
    words,
):
    env = {"KPI_DATABASE_URL": database_url, **simulator.portal_env()}
    overrides = dict(overrides)
    if overrides.get("KPI_DATABASE_URL") == "nosuchdb":
        overrides["KPI_DATABASE_URL"] = db.with_database(database_url, "kpi_no_such_database")
    if overrides.get("KPI_DATABASE_URL") == "refusing":
        overrides["KPI_DATABASE_URL"] = (
            f"postgresql://kpi:{DB_PASSWORD}@127.0.0.1:{refusing_server.port}/kpi"
        )
    env.update(overrides)
    requests_before = sum(
        n for (portal, path, _), n in simulator.request_log.items() if path.startswith("/api/")
    )

    proc = _cli_run(tmp_path, env)

    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    problems = [line for line in proc.stderr.splitlines() if "configuration:" in line]
    assert problems, out
    assert any(variable in line and words in line for line in problems), out
    assert SECRET not in out and DB_PASSWORD not in out
    assert sim_config.provincial_credentials[1] not in out
    assert sim_config.national_credentials[1] not in out
    assert "Traceback" not in out
    requests_after = sum(
        n for (portal, path, _), n in simulator.request_log.items() if path.startswith("/api/")
    )
    assert requests_after == requests_before, "a run started despite the bad configuration"
    if "refusing" in str(overrides) or words == "refused the login":
        assert refusing_server.passwords == [DB_PASSWORD.encode()]  # it was really asked


# -- the same checks in the resources, for runs launched by the UI, a schedule or a worker -------
def _failure(result) -> str:
    assert not result.success
    event = next(e for e in result.all_events if e.is_failure)
    return event.event_specific_data.error.to_string()


def _provincial(sim_config, base_url: str, **kwargs) -> PortalResource:
    return PortalResource(
        name="provincial",
        base_url=base_url,
        client_id=sim_config.provincial_credentials[0],
        client_secret=sim_config.provincial_credentials[1],
        **kwargs,
    )


def test_run_with_a_bad_portal_url_stops_at_resource_setup(sim_config, resources):
    bad = {**resources, "provincial_portal": _provincial(sim_config, "ftp://x")}
    message = _failure(materialize([ref_units], resources=bad, raise_on_error=False))
    assert "PROVINCIAL_PORTAL_URL" in message and "ftp://x" in message


def test_run_with_an_unreachable_portal_stops_at_resource_setup(sim_config, resources):
    unreachable = _provincial(sim_config, "http://127.0.0.1:1/provincial", preflight_seconds=1.0)
    bad = {**resources, "provincial_portal": unreachable}
    message = _failure(materialize([ref_units], resources=bad, raise_on_error=False))
    assert "PROVINCIAL_PORTAL_URL" in message and "127.0.0.1:1" in message


def test_run_with_refused_credentials_names_the_variables_not_the_secret(simulator, resources):
    bad = dict(resources)
    bad["provincial_portal"] = PortalResource(
        name="provincial",
        base_url=simulator.provincial_url,
        client_id="kpi",
        client_secret=SECRET,
    )
    message = _failure(materialize([ref_units], resources=bad, raise_on_error=False))
    assert "PROVINCIAL_PORTAL_CLIENT_SECRET" in message and "401" in message
    assert SECRET not in message


def test_run_with_a_wrong_database_stops_at_resource_setup(
    resources, database_url, refusing_server
):
    cases = {
        db.with_database(database_url, "kpi_no_such_database"): "does not exist",
        f"postgresql://kpi:{DB_PASSWORD}@127.0.0.1:1/kpi": "cannot reach PostgreSQL",
        f"postgresql://kpi:{DB_PASSWORD}@127.0.0.1:{refusing_server.port}/kpi": "refused the login",
    }
    for url, words in cases.items():
        bad = {**resources, "warehouse": WarehouseResource(database_url=url)}
        message = _failure(materialize([ref_units], resources=bad, raise_on_error=False))
        assert "KPI_DATABASE_URL" in message and words in message, message
        assert DB_PASSWORD not in message


def test_run_with_a_missing_secret_variable_names_it(monkeypatch, simulator):
    from kpi_pipeline.resources import build_resources

    for name, value in simulator.portal_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("KPI_DATABASE_URL", "postgresql://unused@127.0.0.1:1/unused")
    monkeypatch.delenv("PROVINCIAL_PORTAL_CLIENT_SECRET")
    resources = build_resources()
    with pytest.raises(Exception) as info:
        materialize([ref_units], resources=resources)
    assert "PROVINCIAL_PORTAL_CLIENT_SECRET" in str(info.value)
