"""`kpi-pipeline`: run the pipeline on the embedded default, open the UI, backfill, simulate.

kpi-pipeline run         latest complete week and month, end to end (the main command)
kpi-pipeline dev         the Dagster UI (dagster dev) on the same configuration
kpi-pipeline backfill --start YYYY-MM-DD --end YYYY-MM-DD
kpi-pipeline simulator   serve the portal simulator until interrupted
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta

from kpi_pipeline import settings
from kpi_pipeline.domain.calendar import (
    TZ,
    latest_complete_month,
    latest_complete_week,
    week_start,
)


def _say(msg: str) -> None:
    print(f"[kpi-pipeline] {msg}", flush=True)


def _run_job(defs, instance, name: str, start: str, end: str | None = None):
    """One run of `name` over the partition range [start, end] (a single partition if end is None)."""
    from dagster import DagsterRunStatus

    job = defs.resolve_job_def(name)
    if not job.asset_layer.executable_asset_keys:
        _say(f"{name}: nothing to run yet")
        return None
    tags = (
        {"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end}
        if end and end != start
        else {}
    )
    t0 = time.monotonic()
    result = job.execute_in_process(
        instance=instance,
        partition_key=None if tags else start,
        tags=tags,
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        raise_on_error=False,
    )
    status = instance.get_run_by_id(result.run_id).status
    span = f"{start}..{end}" if tags else start
    _say(f"{name} [{span}] {status.value} in {time.monotonic() - t0:.1f}s (run {result.run_id})")
    checks = result.get_asset_check_evaluations()
    if checks:
        failed = [c for c in checks if not c.passed]
        _say(f"  data-quality checks: {len(checks) - len(failed)} passed, {len(failed)} failed")
        for c in failed:
            where = f" [{c.partition}]" if c.partition else ""
            _say(f"    {c.severity.value} {c.asset_key.to_user_string()} {c.check_name}{where}")
    if status != DagsterRunStatus.SUCCESS:
        for event in result.all_events:
            if event.is_failure and event.event_specific_data is not None:
                err = getattr(event.event_specific_data, "error", None)
                while err is not None and err.cause is not None:
                    err = err.cause  # the root cause says what went wrong
                if err is not None:
                    _say(f"  {event.step_key}: {err.message.strip()}")
        raise SystemExit(f"{name} failed for {span}")
    return result


def start_checked():
    """Start the embedded default where nothing is configured, then check the configuration
    (one connection to each database and portal); `ConfigurationError` names what to set."""
    from kpi_pipeline.local_services import ensure_local_services
    from kpi_pipeline.preflight import ConfigurationError, check_all

    services = ensure_local_services()
    for line in services.started:
        _say(f"started {line}")
    problems = check_all(os.environ)
    if problems:
        services.close()
        raise ConfigurationError("\n".join(problems))
    return services


def cmd_run(args) -> int:
    now = datetime.now(TZ)
    services = start_checked()
    try:
        from dagster import DagsterInstance

        from kpi_pipeline.definitions import defs

        week = latest_complete_week(now)
        month = latest_complete_month(now)
        current_week = week_start(now.date())
        # A quarter of weekly history gives the report its 12-week trend and 13-week heatmap.
        history = week - timedelta(weeks=12)
        first_week = min(week_start(month), history)
        instance = DagsterInstance.get()
        _say(f"warehouse: {_redacted(os.environ[settings.KPI_DATABASE_URL])}")
        _say(f"week {week.isoformat()} and month {month:%Y-%m}; pulling changes since {first_week}")
        # A dossier appears in the pull of its latest change only, so the month's dossiers are
        # complete once every week from the month's start to now has been pulled.
        _run_job(
            defs, instance, "weekly_ingest_job", first_week.isoformat(), current_week.isoformat()
        )
        _run_job(
            defs,
            instance,
            "weekly_kpi_job",
            history.isoformat(),
            (week - timedelta(weeks=1)).isoformat(),
        )
        _run_job(defs, instance, "weekly_report_job", week.isoformat())
        _run_job(defs, instance, "monthly_job", month.isoformat())
        _summarise(week, month)
    finally:
        services.close()
    return 0


def _summarise(week: date, month: date) -> None:
    import psycopg

    url = os.environ[settings.KPI_DATABASE_URL]
    with psycopg.connect(url) as conn:

        def count(sql, *params):
            try:
                return conn.execute(sql, params).fetchone()[0]
            except psycopg.errors.UndefinedTable:
                conn.rollback()
                return None

        figures = {
            "staging.dossiers": count("SELECT count(*) FROM staging.dossiers"),
            "quarantine.records": count("SELECT count(*) FROM quarantine.records"),
            "kpi.unit_kpi_weekly rows for the week": count(
                "SELECT count(*) FROM kpi.unit_kpi_weekly WHERE period_start = %s", week
            ),
            "kpi.unit_kpi_monthly rows for the month": count(
                "SELECT count(*) FROM kpi.unit_kpi_monthly WHERE period_start = %s", month
            ),
        }
    for name, value in figures.items():
        if value is not None:
            _say(f"{name}: {value}")
    reports = settings.kpi_home() / "reports"
    if reports.exists():
        _say(f"reports: {reports}")
    _say("look at it in the Dagster UI: kpi-pipeline dev  (then open http://127.0.0.1:3000)")
    _say(f"or query the warehouse: psql '{_redacted(url)}'")


def _redacted(url: str) -> str:
    from kpi_pipeline.warehouse.db import redact_url

    return redact_url(url)


def cmd_dev(args) -> int:
    from kpi_pipeline.local_services import ensure_local_services

    services = ensure_local_services()
    for line in services.started:
        _say(f"started {line}")
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
        services.close()


def cmd_backfill(args) -> int:
    from kpi_pipeline.orchestration.backfill import backfill

    return backfill(
        date.fromisoformat(args.start),
        date.fromisoformat(args.end),
        say=_say,
        through_now=args.through_now,
    )


def cmd_simulator(args) -> int:
    from kpi_pipeline.local_services import SIMULATOR_SCALE, SIMULATOR_SEED, start_simulator

    os.environ[SIMULATOR_SCALE] = str(args.scale)
    os.environ[SIMULATOR_SEED] = str(args.seed)
    for name in (settings.PROVINCIAL_PORTAL_URL, settings.NATIONAL_PORTAL_URL):
        os.environ.pop(name, None)
    server = start_simulator()
    for name in (settings.PROVINCIAL_PORTAL_URL, settings.PROVINCIAL_PORTAL_CLIENT_ID,
                 settings.PROVINCIAL_PORTAL_CLIENT_SECRET, settings.NATIONAL_PORTAL_URL,
                 settings.NATIONAL_PORTAL_CLIENT_ID, settings.NATIONAL_PORTAL_CLIENT_SECRET):  # fmt: skip
        print(f"export {name}={os.environ[name]}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    from kpi_pipeline.preflight import ConfigurationError

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
    dev.set_defaults(func=cmd_dev)
    bf = sub.add_parser("backfill", help="every weekly and monthly partition in a date range")
    bf.add_argument("--start", required=True, help="YYYY-MM-DD")
    bf.add_argument("--end", required=True, help="YYYY-MM-DD (inclusive)")
    bf.add_argument(
        "--through-now",
        action="store_true",
        help="also pull every week after the range, so late changes reach the backfilled periods",
    )
    bf.set_defaults(func=cmd_backfill)
    sim = sub.add_parser("simulator", help="serve the portal simulator until interrupted")
    sim.add_argument("--scale", type=float, default=0.01)
    sim.add_argument("--seed", type=int, default=49)
    sim.set_defaults(func=cmd_simulator)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
