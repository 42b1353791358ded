"""`SimulatorServer`: both portals of portal-api.md over real HTTP, from one `World`.

One standard-library `ThreadingHTTPServer` serves the provincial portal under `/provincial`
and the national portal under `/national`, each with its own OAuth client-credentials token
endpoint, plus admin endpoints under `/_sim` (never faulted). Data requests pass the fault
injector first (as a gateway in front of a real portal would), then auth, then parameters.

Choices where the contract leaves room:
- every list endpoint is paged with the same envelope; `page` defaults to 1, `size` to the
  server's cap; a `size` above the cap is served at the cap (the response says so), `size` < 1,
  `page` < 1 or a non-number is a 400;
- a `ma_tinh` other than the configured province is a 404 (a misconfigured client must not read
  an empty province as "no data");
- change windows filter `NgayCapNhat` in [from, to) (`capnhat_tu`/`capnhat_den`, for payments
  `tu`/`den`); `from` after `to` is a 400.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import socket
import struct
import threading
import time
import traceback
import unicodedata
from collections import Counter
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kpi_pipeline import settings
from kpi_simulator import faults as data_faults
from kpi_simulator.config import FaultConfig
from kpi_simulator.faults import NO_FAULT, Decision, FaultInjector
from kpi_simulator.timestamps import parse
from kpi_simulator.world import DONGBO, HOSO, THANHTOAN, World

PROVINCIAL, NATIONAL = "provincial", "national"
TOKEN_PATH = "/oauth/token"
HTML_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
    "<h1>Bad Gateway</h1><p>The proxy server received an invalid response from an upstream "
    "server.</p><hr><address>nginx</address></body></html>"
)


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


class TokenStore:
    """Bearer tokens per portal, with TTL and (fault) use limits."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, list] = {}  # token -> [portal, issued (monotonic), uses]

    def issue(self, portal: str) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = [portal, time.monotonic(), 0]
        return token

    def check(self, token: str | None, portal: str, ttl: float, max_uses: int | None) -> str | None:
        """None when valid (and counts the use), else why not."""
        with self._lock:
            entry = self._tokens.get(token or "")
            if entry is None or entry[0] != portal:
                return "unknown token"
            if time.monotonic() - entry[1] >= ttl or (
                max_uses is not None and entry[2] >= max_uses
            ):
                del self._tokens[token]
                return "token expired"
            entry[2] += 1
            return None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address, handler, sim: SimulatorServer):
        self.sim = sim
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request_thread(self, request, client_address):
        with self.sockets_lock:
            self.open_sockets.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.sockets_lock:
                self.open_sockets.discard(request)


