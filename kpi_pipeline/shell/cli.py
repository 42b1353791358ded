"""`kpi-pipeline`: run the pipeline on the embedded default, open the UI, backfill, simulate.

kpi-pipeline run         latest complete week and month, end to end (the main command)
kpi-pipeline dev         the Dagster UI (dagster dev) on the same configuration
kpi-pipeline sync        bring the change history up to date (a new warehouse: all of it)
kpi-pipeline backfill --start YYYY-MM-DD --end YYYY-MM-DD [--repull] [--max-weeks N]
kpi-pipeline simulator [--scale S] [--seed N] ...   the portal simulator (python -m kpi_simulator)
kpi-pipeline grant-reader NAME   a read-only role for report readers (SELECT on schema kpi)
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

from kpi_pipeline import settings
from kpi_pipeline.artifacts import ArtifactStoreResource
from kpi_pipeline.domain.calendar import (
    TZ,
    latest_complete_month,
    latest_complete_week,
)
from kpi_pipeline.errors import ConfigurationError


def _say(msg: str) -> None:
    print(f"[kpi-pipeline] {msg}", flush=True)


def start_checked():
    """Start the embedded default where nothing is configured, then check the configuration
    (one connection to each database and portal); `ConfigurationError` names what to set."""
    from kpi_pipeline.shell.local_services import ensure_local_services
    from kpi_pipeline.shell.preflight import check_all

    services = ensure_local_services()
    for line in services.started:
        _say(f"started {line}")
    problems = check_all(os.environ)
    if problems:
        services.close()
        raise ConfigurationError("\n".join(problems))
    return services


def _execute(plan) -> None:
    """Run `plan` on the configured (or embedded) warehouse, portals and Dagster instance."""
    from dagster import DagsterInstance

    from kpi_pipeline.definitions import defs
    from kpi_pipeline.orchestration.runner import RunFailed, execute_plan

    try:
        execute_plan(defs, DagsterInstance.get(), plan, _say)
    except RunFailed as exc:
        raise SystemExit(str(exc)) from None


def cmd_run(args) -> int:
    from kpi_pipeline.orchestration.plans import run_plan

    now = datetime.now(TZ)
    services = start_checked()
    try:
        week, month = latest_complete_week(now), latest_complete_month(now)
        _say(f"warehouse: {_redacted(os.environ[settings.KPI_DATABASE_URL])}")
        _say(
            f"week {week.isoformat()} and month {month:%Y-%m}; the change history is brought"
            " up to date first (a new warehouse pulls it all: docs/ARCHITECTURE.md)"
        )
        start = settings.history_settings().get("history_start")
        _execute(run_plan(now, date.fromisoformat(start) if start else None))
        _summarise(week, month)
    finally:
        services.close()
    return 0


def cmd_sync(args) -> int:
    from kpi_pipeline.orchestration.plans import sync_plan

    services = start_checked()
    try:
        _execute(sync_plan(datetime.now(TZ)))
    finally:
        services.close()
    return 0


def _summarise(week: date, month: date) -> None:
    import psycopg

    from kpi_pipeline.warehouse.db import statement

    url = os.environ[settings.KPI_DATABASE_URL]
    with psycopg.connect(url) as conn:

        def count(name, table, **params):
            try:
                return conn.execute(statement(name, table=table), params).fetchone()[0]
            except psycopg.errors.UndefinedTable:
                conn.rollback()
                return None

        figures = {
            "staging.dossiers": count("warehouse/select_row_count", "staging.dossiers"),
            "quarantine.records": count("warehouse/select_row_count", "quarantine.records"),
            "kpi.unit_kpi_weekly rows for the week": count(
                "kpi/select_period_row_count", "kpi.unit_kpi_weekly", period=week
            ),
            "kpi.unit_kpi_monthly rows for the month": count(
                "kpi/select_period_row_count", "kpi.unit_kpi_monthly", period=month
            ),
        }
    for name, value in figures.items():
        if value is not None:
            _say(f"{name}: {value}")
    reports = ArtifactStoreResource(root=settings.artifact_root()).location("reports")
    if "://" in reports or Path(reports).exists():
        _say(f"reports: {reports}")
    _say("look at it in the Dagster UI: kpi-pipeline dev  (then open http://127.0.0.1:3000)")
    _say(f"or query the warehouse: psql '{_redacted(url)}'")


def _redacted(url: str) -> str:
    from kpi_pipeline.warehouse.db import redact_url

    return redact_url(url)


def cmd_dev(args) -> int:
    from kpi_pipeline.artifact_links import serve
    from kpi_pipeline.shell.local_services import ensure_local_services

    services = ensure_local_services()
    for line in services.started:
        _say(f"started {line}")
    # reports and Data Docs over HTTP, so their metadata links open from the UI
    try:
        artifacts = serve(args.host, args.artifacts_port)
    except OSError:  # the port is taken (another dev session): any free one
        artifacts = serve(args.host, 0)
    host, port = artifacts.server_address[:2]
    os.environ[settings.KPI_ARTIFACTS_URL] = f"http://{host}:{port}"
    _say(f"reports and GX Data Docs on http://{host}:{port}/reports/ and /gx_docs/")
    cmd = [
        sys.executable, "-m", "dagster", "dev",
        "-w", str(settings.PROJECT_ROOT / "workspace.yaml"),
        "-h", args.host, "-p", str(args.port),
    ]  # fmt: skip
    _say(f"Dagster UI on http://{args.host}:{args.port} (Ctrl-C to stop)")
    try:
        return subprocess.call(cmd, cwd=settings.PROJECT_ROOT)
    except KeyboardInterrupt:
        return 0
    finally:
        artifacts.shutdown()
        services.close()


def cmd_backfill(args) -> int:
    from kpi_pipeline.orchestration.plans import backfill_plan, partition_range
    from kpi_pipeline.partitions import monthly_partitions, weekly_partitions
    from kpi_pipeline.shell.preflight import date_range

    start, end = date_range(args.start, args.end)  # before anything starts
    now = datetime.now(TZ)
    weeks = partition_range(weekly_partitions, start, end, now)
    months = partition_range(monthly_partitions, start, end, now)
    if weeks is None and months is None:
        raise SystemExit(f"no partition between {start} and {end}")
    plan = backfill_plan(weeks, months, now, repull=args.repull, max_weeks_per_run=args.max_weeks)
    ingest, rest = plan[0], plan[1:]
    _say(
        f"change history: {'pulled again from ' + ingest.start if args.repull else 'brought up to date'}"
        f" through the week in progress ({ingest.end})"
    )
    if weeks:
        n = sum(r.job == "weekly_report_job" for r in rest)
        _say(
            f"weeks {weeks[0]} .. {weeks[1]} in {n} run{'s' * (n > 1)} (at most {args.max_weeks} weeks each)"
        )
    if months:
        n = sum(r.job == "monthly_job" for r in rest)
        _say(f"months {months[0]} .. {months[1]} in {n} run{'s' * (n > 1)}")
    services = start_checked()
    try:
        _execute(plan)
    finally:
        services.close()
    return 0


def cmd_grant_reader(args) -> int:
    """The reader role on the configured warehouse (the embedded one when `KPI_DATABASE_URL`
    is unset)."""
    from kpi_pipeline.shell.local_services import embedded_warehouse
    from kpi_pipeline.warehouse.db import redact_url
    from kpi_pipeline.warehouse.preflight import check_database
    from kpi_pipeline.warehouse.roles import ReaderRoleError, grant_reader

    name = args.name
    url = os.environ.get(settings.KPI_DATABASE_URL)
    if url:
        check_database(settings.KPI_DATABASE_URL, url)
    else:
        url = embedded_warehouse()
    try:
        for line in grant_reader(url, name):
            _say(line)
    except ReaderRoleError as exc:
        raise ConfigurationError(str(exc)) from None
    _say(f"{name} can now read schema kpi of {redact_url(url)} and nothing else")
    return 0


def cmd_simulator(args) -> int:
    from kpi_pipeline.shell.local_services import serve_simulator

    return serve_simulator(args.simulator_args)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except ConfigurationError as exc:
        for line in str(exc).splitlines():
            print(f"[kpi-pipeline] configuration: {line}", file=sys.stderr, flush=True)
        return 2


def _main(argv: list[str] | None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="kpi-pipeline", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="latest complete week and month, end to end").set_defaults(
        func=cmd_run
    )
    dev = sub.add_parser("dev", help="open the Dagster UI on the same configuration")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=3000)
    dev.add_argument(
        "--artifacts-port", type=int, default=3001, help="where reports and Data Docs are served"
    )
    dev.set_defaults(func=cmd_dev)
    sub.add_parser(
        "sync", help="bring the change history up to date (a new warehouse: all of it)"
    ).set_defaults(func=cmd_sync)
    bf = sub.add_parser("backfill", help="every weekly and monthly partition in a date range")
    bf.add_argument("--start", required=True, help="YYYY-MM-DD")
    bf.add_argument("--end", required=True, help="YYYY-MM-DD (inclusive)")
    bf.add_argument(
        "--repull",
        action="store_true",
        help="read the range's change windows from the portals again (and every later one)",
    )
    bf.add_argument(
        "--max-weeks",
        type=_positive,
        default=_default_max_weeks(),
        help="at most this many weeks per run (default: KPI_MAX_WEEKS_PER_RUN or 53)",
    )
    bf.set_defaults(func=cmd_backfill)
    # The simulator's own command line (`python -m kpi_simulator`): its flags pass through.
    sim = sub.add_parser(
        "simulator", help="serve the portal simulator until interrupted", add_help=False
    )
    sim.set_defaults(func=cmd_simulator)
    reader = sub.add_parser("grant-reader", help="a read-only role for report readers")
    reader.add_argument("name", help="the reader's PostgreSQL role (created if missing)")
    reader.set_defaults(func=cmd_grant_reader)
    args, rest = parser.parse_known_args(argv)
    if rest and args.func is not cmd_simulator:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    args.simulator_args = rest
    return args.func(args)


def _positive(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def _default_max_weeks() -> int:
    from kpi_pipeline.orchestration.plans import DEFAULT_MAX_WEEKS_PER_RUN

    value = os.environ.get(settings.KPI_MAX_WEEKS_PER_RUN, "").strip()
    if not value:
        return DEFAULT_MAX_WEEKS_PER_RUN
    try:
        return _positive(value)
    except argparse.ArgumentTypeError as exc:
        raise ConfigurationError(f"{settings.KPI_MAX_WEEKS_PER_RUN}: {exc}") from None


if __name__ == "__main__":
    sys.exit(main())
