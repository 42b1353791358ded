"""Initial sync benchmark: a new warehouse's first pull of its change history, through Dagster.

    PYTHONPATH=. python benchmarks/initial_sync.py --scale 1.0 --weeks 52

On a fresh embedded PostgreSQL and a simulator in its own process whose "now" is today, with
`KPI_HISTORY_START` set `--weeks` weeks back, it runs `kpi-pipeline sync`'s plan (one
`weekly_ingest_job` run: every raw pull reads the whole history, staging conforms it, the
checks run on the week in progress) and prints the wall time, the CPU seconds of the Dagster
process, of PostgreSQL and of the simulator (psutil, before and after), and the rows landed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from kpi_pipeline.domain.calendar import TZ, week_start  # noqa: E402


def _cpu(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def _postgres_cpu(home: Path) -> float:
    """CPU seconds of the embedded server: the postmaster, the backends it reaped (each step
    connects and disconnects) and the ones alive now."""
    total = 0.0
    for p in psutil.process_iter(["cmdline"]):
        cmd = " ".join(p.info["cmdline"] or [])
        if "postgres" in cmd and str(home) in cmd:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
            total += _cpu(p.children(recursive=True))
    return total


def main(argv: list[str] | None = None) -> int:
    from province_year import Sampler, simulator

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--weeks", type=int, default=52)
    ap.add_argument("--seed", type=int, default=49)
    args = ap.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="kpi-sync-bench-"))
    os.environ["KPI_HOME"] = str(home)
    os.environ.pop("DAGSTER_HOME", None)
    os.environ.pop("KPI_DATABASE_URL", None)
    now = datetime.now(TZ).replace(microsecond=0)
    first = week_start(now.date()) - timedelta(weeks=args.weeks - 1)
    os.environ["KPI_HISTORY_START"] = first.isoformat()
    sampler = Sampler(1.0)  # only for the simulator's process handle below
    out: dict = {"scale": args.scale, "weeks": args.weeks, "history_start": first.isoformat()}
    try:
        stamp = now.strftime("%Y%m%d%H%M%S")
        with simulator(args.scale, args.seed, stamp, sampler, "sync") as env:
            os.environ.update(env)
            from dagster import DagsterInstance

            from kpi_pipeline.orchestration.plans import sync_plan
            from kpi_pipeline.orchestration.runner import execute_plan
            from kpi_pipeline.shell.local_services import ensure_local_services
            from kpi_pipeline.warehouse import db

            services = ensure_local_services()
            try:
                from kpi_pipeline.definitions import defs

                me = psutil.Process()
                sim = [psutil.Process(pid) for pid in sampler.named]
                c0 = (_cpu([me]), _postgres_cpu(home), _cpu(sim))
                t0 = time.monotonic()
                execute_plan(defs, DagsterInstance.get(), sync_plan(now), print)
                wall = time.monotonic() - t0
                c1 = (_cpu([me]), _postgres_cpu(home), _cpu(sim))
                with db.connect(os.environ["KPI_DATABASE_URL"]) as conn:
                    counts = {
                        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                        for t in (
                            "raw.provincial_dossiers",
                            "raw.national_sync",
                            "raw.national_payments",
                            "staging.dossiers",
                            "quarantine.records",
                        )
                    }
            finally:
                services.close()
        dossiers = counts["staging.dossiers"]
        raw = sum(v for k, v in counts.items() if k.startswith("raw."))
        cpu = {
            "dagster_process_s": c1[0] - c0[0],
            "postgres_s": c1[1] - c0[1],
            "simulator_s": c1[2] - c0[2],
        }
        out.update(wall_s=wall, cpu=cpu, counts=counts, raw_records=raw)
        per_m = 1e6 / max(dossiers, 1)
        print(f"initial sync of {args.weeks} weeks at scale {args.scale}: {wall:.1f} s wall")
        print(f"  {dossiers:,} dossiers staged, {raw:,} raw records, load {os.getloadavg()}")
        print(
            "  CPU s: Dagster process {dagster_process_s:.1f}, PostgreSQL {postgres_s:.1f},"
            " simulator {simulator_s:.1f}".format(**cpu)
        )
        ours = cpu["dagster_process_s"] + cpu["postgres_s"]
        print(f"  ours (Dagster process + PostgreSQL) per million dossiers: {ours * per_m:.1f} s")
        print("RESULT " + json.dumps(out, default=str))
    finally:
        from kpi_pipeline.warehouse.embedded import stop_embedded

        if (home / "pgdata").exists():
            stop_embedded(home / "pgdata")
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
