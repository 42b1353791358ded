"""The Friday run and a year's KPI recompute on one year vs four years of history (issue 17).

    PYTHONPATH=. python benchmarks/history_friday.py --scale 0.05 --years 1,4

For each `--years N`, in a child process of its own, on a fresh embedded PostgreSQL with the
bundled simulator (its `now` is today): the initial sync of N years of change history
(`kpi-pipeline sync`'s plan), then

1. the Friday run: one `weekly_job` run for the latest complete week;
2. the recompute of every KPI table for the last year from the staged data: `weekly_kpi_job`
   over its 52 weeks and `monthly_job` over its 12 months (one run each).

Printed: the wall time of each run and of its steps (STEP_START..STEP_SUCCESS in the event
log), with the time inside the asset and check functions, and the dossiers staged. The
Friday run and the recompute should not grow with the history: their queries read the
period, not the history. `--reuse KPI_HOME` runs them on a warehouse synced before (one
`--years`, `KPI_HISTORY_START` as its sync had it), without the sync.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
for p in (ROOT, HERE):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from kpi_pipeline.domain.calendar import TZ, week_start  # noqa: E402


def child(years: int, scale: float, reuse: str | None = None) -> int:
    home = Path(reuse) if reuse else Path(tempfile.mkdtemp(prefix="kpi-history-bench-"))
    os.environ["KPI_HOME"] = str(home)
    os.environ["KPI_SIMULATOR_SCALE"] = str(scale)
    for name in ("DAGSTER_HOME", "KPI_DATABASE_URL", "DAGSTER_PG_URL"):
        os.environ.pop(name, None)
    for name in [k for k in os.environ if k.endswith("_PORTAL_URL")]:
        os.environ.pop(name)
    now = datetime.now(TZ).replace(microsecond=0)
    first = week_start(now.date()) - timedelta(
        weeks=52 * years
    )  # the last 52 complete weeks and more
    if reuse:  # the warehouse's own history start (its sync's)
        first = datetime.fromisoformat(os.environ["KPI_HISTORY_START"]).date()
    os.environ["KPI_HISTORY_START"] = first.isoformat()
    out: dict = {"years": years, "scale": scale, "history_start": first.isoformat()}
    try:
        from dagster import DagsterInstance
        from province_year import ComputeTimer, run_figures

        from kpi_pipeline.domain.calendar import latest_complete_month, latest_complete_week
        from kpi_pipeline.orchestration.plans import MONTHLY, WEEKLY_KPIS, PlannedRun, sync_plan
        from kpi_pipeline.orchestration.runner import execute_plan, run_job
        from kpi_pipeline.shell.local_services import ensure_local_services
        from kpi_pipeline.warehouse import db

        compute = ComputeTimer()
        compute.install()
        services = ensure_local_services(now)  # before the definitions read the settings
        from kpi_pipeline.definitions import defs

        try:
            instance = DagsterInstance.get()
            t0 = time.monotonic()
            if not reuse:
                execute_plan(defs, instance, sync_plan(now), lambda m: None)
            out["sync_wall_s"] = time.monotonic() - t0
            # The daemon launches each run in a fresh process; this one still holds the sync's
            # objects (~75,000 more a year of history), and a full collection of them landed
            # ~0.5 s in some step of the runs below. Frozen, the collector leaves them alone.
            gc.collect()
            gc.freeze()
            with db.connect(os.environ["KPI_DATABASE_URL"]) as conn:
                out["dossiers"] = conn.execute("SELECT count(*) FROM staging.dossiers").fetchone()[
                    0
                ]
            week = latest_complete_week(now)
            month = latest_complete_month(now)
            year_weeks = (week - timedelta(weeks=51)).isoformat(), week.isoformat()
            if month.month == 12:
                first_month = datetime(month.year, 1, 1).date()
            else:
                first_month = datetime(month.year - 1, month.month + 1, 1).date()
            runs = {
                "friday weekly_job": PlannedRun("weekly_job", week.isoformat(), week.isoformat()),
                "recompute weekly_kpi_job (52 weeks)": PlannedRun(WEEKLY_KPIS, *year_weeks),
                "recompute monthly_job (12 months)": PlannedRun(
                    MONTHLY, first_month.isoformat(), month.isoformat()
                ),
            }
            for label, planned in runs.items():
                compute.by_op.clear()
                t0 = time.monotonic()
                result = run_job(defs, instance, planned, lambda m: None)
                wall = time.monotonic() - t0
                out[label] = {"wall_s": wall, "span": planned.span}
                out[label] |= run_figures(instance, result.run_id, compute)
        finally:
            services.close()
    finally:
        from kpi_pipeline.warehouse.embedded import stop_embedded

        if (home / "pgdata").exists():
            stop_embedded(home / "pgdata")
        if not reuse:
            shutil.rmtree(home, ignore_errors=True)
    print("RESULT " + json.dumps(out, default=str), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--years", default="1,4")
    ap.add_argument("--json", help="write every figure to this file")
    ap.add_argument(
        "--reuse",
        metavar="KPI_HOME",
        help="a warehouse synced before (`kpi-pipeline sync` with this KPI_HOME, the same scale"
        " and KPI_HISTORY_START set): no sync, the runs only; its KPI tables are rewritten",
    )
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args.child, args.scale, args.reuse)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    results = []
    for years in [int(y) for y in args.years.split(",")]:
        cmd = [sys.executable, __file__, "--child", str(years), "--scale", str(args.scale)]
        cmd += ["--reuse", args.reuse] if args.reuse else []
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if proc.returncode or not lines:
            print(proc.stdout[-3000:], proc.stderr[-3000:])
            raise SystemExit(f"the {years}-year run failed (exit {proc.returncode})")
        r = json.loads(lines[-1][7:])
        results.append(r)
        print(f"\n== {years} year(s) of history at scale {args.scale}: {r['dossiers']:,} dossiers "
              f"staged (history from {r['history_start']}; sync {r['sync_wall_s']:.1f} s)")  # fmt: skip
        for label in [k for k in r if isinstance(r[k], dict) and "steps" in r[k]]:
            run = r[label]
            inside = sum(s["compute_s"] for s in run["steps"].values())
            print(f"  {label} [{run['span']}]: {run['wall_s']:.1f} s wall, "
                  f"{inside:.1f} s inside asset/check functions")  # fmt: skip
            for step, s in sorted(run["steps"].items(), key=lambda kv: -kv[1]["wall_s"])[:12]:
                print(f"    {step:60s} {s['wall_s']:6.2f} s  (user code {s['compute_s']:.2f} s)")
    if len(results) > 1:
        print("\n=== wall s by history length")
        labels = [k for k in results[0] if isinstance(results[0][k], dict)]
        print(f"  {'':40s}" + "".join(f"{r['years']:>8d} y" for r in results))
        for label in labels:
            print(f"  {label:40s}" + "".join(f"{r[label]['wall_s']:>10.1f}" for r in results))
        step = "kpi__overdue_dossiers_weekly"
        print(f"  {'Friday step ' + step:40s}" + "".join(
            f"{r['friday weekly_job']['steps'].get(step, {}).get('wall_s', float('nan')):>10.2f}"
            for r in results))  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
