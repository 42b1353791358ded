"""The portals' preconditions: URL shape, credentials set, one token request.

`PortalResource.setup_for_execution` runs `check_portal`, so a run launched any way (the CLI,
the UI, a schedule, a worker) stops at its first step with a message naming the
`<NAME>_PORTAL_*` variable to set, never the secret; the shell's preflight runs the same checks
before launching anything.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from urllib.parse import urlsplit

from kpi_pipeline import settings
from kpi_pipeline.errors import ConfigurationError
from kpi_pipeline.ingestion.client import PortalClient, PortalError, RetryPolicy
from kpi_pipeline.redaction import redact

PORTALS = ("provincial", "national")


def portal_vars(name: str) -> tuple[str, str, str]:
    """The URL, client id and client secret variables of portal `name` (`provincial`/`national`)."""
    prefix = name.upper() + "_PORTAL_"
    return prefix + "URL", prefix + "CLIENT_ID", prefix + "CLIENT_SECRET"


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
