"""Configuration checks before any run: bad settings fail at start, naming what to set.

Two levels, both reporting `ConfigurationError`s whose message names the environment variable
to set and never a secret (URLs are shown with their password masked):

- `static_problems(env)`: no network; portal URLs are https with a host (plain http only to
  loopback, or with `KPI_ALLOW_INSECURE_PORTAL=1`: the client secret would travel in clear),
  credentials set next to the URLs, database URLs are PostgreSQL URLs, the province code is
  a GSO code.
- `check_database` / `check_portal`: one connection / one token request, with a short time
  limit, telling "unreachable", "no such database" and "login refused" apart.
- `config_file_problems(env)`: the YAML configurations (KPI targets, scores, quality, alert
  recipients) loaded and validated now, not after the whole ingest; `cli_date` for the
  command line's dates.

`kpi-pipeline run|backfill` runs all of them before launching runs; the warehouse and portal
resources run their own part in `setup_for_execution`, so a run launched any other way (the
UI, a schedule, a worker pod) stops at its first step with the same message.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Mapping
from datetime import date
from urllib.parse import unquote, urlsplit

from kpi_pipeline import settings
from kpi_pipeline.redaction import redact


class ConfigurationError(RuntimeError):
    """Configuration that cannot work; the message says what to set."""


PORTALS = ("provincial", "national")


def portal_vars(name: str) -> tuple[str, str, str]:
    """The URL, client id and client secret variables of portal `name` (`provincial`/`national`)."""
    prefix = name.upper() + "_PORTAL_"
    return prefix + "URL", prefix + "CLIENT_ID", prefix + "CLIENT_SECRET"


def _password(url: str) -> str | None:
    try:
        return unquote(urlsplit(url).password or "") or None
    except ValueError:
        return None


def _scrub(text: str, url: str) -> str:
    """`text` with the URL's password (if any) masked, in case a driver echoes it."""
    return redact(text, [_password(url)])


# -- static checks ------------------------------------------------------------------------------
def portal_url_problem(var: str, value: str, allow_insecure: bool = False) -> str | None:
    """A problem with a portal base URL: not http(s), no host, or plain http to a host that
    is not loopback (the client secret would cross the network in clear) unless allowed."""
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError as exc:
        return f"{var} is not a valid URL ({exc}); set it to the portal's https:// base URL"
    if parts.scheme not in ("http", "https") or not host:
        return (
            f"{var}={redact(value)!r} is not an http(s) URL with a host; set it to the portal's "
            f"base URL, e.g. https://portal.example/api-root"
        )
    if parts.scheme == "http" and not allow_insecure and not is_loopback_host(host):
        return (
            f"{var}={redact(value)!r} is plain http to {host}: the client secret and the data "
            f"would travel in clear; use the portal's https:// URL, or set "
            f"{settings.KPI_ALLOW_INSECURE_PORTAL}=1 to allow it (a trusted test network only)"
        )
    return None


def is_loopback_host(host: str) -> bool:
    """`localhost` or a loopback address, decided without DNS (a static check)."""
    if host.lower() in ("localhost", "localhost.") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def database_url_problem(var: str, value: str) -> str | None:
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if not re.fullmatch(r"postgres(ql)?(\+\w+)?", scheme):
        return (
            f"{var}={redact(value)!r} is not a PostgreSQL URL; set it to "
            f"postgresql://USER:PASSWORD@HOST:5432/DATABASE"
        )
    return None


def portal_settings_problems(
    name: str,
    url: str | None,
    client_id: str | None,
    secret: str | None,
    allow_insecure: bool = False,
) -> list[str]:
    url_var, id_var, secret_var = portal_vars(name)
    problems = []
    if not url:
        problems.append(f"{url_var} is not set; set it to the {name} portal's base URL")
    elif problem := portal_url_problem(url_var, url, allow_insecure):
        problems.append(problem)
    if not client_id:
        problems.append(f"{id_var} is not set; set it to the {name} portal's OAuth client id")
    if not secret:
        problems.append(
            f"{secret_var} is not set; set it to the {name} portal's OAuth client secret"
        )
    return problems


def static_problems(env: Mapping[str, str]) -> list[str]:
    """Problems visible without the network, for the configuration in `env`."""
    problems = []
    urls = {name: env.get(portal_vars(name)[0]) for name in PORTALS}
    if any(urls.values()):  # with both unset, `kpi-pipeline` serves the bundled simulator
        insecure = settings.allow_insecure_portal(env)
        for name in PORTALS:
            _, id_var, secret_var = portal_vars(name)
            problems += portal_settings_problems(
                name, urls[name], env.get(id_var), env.get(secret_var), insecure
            )
    for var in (settings.KPI_DATABASE_URL, settings.DAGSTER_PG_URL):
        if env.get(var) and (problem := database_url_problem(var, env[var])):
            problems.append(problem)
    code = env.get(settings.KPI_PROVINCE_CODE)
    if code and not code.isdigit():
        problems.append(
            f"{settings.KPI_PROVINCE_CODE}={code!r} is not a GSO province code; set it to the "
            f"province's two-digit code (ma_tinh), e.g. 49"
        )
    elif code:
        from kpi_pipeline.lineage.provinces import deployment

        try:
            deployment(code)
        except ValueError as e:
            problems.append(f"{settings.KPI_PROVINCE_CODE}: {e}")
    problems += history_problems(env)
    return problems


