"""GX Data Docs that render offline: no CDN URL in the written HTML.

GX's templates load Bootstrap, bootstrap-table, Font Awesome, jQuery, Popper and Vega from
CDNs (and its logo from a web bucket); no installed package ships them, and an offline government network reaches none, so the
docs render unstyled and empty. After GX writes a site, every page loses those tags and gets,
inline, the project's own stylesheet of the Bootstrap 4 classes the docs use and stand-ins
for the scripts (`offline/data_docs.css`, `offline/data_docs.js`): the validation results are
readable and styled, charts say they are not drawn. GX's own local static files (its styles,
images) are kept.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "offline"
_REMOTE = r"""(?:https?:)?//[^"'\s>]+"""
_REMOTE_TAG = re.compile(
    rf"""<script\b[^>]*\bsrc=["']{_REMOTE}["'][^>]*>\s*</script>"""
    rf"""|<link\b[^>]*\bhref=["']{_REMOTE}["'][^>]*/?>""",
    re.IGNORECASE,
)
_REMOTE_IMG = re.compile(rf"""(<img\b[^>]*?\bsrc=)["']{_REMOTE}["']""", re.IGNORECASE)
MARK = "<!-- kpi-pipeline: offline -->"


@cache
def _inline() -> str:
    css = (ASSETS / "data_docs.css").read_text(encoding="utf-8")
    js = (ASSETS / "data_docs.js").read_text(encoding="utf-8")
    return f"{MARK}\n<style>\n{css}</style>\n<script>\n{js}</script>\n"


def offline_page(html: str) -> str:
    """One page without remote scripts and stylesheets, the offline assets inlined first in
    its <head> (so the page's own inline scripts find the stand-ins)."""
    if MARK in html:
        return html
    html = _REMOTE_TAG.sub("", html)
    html = _REMOTE_IMG.sub(r'\1"data:,"', html)  # GX's logo, from its web bucket: its alt text
    head = re.search(r"<head\b[^>]*>", html, re.IGNORECASE)
    at = head.end() if head else 0
    return html[:at] + "\n" + _inline() + html[at:]


def make_offline(site_dir: Path) -> int:
    """Rewrite every HTML page of a Data Docs site in place; returns the pages rewritten."""
    pages = 0
    for page in Path(site_dir).rglob("*.html"):
        if page.is_symlink():
            continue
        text = page.read_text(encoding="utf-8")
        new = offline_page(text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            pages += 1
    return pages
