"""The warehouse's preconditions: a PostgreSQL URL, one connection, the history settings.

`WarehouseResource.setup_for_execution` runs `check_database`, so a run launched any way stops
at its first step with a message naming `KPI_DATABASE_URL` (the password masked); the shell's
preflight runs the same checks before launching anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

import psycopg
from pydantic import ValidationError

from kpi_pipeline import settings
from kpi_pipeline.errors import ConfigurationError
from kpi_pipeline.redaction import redact
from kpi_pipeline.warehouse.db import libpq_url


def _password(url: str) -> str | None:
    try:
        return unquote(urlsplit(url).password or "") or None
    except ValueError:
        return None


def _scrub(text: str, url: str) -> str:
    """`text` with the URL's password (if any) masked, in case a driver echoes it."""
    return redact(text, [_password(url)])


def database_url_problem(var: str, value: str) -> str | None:
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if not re.fullmatch(r"postgres(ql)?(\+\w+)?", scheme):
        return (
            f"{var}={redact(value)!r} is not a PostgreSQL URL; set it to "
            f"postgresql://USER:PASSWORD@HOST:5432/DATABASE"
        )
    return None


def check_database(var: str, url: str, timeout: float = 5.0) -> None:
    """Connect once to `url`; raise `ConfigurationError` naming `var` if that fails."""
    if problem := database_url_problem(var, url):
        raise ConfigurationError(problem)
    parts = urlsplit(libpq_url(url))
    where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
    dbname = parts.path.lstrip("/") or parts.username or "?"
    try:
        conn = psycopg.connect(libpq_url(url), connect_timeout=max(1, int(timeout)))
    except psycopg.Error as exc:
        text = _scrub(" ".join(str(exc).split()), url)
        low = text.lower()
        if "does not exist" in low and "database" in low:
            msg = (
                f"database {dbname!r} does not exist on {where}; create it or set {var} to an "
                f"existing database (now {redact(url)})"
            )
        elif any(w in low for w in ("password", "authentication", "pg_hba", "role")):
            msg = (
                f"PostgreSQL at {where} refused the login of user {parts.username!r}; set the "
                f"right user and password in {var} (now {redact(url)}): {_last_line(text)}"
            )
        elif any(w in low for w in ("invalid", "missing", "syntax")):
            msg = f"{var} is not a usable PostgreSQL URL ({redact(url)}): {_last_line(text)}"
        else:
            msg = (
                f"cannot reach PostgreSQL at {where}; set {var} to a reachable server "
                f"(now {redact(url)}): {_last_line(text)}"
            )
        raise ConfigurationError(msg) from None
    conn.close()


def history_problems(env: Mapping[str, str]) -> list[str]:
    """The change-history settings, checked as the warehouse resource will check them."""
    from kpi_pipeline.warehouse.resource import WarehouseResource  # it imports this module

    values = settings.history_settings(env)
    if not values:
        return []
    try:
        WarehouseResource(database_url="postgresql://check", **values)
    except ValidationError as exc:
        out = []
        for e in exc.errors():
            var = (
                settings.KPI_HISTORY_START
                if "history_start" in e["loc"]
                else settings.KPI_SYNC_OVERLAP_MINUTES
            )
            msg = e["msg"].removeprefix("Value error, ")
            out.append(msg if var in msg else f"{var}: {msg} (a whole number of minutes)")
        return out
    return []


def _last_line(text: str, n: int = 200) -> str:
    text = text.strip()
    return text if len(text) <= n else text[:n] + "…"