def history_problems(env: Mapping[str, str]) -> list[str]:
    """The change-history settings, checked as the warehouse resource will check them."""
    from pydantic import ValidationError

    from kpi_pipeline.warehouse.resource import WarehouseResource

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


# -- configuration files -----------------------------------------------------------------------
def config_file_problems(env: Mapping[str, str]) -> list[str]:
    """Each YAML configuration loaded as the runs will load it (`config_files.py`)."""
    from kpi_pipeline import config_files

    return config_files.config_file_problems(env)


def cli_date(flag: str, text: str) -> date:
    """A command-line date, or a `ConfigurationError` saying what a valid one looks like."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigurationError(
            f"{flag} {text!r} is not a calendar date ({exc}); give it as YYYY-MM-DD, e.g. "
            f"{flag} 2024-02-29"
        ) from None


def date_range(start_text: str, end_text: str) -> tuple[date, date]:
    """`--start` and `--end` as dates, the start not after the end."""
    start, end = cli_date("--start", start_text), cli_date("--end", end_text)
    if start > end:
        raise ConfigurationError(
            f"--start {start} is after --end {end}; give the range's first day as --start"
        )
    return start, end


# -- network checks -----------------------------------------------------------------------------
def check_database(var: str, url: str, timeout: float = 5.0) -> None:
    """Connect once to `url`; raise `ConfigurationError` naming `var` if that fails."""
    import psycopg

    from kpi_pipeline.warehouse.db import libpq_url

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


def check_portal(
    name: str,
    url: str,
    client_id: str,
    secret: str,
    budget_seconds: float = 10.0,
    connect_timeout: float = 5.0,
    allow_insecure: bool = False,
) -> None:
    """One token request to portal `name`; raise `ConfigurationError` naming the variables."""
    from kpi_pipeline.ingestion.client import PortalClient, PortalError, RetryPolicy

    problems = portal_settings_problems(name, url, client_id, secret, allow_insecure)
    if problems:
        raise ConfigurationError("; ".join(problems))
    url_var, id_var, secret_var = portal_vars(name)
    client = PortalClient(
        name,
        url,
        client_id,
        secret,
        connect_timeout=connect_timeout,
        read_timeout=max(connect_timeout, 5.0),
        retry=RetryPolicy(max_total_seconds=budget_seconds, base_delay=0.25, max_delay=2.0),
        retry_log_level=logging.DEBUG,  # the final message says it all
    )
    try:
        client.get_token()
    except PortalError as exc:
        text = str(exc)
        if re.search(r"status (400|401|403)\b", text) or "no access_token" in text:
            hint = f"check {id_var} and {secret_var}"
        else:
            hint = f"check {url_var} (now {redact(url)!r}) and that the portal is up"
        raise ConfigurationError(f"{text}; {hint}") from None
    finally:
        client.close()


def check_all(env: Mapping[str, str]) -> list[str]:
    """Every problem with the configuration in `env`: static ones first; then one connection to
    each database and one token request to each portal, the portals in parallel."""
    from concurrent.futures import ThreadPoolExecutor

    from kpi_pipeline.warehouse.db import libpq_url

    problems = static_problems(env) + config_file_problems(env)
    if problems:
        return problems
    checks = []
    databases = [v for v in (settings.KPI_DATABASE_URL, settings.DAGSTER_PG_URL) if env.get(v)]
    if len({libpq_url(env[v]) for v in databases}) < len(databases):
        databases = databases[:1]  # Dagster's storage derived from the warehouse URL
    for var in databases:
        checks.append((check_database, (var, env[var]), {}))
    for name in PORTALS:
        url_var, id_var, secret_var = portal_vars(name)
        if env.get(url_var):
            args = (name, env[url_var], env.get(id_var, ""), env.get(secret_var, ""))
            kwargs = {"allow_insecure": settings.allow_insecure_portal(env)}
            checks.append((check_portal, args, kwargs))

    def run(check):
        fn, args, kwargs = check
        try:
            fn(*args, **kwargs)
        except ConfigurationError as exc:
            return str(exc)
        return None

    with ThreadPoolExecutor(max_workers=len(checks) or 1) as pool:
        return [p for p in pool.map(run, checks) if p]


def _last_line(text: str, n: int = 200) -> str:
    text = text.strip()
    return text if len(text) <= n else text[:n] + "…"
