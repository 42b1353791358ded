"""One portal in its own process: a recording proxy in front of the simulator, or a replay.

    python benchmarks/replay_portal.py --portal provincial --store DIR --record-from URL
    python benchmarks/replay_portal.py --portal provincial --store DIR

Recording forwards every request to the live portal at URL (the simulator's `/provincial` or
`/national` base) and keeps each 200 GET body under its path and query (sorted; `page`
included), in arrival order, in `DIR/<portal>.bin` + `DIR/<portal>.idx` (written on SIGTERM).
Replaying loads them into memory as whole pre-encoded HTTP responses and serves them; a token
request gets a fixed bearer token; a request that was not recorded is a 404 naming it, and is
counted (printed on exit) so a floor that measured a different request set cannot pass
unnoticed. The point is a portal that costs next to nothing, so that a benchmark's floor
measures the client and the COPY, not the simulator (issue 17).

Prints `URL=<base>` once it listens.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import signal
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

TOKEN = b'{"access_token":"replay-token","token_type":"Bearer","expires_in":86400}'


def request_key(path: str, query: str) -> str:
    """The path and the query with its parameters sorted: the same request in any order."""
    return path.rstrip("/") + "?" + "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(query)))


def _response(status: int, body: bytes, reason: str = "OK") -> bytes:
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


class Store:
    """Recorded bodies by request key, and the order they were first asked for."""

    def __init__(self, directory: Path, portal: str):
        self.bin = directory / f"{portal}.bin"
        self.idx = directory / f"{portal}.idx"
        self.bodies: dict[str, bytes] = {}
        self.order: list[str] = []
        self.lock = threading.Lock()

    def add(self, key: str, body: bytes) -> None:
        with self.lock:
            if key not in self.bodies:
                self.order.append(key)
            self.bodies[key] = body

    def save(self) -> None:
        with self.lock, self.bin.open("wb") as b, self.idx.open("w") as i:
            offset = 0
            for key in self.order:
                body = self.bodies[key]
                b.write(body)
                i.write(json.dumps([key, offset, len(body)]) + "\n")
                offset += len(body)

    def load(self) -> dict[str, bytes]:
        data = self.bin.read_bytes()
        out = {}
        for line in self.idx.read_text().splitlines():
            key, offset, n = json.loads(line)
            out[key] = _response(200, data[offset : offset + n])
            self.order.append(key)
        return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.server.upstream:
            self._forward("POST", body)
        else:
            self.wfile.write(_response(200, TOKEN))

    def do_GET(self) -> None:
        if self.server.upstream:
            self._forward("GET", b"")
            return
        parts = urlsplit(self.path)
        key = request_key(parts.path, parts.query)
        response = self.server.replies.get(key)
        if response is None:
            with self.server.lock:
                self.server.misses.append(key)
            response = _response(
                404, json.dumps({"error": "not_recorded", "message": key}).encode(), "Not Found"
            )
        self.wfile.write(response)

    def _forward(self, method: str, body: bytes) -> None:
        conn = getattr(self.server.local, "conn", None)
        if conn is None:
            conn = self.server.local.conn = http.client.HTTPConnection(
                self.server.upstream.hostname, self.server.upstream.port, timeout=600
            )
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        path = self.server.upstream.path.rstrip("/") + self.path
        conn.request(method, path, body=body or None, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        if method == "GET" and resp.status == 200:
            parts = urlsplit(self.path)
            self.server.store.add(request_key(parts.path, parts.query), data)
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("server", "date", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, store: Store, upstream: str | None):
        self.store = store
        self.upstream = urlsplit(upstream) if upstream else None
        self.local = threading.local()
        self.replies = {} if upstream else store.load()
        self.misses: list[str] = []
        self.lock = threading.Lock()
        super().__init__(address, Handler)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--portal", required=True, choices=("provincial", "national"))
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--record-from", help="the live portal's base URL: record what it serves")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args(argv)
    args.store.mkdir(parents=True, exist_ok=True)
    store = Store(args.store, args.portal)
    server = Server(("127.0.0.1", args.port), store, args.record_from)
    host, port = server.server_address[:2]
    print(f"URL=http://{host}:{port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    server.shutdown()
    if args.record_from:
        store.save()
        print(f"recorded {len(store.order)} responses", file=sys.stderr, flush=True)
    elif server.misses:
        print(
            f"NOT RECORDED {len(server.misses)}: {server.misses[:5]}", file=sys.stderr, flush=True
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
