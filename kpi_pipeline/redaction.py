"""One redactor for every message, log line and stored error that may carry a secret.

Secrets reach text in three shapes, and each is masked wherever it appears (`***`):

- URL user info: `postgresql://kpi:PASSWORD@db/kpi` keeps the user, masks the password; an
  `https://TOKEN@host` user name alone (a token passed as user) is masked too;
- `name=value` pairs whose name says secret (token, access_token, key, api_key, secret,
  client_secret, signature, sig, password, pwd, auth, credential, session, ...), in a query
  string, a form body or free text;
- headers and JSON/dict fields with such a name (`Authorization: Bearer ...`, `X-Api-Token:
  ...`, `"access_token": "..."`, `'Cookie': '...'`), and any `Bearer`/`Basic` credential.

Values known to be secret (a configured password or token, the query values of a configured
URL) are masked too, also URL-encoded, so that a receiver echoing them under an unexpected name
still shows nothing. Pure text processing: no Dagster, no network.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

MASK = "***"

# A name that says "secret": anywhere in the name for the long words, as a whole word or
# suffix for the short ones (`key`, `sig`), so `page`, `size`, `ma_tinh` stay readable.
_NAME = (
    r"[\w.-]*?(?:token|secret|passw(?:or)?d|pwd|signature|credential|session|auth|apikey)[\w.-]*"
    r"|(?:[\w.-]*[_.-])?(?:key|sig)"
)
_HEADER = rf"(?:cookie|set-cookie|{_NAME})"

_USERINFO = re.compile(
    r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)(?P<user>[^\s:/@?#]*)(?::(?P<pw>[^\s@]*))?@", re.I
)
_FIELD_QUOTED = re.compile(
    rf"(?P<q>['\"])(?P<name>{_HEADER})(?P=q)(?P<sep>\s*:\s*)(?P<vq>['\"])(?P<val>.*?)(?P=vq)",
    re.I,
)
_FIELD_LINE = re.compile(
    rf"(?<![\w.'\"-])(?P<name>{_HEADER})(?P<sep>\s*:[ \t]*)(?![ \t]|['\"]|//)(?P<val>[^\r\n,;}}]+)",
    re.I,
)
_PAIR = re.compile(rf"(?<![\w.-])(?P<name>{_NAME})=(?P<val>[^&\s#;'\"<>]+)", re.I)
_SCHEME_CREDENTIAL = re.compile(r"\b(?P<kind>Bearer|Basic)\s+(?P<val>[\w.~+/=-]+)", re.I)

# Shorter "known secrets" are not masked: replacing "1" or "ab" everywhere garbles the text.
MIN_SECRET_LENGTH = 4


def _userinfo(m: re.Match) -> str:
    if m["pw"] is not None:
        return f"{m['scheme']}{m['user']}:{MASK}@"
    if m["user"] and m["scheme"].lower().rstrip(":/") in ("http", "https", "ws", "wss"):
        return f"{m['scheme']}{MASK}@"
    return m[0]


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with every secret it shows masked (see the module docstring)."""
    if not text:
        return text
    for secret in sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len)[::-1]:
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            text = text.replace(form, MASK)
    text = _USERINFO.sub(_userinfo, text)
    text = _FIELD_QUOTED.sub(
        lambda m: f"{m['q']}{m['name']}{m['q']}{m['sep']}{m['vq']}{MASK}{m['vq']}", text
    )
    text = _FIELD_LINE.sub(lambda m: f"{m['name']}{m['sep']}{MASK}", text)
    text = _PAIR.sub(lambda m: f"{m['name']}={MASK}", text)
    return _SCHEME_CREDENTIAL.sub(lambda m: f"{m['kind']} {MASK}", text)


def url_secrets(url: str | None) -> list[str]:
    """The parts of a configured URL to treat as secret wherever they show up: the password
    and user of its user info, and every query value (tokens are often passed there)."""
    if not url:
        return []
    try:
        parts = urlsplit(url)
        found = [parts.password, parts.username if parts.password is None else None]
        found += [v for _, v in parse_qsl(parts.query, keep_blank_values=False)]
    except ValueError:
        return []
    return [s for s in found if s and len(s) >= MIN_SECRET_LENGTH]


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record's formatted message (and drops its args)."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets = list(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage(), self.secrets)
        record.args = None
        return True
