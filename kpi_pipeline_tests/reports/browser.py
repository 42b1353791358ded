"""A real headless Chromium (its CLI, one launch per page) and a small DOM to assert on.

`open_page` loads a file once and returns both the screenshot and the DOM as Chromium built
it (`--dump-dom`: after parsing, so what a reader's browser sees, not the raw text).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from kpi_pipeline_tests.system_packages import ensure_debian_program

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


def find_chromium() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def ensure_chromium() -> str:
    """The Chromium binary; on Debian as root, installs the `chromium` package if missing."""
    return ensure_debian_program(
        find_chromium,
        ("chromium", "fonts-dejavu-core"),
        "the report tests need Chromium: install the `chromium` package",
    )


@dataclass
class Page:
    dom: Element
    screenshot: Path
    html: str  # the DOM as serialised by Chromium


def open_page(chromium: str, html_file: Path, workdir: Path, size=(1400, 2000)) -> Page:
    shot = workdir / f"{html_file.stem}.screenshot.png"
    cmd = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={workdir / 'chromium-profile'}",
        f"--window-size={size[0]},{size[1]}",
        f"--screenshot={shot}",
        "--dump-dom",
        html_file.resolve().as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, timeout=90)
    if proc.returncode != 0 or not shot.exists():
        raise RuntimeError(f"chromium failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    html = proc.stdout.decode("utf-8")
    return Page(parse(html), shot, html)


# -- a minimal DOM -----------------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list = field(default_factory=list)  # Elements and strings
    parent: Element | None = field(default=None, repr=False)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Element):
                yield from c.iter()

    def find_all(self, tag: str | None = None, **attrs) -> list[Element]:
        """Descendants by tag and attributes (`class_` matches one class; `True` = present)."""
        out = []
        for e in self.iter():
            if e is self or (tag and e.tag != tag):
                continue
            if all(_match(e, k, v) for k, v in attrs.items()):
                out.append(e)
        return out

    def find(self, tag: str | None = None, **attrs) -> Element:
        found = self.find_all(tag, **attrs)
        if not found:
            raise AssertionError(f"no <{tag} {attrs}>")
        return found[0]

    def by_id(self, id_: str) -> Element:
        return self.find(None, id=id_)

    def get(self, name: str, default=None):
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


def _match(e: Element, key: str, value) -> bool:
    if key == "class_":
        return value in e.classes
    name = key.replace("_", "-")
    if value is True:
        return name in e.attrs
    return e.attrs.get(name) == value


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        el = Element(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        el = Element(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(el)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    b = _Builder()
    b.feed(html)
    b.close()
    return b.root
