"""Real receivers on loopback sockets: a small SMTP server and a webhook (HTTP) receiver.

`SmtpSink` speaks just enough SMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for
`smtplib`, and keeps every message it accepted. `fail_with` makes it answer MAIL FROM with
that reply (e.g. "451 4.3.0 try again later") to test retries.

`WebhookReceiver` answers POSTs with `status` (default 200 and `{"error": 0}`) and keeps
every request's headers and JSON body. With `echo=True` its answer's message repeats the
request's path (query string included) and headers, as some gateways' error pages do.
"""

from __future__ import annotations

import email
import json
import socketserver
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    mail_from: str
    rcpt_to: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=policy.default)


class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        sink: SmtpSink = self.server.sink  # type: ignore[attr-defined]
        sink.connections += 1
        self.reply("220 sink.test ESMTP")
        mail_from, rcpts = None, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-sink.test")
                self.reply("250-8BITMIME")
                self.reply("250 SMTPUTF8")
            elif verb == "HELO":
                self.reply("250 sink.test")
            elif verb == "MAIL":
                if sink.fail_with:
                    self.reply(sink.fail_with)
                    continue
                mail_from, rcpts = line.split(":", 1)[1].split()[0].strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                rcpts.append(line.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                chunks = []
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b".\n", b""):
                        break
                    if chunk.startswith(b".."):
                        chunk = chunk[1:]
                    chunks.append(chunk)
                with sink.lock:
                    sink.messages.append(Received(mail_from or "", rcpts, b"".join(chunks)))
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@dataclass
class SmtpSink:
    host: str = "127.0.0.1"
    fail_with: str | None = None
    messages: list[Received] = field(default_factory=list)
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> SmtpSink:
        self._server = _Server((self.host, 0), _SmtpHandler)
        self._server.sink = self
        self.port = self._server.server_address[1]
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict


class WebhookReceiver:
    def __init__(self, status: int = 200, body: dict | None = None, echo: bool = False):
        self.status, self.echo = status, echo
        self.body = {"error": 0, "message": "Success"} if body is None else body
        self.requests: list[Request] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                receiver.requests.append(
                    Request(self.path, dict(self.headers.items()), json.loads(raw.decode("utf-8")))
                )
                body = receiver.body
                if receiver.echo:
                    body = {**body, "message": f"rejected {self.path} {dict(self.headers)}"}
                out = json.dumps(body).encode()
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v3.0/oa/message/cs"

    def start(self) -> WebhookReceiver:
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