class SimulatorServer:
    """Serves a `World` on host:port (0 = any free port) in background threads."""

    def __init__(
        self,
        world: World,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultConfig | None = None,
    ):
        self.world = world
        cfg = world.config
        self._faults = FaultInjector(faults or cfg.faults, cfg.seed)
        self._tokens = TokenStore()
        self._log: Counter[tuple[str, str, int]] = Counter()
        self._log_lock = threading.Lock()
        self._static = {"donvi": world.units(), "thutuc": world.procedures()}
        self._httpd = _HTTPServer((host, port), _Handler, self)
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> SimulatorServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.1},
                name="portal-simulator",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        with self._httpd.sockets_lock:
            for sock in list(self._httpd.open_sockets):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ addresses
    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        host = self._httpd.server_address[0]
        return f"http://{host}:{self.port}"

    @property
    def provincial_url(self) -> str:
        return f"{self.url}/{PROVINCIAL}"

    @property
    def national_url(self) -> str:
        return f"{self.url}/{NATIONAL}"

    def portal_env(self) -> dict[str, str]:
        """The settings a client of this server's portals reads from the environment (their
        names are the contract of portal-api.md, `kpi_pipeline.settings`), and the province
        code the portals serve (`ma_tinh`)."""
        cfg = self.world.config
        (pid, psecret), (nid, nsecret) = cfg.provincial_credentials, cfg.national_credentials
        return {
            settings.PROVINCIAL_PORTAL_URL: self.provincial_url,
            settings.PROVINCIAL_PORTAL_CLIENT_ID: pid,
            settings.PROVINCIAL_PORTAL_CLIENT_SECRET: psecret,
            settings.NATIONAL_PORTAL_URL: self.national_url,
            settings.NATIONAL_PORTAL_CLIENT_ID: nid,
            settings.NATIONAL_PORTAL_CLIENT_SECRET: nsecret,
            settings.KPI_PROVINCE_CODE: cfg.province_code,
        }

    def set_world(self, world: World) -> None:
        """Serve another World (e.g. the same seed with a later `now`, to let time pass: late
        changes move dossiers into later windows) without restarting; tokens stay valid."""
        static = {"donvi": world.units(), "thutuc": world.procedures()}
        self.world, self._static = world, static

    # ------------------------------------------------------------------ faults and logs
    @property
    def faults(self) -> FaultConfig:
        return self._faults.config

    def set_faults(self, faults: FaultConfig) -> None:
        """Switch faults at run time; restarts the fault RNG and the per-kind counts."""
        self._faults.set(faults)

    @property
    def request_log(self) -> Counter[tuple[str, str, int]]:
        """Requests served, by (portal, endpoint path, status): ("provincial", "/api/v1/hoso", 200)."""
        with self._log_lock:
            return Counter(self._log)

    @property
    def fault_log(self) -> Counter[str]:
        """Faults injected so far, by kind (FaultConfig field name)."""
        return self._faults.fired_counts()

    def reset_logs(self) -> None:
        with self._log_lock:
            self._log.clear()
        self._faults.clear_counts()

    def _record(self, portal: str, endpoint: str, status: int) -> None:
        with self._log_lock:
            self._log[(portal, endpoint, status)] += 1


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def _int_param(query, name: str, default: int | None = None) -> int:
    text = _one(query, name)
    if text is None or text == "":
        if default is None:
            raise ApiError(400, "invalid_request", f"missing parameter {name}")
        return default
    try:
        return int(text)
    except ValueError:
        raise ApiError(
            400, "invalid_request", f"parameter {name} must be an integer, got {text!r}"
        ) from None


