"""A real headless Chromium driven over the DevTools protocol (websockets, synchronous).

For what the CLI of `browser.py` cannot do: print to PDF as a reader would (Page.printToPDF),
use the page (run its own script by dispatching events), and record every network request
the page makes (Network.requestWillBeSent).
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from websockets.sync.client import connect

A4_LANDSCAPE = {"paperWidth": 297 / 25.4, "paperHeight": 210 / 25.4, "landscape": False}


class Tab:
    def __init__(self, ws, session: str):
        self.ws, self.session, self._id = ws, session, 0
        self.events: list[dict] = []

    def send(self, method: str, **params) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params, "sessionId": self.session}
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv(timeout=60))
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for e in self.events:
            if e["method"] == method:
                return e
        while time.monotonic() < deadline:
            event = json.loads(self.ws.recv(timeout=timeout))
            if "method" in event:
                self.events.append(event)
                if event["method"] == method:
                    return event
        raise TimeoutError(method)

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def requests(self) -> list[str]:
        """Every URL the page asked for (documents, images, scripts, fetches)."""
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e["method"] == "Network.requestWillBeSent"
        ]


@contextmanager
def open_tab(chromium: str, url: str, workdir: Path):
    """A tab with `url` loaded, the Network domain recording from before the navigation."""
    proc = subprocess.Popen(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--remote-debugging-port=0",
            f"--user-data-dir={workdir / 'devtools-profile'}",
            "about:blank",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        endpoint = None
        for line in proc.stderr:
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            if m:
                endpoint = m.group(1)
                break
        if endpoint is None:
            raise RuntimeError("chromium did not open its DevTools endpoint")
        with connect(endpoint, max_size=None, open_timeout=30) as ws:
            ws.send(json.dumps({"id": 1, "method": "Target.createTarget",
                                "params": {"url": "about:blank"}}))  # fmt: skip
            target = _reply(ws, 1)["targetId"]
            ws.send(json.dumps({"id": 2, "method": "Target.attachToTarget",
                                "params": {"targetId": target, "flatten": True}}))  # fmt: skip
            tab = Tab(ws, _reply(ws, 2)["sessionId"])
            tab._id = 10
            tab.send("Network.enable")
            tab.send("Page.enable")
            tab.send("Page.navigate", url=url)
            tab.wait_for("Page.loadEventFired")
            yield tab
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _reply(ws, id_: int) -> dict:
    while True:
        msg = json.loads(ws.recv(timeout=60))
        if msg.get("id") == id_:
            if "error" in msg:
                raise RuntimeError(str(msg["error"]))
            return msg["result"]


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF Chromium or LibreOffice wrote (its page objects, `/Type /Page`)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
