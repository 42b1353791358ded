"""The preflight aggregator: every configuration check before any run, naming what to set.

Each package checks its own preconditions (`ingestion/preflight.py`: portal URLs, credentials,
one token request; `warehouse/preflight.py`: PostgreSQL URLs, one connection, the history
settings), and its resource runs its part in `setup_for_execution`, so a run launched any way
(the UI, a schedule, a worker pod) stops at its first step with the same message. This module
only gathers them for the shell, with the checks that belong to no one package:

- `static_problems(env)`: no network; the portals' and databases' static checks, and a
  `KPI_PROVINCE_CODE` that is a GSO code of a province.
- `config_file_problems(env)`: the YAML configurations (KPI targets, scores, quality, alert
  recipients) loaded and validated now, not after the whole ingest.
- `check_all(env)`: both, then one connection to each database and one token request to each
  portal, in parallel; `kpi-pipeline run|sync|backfill` run it before launching runs.
- `cli_date` / `date_range`: the command line's dates.

Every message names the environment variable to set and never a secret (URLs are shown with
their password masked); problems are raised as `ConfigurationError` (`kpi_pipeline.errors`).
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from kpi_pipeline import settings
from kpi_pipeline.domain.provinces import deployment
from kpi_pipeline.errors import ConfigurationError
from kpi_pipeline.ingestion.preflight import (
    PORTALS,
    check_portal,
    portal_settings_problems,
    portal_vars,
)
from kpi_pipeline.warehouse.db import libpq_url
from kpi_pipeline.warehouse.preflight import check_database, database_url_problem, history_problems


# -- static checks ------------------------------------------------------------------------------
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
        try:
            deployment(code)
        except ValueError as e:
            problems.append(f"{settings.KPI_PROVINCE_CODE}: {e}")
    problems += history_problems(env)
    return problems


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
def check_all(env: Mapping[str, str]) -> list[str]:
    """Every problem with the configuration in `env`: static ones first; then one connection to
    each database and one token request to each portal, the portals in parallel."""
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