def _timestamp_param(query, name: str):
    text = _one(query, name)
    if not text:
        raise ApiError(400, "invalid_request", f"missing parameter {name} (yyyyMMddHHmmss)")
    try:
        return parse(text)
    except ValueError:
        raise ApiError(
            400, "invalid_request", f"parameter {name} must be yyyyMMddHHmmss, got {text!r}"
        ) from None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "PortalSimulator/1.0"
    timeout = 60  # idle keep-alive connections are closed after this
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without this, Nagle + delayed ACK add ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the request log counts
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    # ------------------------------------------------------------------ dispatch
    def _dispatch(self, method: str) -> None:
        sim = self.server.sim
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        query = parse_qs(parts.query, keep_blank_values=True)
        body = self._read_body()
        portal, _, endpoint = path.lstrip("/").partition("/")
        endpoint = "/" + endpoint
        if portal == "_sim":
            self._admin(method, endpoint, body)
            return
        if portal not in (PROVINCIAL, NATIONAL):
            self._send_json(404, {"error": "not_found", "message": f"no such path {path}"})
            return
        is_token = endpoint == TOKEN_PATH
        try:
            page = int(_one(query, "page") or 1)
        except ValueError:
            page = 1
        decision = NO_FAULT
        if is_token or endpoint.startswith("/api/"):
            decision = sim._faults.decide(path, is_token, page)
        if decision.slow:
            time.sleep(sim.faults.slow_seconds)
        if decision.terminal in ("rate_limit", "server_error", "html_body"):
            self._terminal_fault(decision, portal, endpoint)
            return
        try:
            status, payload = self._route(portal, method, endpoint, query, body, decision)
        except ApiError as e:
            status, payload = e.status, {"error": e.error, "message": e.message}
        except Exception as e:  # a simulator bug: answer, and say what it was
            traceback.print_exc()
            status, payload = 500, {"error": "internal_error", "message": repr(e)}
        headers = {}
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        sim._record(portal, endpoint, status)  # before sending: a client that got it sees it logged
        if decision.terminal == "connection_reset":
            self._send_json_then_reset(status, payload)
        else:
            self._send_json(status, payload, headers, nfd=decision.nfd_text and status == 200)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _terminal_fault(self, decision: Decision, portal: str, endpoint: str) -> None:
        faults = self.server.sim.faults
        if decision.terminal == "rate_limit":
            status, headers = 429, {"Retry-After": str(faults.retry_after_seconds)}
            payload = {"error": "rate_limited", "message": "too many requests"}
        elif decision.terminal == "server_error":
            status, headers = decision.status or 500, {}
            payload = {"error": "server_error", "message": f"simulated {status}"}
        else:
            self.server.sim._record(portal, endpoint, 200)
            self._send(200, HTML_ERROR_PAGE.encode("utf-8"), "text/html; charset=utf-8")
            return
        self.server.sim._record(portal, endpoint, status)
        self._send_json(status, payload, headers)

    # ------------------------------------------------------------------ routes
    def _route(self, portal, method, endpoint, query, body, decision) -> tuple[int, dict]:
        sim = self.server.sim
        if endpoint == TOKEN_PATH:
            if method != "POST":
                raise ApiError(405, "method_not_allowed", "use POST for the token endpoint")
            return 200, self._token(portal, body)
        routes = {
            PROVINCIAL: {"/api/v1/donvi", "/api/v1/thutuc", "/api/v1/ngaynghi", "/api/v1/hoso"},
            NATIONAL: {"/api/v1/dongbo/hoso", "/api/v1/thanhtoan", "/api/v1/chiso"},
        }[portal]
        if endpoint not in routes:
            raise ApiError(404, "not_found", f"no such endpoint {endpoint} on the {portal} portal")
        if method != "GET":
            raise ApiError(405, "method_not_allowed", f"use GET for {endpoint}")
        self._authorise(portal)
        cfg = sim.world.config
        page = _int_param(query, "page", 1)
        size = _int_param(query, "size", cfg.max_page_size)
        if page < 1 or size < 1:
            raise ApiError(400, "invalid_request", "page and size must be >= 1")
        size = min(size, cfg.max_page_size)
        if portal == NATIONAL:
            ma_tinh = _one(query, "ma_tinh")
            if not ma_tinh:
                raise ApiError(400, "invalid_request", "missing parameter ma_tinh")
            if ma_tinh != cfg.province_code:
                raise ApiError(404, "not_found", f"unknown province ma_tinh={ma_tinh!r}")

        world = sim.world
        on = sim._faults.data_faults_on(urlsplit(self.path).path)
        if endpoint == "/api/v1/donvi":
            units = sim._static["donvi"]
            if on:
                units = data_faults.units_with_faults(sim.faults, units)
            return 200, self._page(units, page, size, decision, on=on)
        if endpoint == "/api/v1/thutuc":
            return 200, self._page(sim._static["thutuc"], page, size, decision, on=on)
        if endpoint == "/api/v1/ngaynghi":
            year = _int_param(query, "nam")
            if not 1900 <= year <= 9999:
                raise ApiError(400, "invalid_request", f"nam must be a year, got {year}")
            return 200, self._page(world.holidays(year), page, size, decision, on=on)
        if endpoint == "/api/v1/chiso":
            text = _one(query, "thang") or ""
            if len(text) != 6 or not text.isdigit() or not 1 <= int(text[4:]) <= 12:
                raise ApiError(400, "invalid_request", f"thang must be YYYYMM, got {text!r}")
            month = date(int(text[:4]), int(text[4:]), 1)
            return 200, self._page(world.chiso(month), page, size, decision, on=on)
        kind, names = {
            "/api/v1/hoso": (HOSO, ("capnhat_tu", "capnhat_den")),
            "/api/v1/dongbo/hoso": (DONGBO, ("capnhat_tu", "capnhat_den")),
            "/api/v1/thanhtoan": (THANHTOAN, ("tu", "den")),
        }[endpoint]
        tu, den = _timestamp_param(query, names[0]), _timestamp_param(query, names[1])
        if tu > den:
            raise ApiError(400, "invalid_request", f"{names[0]} is after {names[1]}")
        rows = world.window(kind, tu, den)
        return 200, self._page(
            rows, page, size, decision, lambda r: world.format_record(kind, r), kind == HOSO, on
        )

    def _page(
        self, rows: list, page: int, size: int, decision: Decision, fmt=None, typed=False, on=False
    ) -> dict:
        """The contract's envelope; with the repeated-records fault, page N > 1 starts with the
        last items of page N-1 again; data faults (`faults.py`) apply last."""
        faults = self.server.sim.faults
        start = (data_faults.served_page(faults, page) - 1 if on else page - 1) * size
        chosen = rows[start : start + size]
        first = start
        if decision.repeated_records and start > 0 and chosen:
            first = max(0, start - faults.repeated_count)
            chosen = rows[first:start] + chosen
        items = chosen if fmt is None else [fmt(r) for r in chosen]
        if on and typed and faults.wrong_types_every:
            items = [data_faults.wrongly_typed(faults, first + i, x) for i, x in enumerate(items)]
        total = data_faults.served_total(faults, len(rows)) if on else len(rows)
        return {"total": total, "page": page, "size": size, "items": items}

    # ------------------------------------------------------------------ auth
    def _token(self, portal: str, body: bytes) -> dict:
        sim = self.server.sim
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        if _one(form, "grant_type") != "client_credentials":
            raise ApiError(400, "unsupported_grant_type", "grant_type must be client_credentials")
        client_id, client_secret = _one(form, "client_id"), _one(form, "client_secret")
        auth = self.headers.get("Authorization") or ""
        if client_id is None and auth.lower().startswith("basic "):
            try:
                client_id, _, client_secret = (
                    base64.b64decode(auth[6:]).decode("utf-8").partition(":")
                )
            except ValueError:
                client_id = None
        cfg = sim.world.config
        expected = cfg.provincial_credentials if portal == PROVINCIAL else cfg.national_credentials
        if (client_id, client_secret) != tuple(expected):
            raise ApiError(401, "invalid_client", "unknown client or wrong secret")
        return {
            "access_token": sim._tokens.issue(portal),
            "token_type": "Bearer",
            "expires_in": cfg.token_ttl_seconds,
        }

    def _authorise(self, portal: str) -> None:
        sim = self.server.sim
        auth = self.headers.get("Authorization") or ""
        if not auth.lower().startswith("bearer "):
            raise ApiError(401, "invalid_token", "missing bearer token")
        faults = sim.faults
        ttl = sim.world.config.token_ttl_seconds
        if faults.token_ttl_seconds is not None:
            ttl = min(ttl, faults.token_ttl_seconds)
        why = sim._tokens.check(auth[7:].strip(), portal, ttl, faults.token_max_uses)
        if why is not None:
            raise ApiError(401, "invalid_token", why)

    # ------------------------------------------------------------------ admin
    def _admin(self, method: str, endpoint: str, body: bytes) -> None:
        sim = self.server.sim
        status = 200
        try:
            if endpoint == "/faults" and method == "GET":
                payload = sim.faults.to_dict()
            elif endpoint == "/faults" and method == "POST":
                try:
                    sim.set_faults(FaultConfig.from_dict(json.loads(body or b"{}")))
                except (ValueError, TypeError) as e:
                    raise ApiError(400, "invalid_request", str(e)) from None
                payload = sim.faults.to_dict()
            elif endpoint == "/log" and method == "GET":
                payload = {
                    "requests": [
                        {"portal": p, "endpoint": e, "status": s, "count": n}
                        for (p, e, s), n in sorted(sim.request_log.items())
                    ],
                    "faults": dict(sim.fault_log),
                }
            elif endpoint == "/log/reset" and method == "POST":
                sim.reset_logs()
                payload = {"ok": True}
            elif endpoint == "/health" and method == "GET":
                payload = {
                    "ok": True,
                    "provincial_url": sim.provincial_url,
                    "national_url": sim.national_url,
                }
            else:
                raise ApiError(404, "not_found", f"no admin endpoint {method} {endpoint}")
        except ApiError as e:
            status, payload = e.status, {"error": e.error, "message": e.message}
        self._send_json(status, payload)

    # ------------------------------------------------------------------ sending
    def _send_json(
        self, status: int, payload: dict, headers: dict | None = None, nfd: bool = False
    ) -> None:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        if nfd:
            text = unicodedata.normalize("NFD", text)
        self._send(status, text.encode("utf-8"), "application/json; charset=utf-8", headers)

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_json_then_reset(self, status: int, payload: dict) -> None:
        """Headers and part of the body, then an abrupt close (RST): a reset mid-page."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: max(1, len(body) // 2)])
        self.wfile.flush()
        self.close_connection = True
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        except OSError:
            pass
