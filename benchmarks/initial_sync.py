"""Initial sync benchmark: our own CPU per million dossiers, against a replay floor (issue 17).

    PYTHONPATH=. python benchmarks/initial_sync.py --scale 1.0 --weeks 52 --pairs 3

A new warehouse's first pull of `--weeks` weeks of change history (`kpi-pipeline sync`'s plan:
one `weekly_ingest_job` run; raw pulls, staging, the checks of the week in progress), each run
in a fresh database of one embedded PostgreSQL, each in its own process:

1. live: the pipeline against the simulator, each portal in its own simulator process (same
   seed and `now`), through a recording proxy per portal (`replay_portal.py`) that keeps every
   page served;
2. then `--pairs` times, alternated: the floor (plain `requests` GETs of exactly the recorded
   pages, in order, every item's JSON text COPYed into one bare table) and the pipeline, both
   against the replay portals (recorded pages from memory, one process per portal).

CPU seconds (user + system) of the run's process, of PostgreSQL (the postmaster, its live
children and the ones it reaped) and of each portal process are read from /proc by a sampler
of its own (`cpu_sampler.py`, ~1 Hz, plus a sample at each run's start and end; a run's
imports and start-up are outside). Printed: per run and per million dossiers, medians and
the spread (min..max) of the replay pairs, the ratio pipeline / floor (wall and CPU), and the
live run beside them. With `--baseline DIR`, another checkout's pipeline (its own `.venv`) runs
in every pair too, on the same recorded pages, before or after this one in turn: a change
measured against its base on the same machine at the same moment.

To find where the CPU goes (not for the figures: both cost CPU), `--statement-log FILE` keeps
PostgreSQL's log of every statement's duration (prefixed with the database, `kpi_<n>`), and
`--profile PREFIX` writes a cProfile of each pipeline run to `PREFIX.<n>`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kpi_pipeline.domain.calendar import TZ, week_start  # noqa: E402

PORTALS = ("provincial", "national")
WEEKLY_RAW = ("provincial_dossiers", "national_sync", "national_payments")
COUNTED = (
    "raw.provincial_dossiers",
    "raw.national_sync",
    "raw.national_payments",
    "staging.dossiers",
    "quarantine.records",
)


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


class Sampler:
    """The sampler process, spoken to over its stdin/stdout (`cpu_sampler.py`)."""

    def __init__(self, interval: float):
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "cpu_sampler.py"), "--interval", str(interval)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

    def ask(self, line: str) -> dict:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        self.proc.wait(timeout=10)


def _start_service(cmd: list[str], wanted: str) -> tuple[subprocess.Popen, dict[str, str]]:
    """Start a portal process and read the `NAME=value` lines it prints until `wanted`."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=_env())
    env: dict[str, str] = {}
    for line in proc.stdout:
        if "=" in line and line.split("=", 1)[0].isupper():
            k, v = line.strip().split("=", 1)
            env[k] = v
            if k == wanted:
                return proc, env
    raise RuntimeError(f"{cmd} did not start")


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return proc.stderr.read() if proc.stderr else ""


class Measured:
    """A child run (pipeline or floor): started, READY, marked, go, RESULT, marked, exit."""

    def __init__(
        self, sampler: Sampler, role: str, cmd: list[str], env: dict[str, str], cwd: Path = ROOT
    ):
        self.sampler, self.role = sampler, role
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=cwd, env=env
        )
        sampler.ask(f"track {role} {self.proc.pid}")

    def run(self) -> dict:
        self._until("READY")
        c0, t0 = self.sampler.ask("mark"), time.monotonic()
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        result = json.loads(self._until("RESULT ")[7:])
        wall = time.monotonic() - t0
        time.sleep(1.0)  # the run's last backend exits and is reaped (its CPU in cutime)
        c1 = self.sampler.ask("mark")
        peaks = self.sampler.ask("peaks")
        self.proc.stdin.close()
        self.proc.wait()
        if self.proc.returncode:
            raise SystemExit(f"{self.role} run failed (exit {self.proc.returncode})")
        result["wall_s"] = wall
        result["cpu_s"] = {k: c1[k] - c0.get(k, 0.0) for k in c1 if k == self.role or k in c0}
        result["peak_rss_mb"] = peaks.get(self.role)
        result["child_peak_rss_mb"] = peaks.get(f"{self.role} child")  # a long pull's child
        return result

    def _until(self, prefix: str) -> str:
        for line in self.proc.stdout:
            if line.startswith(prefix):
                return line.strip()
            print("    " + line.rstrip(), flush=True)
        raise SystemExit(f"{self.role} ended before {prefix.strip()}")


# ------------------------------------------------------------------------------- children
def pipeline_child(spec: dict) -> int:
    """One `kpi-pipeline sync` plan in this process, on the databases the parent made."""
    from dagster import DagsterInstance

    from kpi_pipeline.definitions import defs
    from kpi_pipeline.orchestration.plans import sync_plan
    from kpi_pipeline.orchestration.runner import execute_plan
    from kpi_pipeline.shell.local_services import ensure_local_services
    from kpi_pipeline.warehouse import db

    if spec.get("serial_pulls"):  # --pull-ab: the portals one after the other, as before
        from kpi_pipeline.ingestion import assets

        assets.start_other_portals = lambda *_: None
    services = ensure_local_services()
    instance = DagsterInstance.get()
    now = datetime.fromisoformat(spec["now"])
    print("READY", flush=True)
    sys.stdin.readline()
    profile = None
    if spec.get("profile"):
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    results = execute_plan(defs, instance, sync_plan(now), lambda m: print(m, flush=True))
    if profile is not None:
        profile.disable()
        profile.dump_stats(f"{spec['profile']}.{spec['n']}")
    services.close()
    with db.connect(os.environ["KPI_DATABASE_URL"]) as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}
    pulls = _pull_span(instance, [r.run_id for r in results if r is not None])
    print(f"    weekly raw pulls: {pulls:.1f} s wall (first raw step's start to last's end)")
    print("RESULT " + json.dumps({"counts": counts, "pull_wall_s": pulls}), flush=True)
    sys.stdin.read()
    return 0


def _pull_span(instance, run_ids: list[str]) -> float:
    """Wall seconds from the first weekly raw step's start to the last one's end."""
    from dagster import DagsterEventType

    kinds = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS}
    stamps = [
        e.timestamp
        for run_id in run_ids
        for e in instance.all_logs(run_id, of_type=kinds)
        if e.step_key and e.step_key.split("__")[-1] in WEEKLY_RAW
    ]
    return max(stamps) - min(stamps) if stamps else 0.0


def floor_child(spec: dict) -> int:
    """The leanest load: GET exactly the recorded pages, COPY every item's JSON text."""
    import orjson
    import psycopg
    import requests

    session = requests.Session()
    series = []
    for portal in PORTALS:
        base = spec["urls"][portal]
        token = session.post(base + "/oauth/token", data={"grant_type": "client_credentials"})
        headers = {"Authorization": "Bearer " + token.json()["access_token"]}
        idx = Path(spec["store"]) / f"{portal}.idx"
        series += [(base, json.loads(line)[0], headers) for line in idx.read_text().splitlines()]
    with psycopg.connect(spec["url"], autocommit=True) as conn:
        conn.execute("CREATE TABLE floor_raw (source text, payload text)")
        print("READY", flush=True)
        sys.stdin.readline()
        n = dossiers = 0
        with conn.transaction(), conn.cursor() as cur, cur.copy("COPY floor_raw FROM STDIN") as cp:
            for base, key, headers in series:
                resp = session.get(base + key, headers=headers, timeout=(5, 300))
                resp.raise_for_status()
                path = key.split("?", 1)[0]
                items = resp.json()["items"]
                for item in items:
                    cp.write_row((path, orjson.dumps(item).decode()))
                n += len(items)
                if path.endswith("/api/v1/hoso") and "dongbo" not in path:
                    dossiers += len(items)
    print("RESULT " + json.dumps({"records": n, "dossiers": dossiers}), flush=True)
    sys.stdin.read()
    return 0


# ------------------------------------------------------------------------------- parent
def _per_m(run: dict, role: str, dossiers: int) -> float:
    return run["cpu_s"].get(role, 0.0) * 1e6 / max(dossiers, 1)


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):8.1f}  ({min(values):.1f}..{max(values):.1f})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--weeks", type=int, default=52)
    ap.add_argument("--seed", type=int, default=49)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--interval", type=float, default=1.0, help="sampling interval, s")
    ap.add_argument("--json", help="write every figure to this file")
    ap.add_argument(
        "--statement-log",
        help="profiling: log every statement's duration and "
        "copy PostgreSQL's log to this file (it costs CPU: not for the figures)",
    )
    ap.add_argument(
        "--baseline",
        type=Path,
        help="another checkout (with its .venv) whose pipeline runs in every pair too, on the same pages",
    )
    ap.add_argument("--profile", help="profiling: cProfile each pipeline run into PROFILE.<n>")
    ap.add_argument("--pull-ab", type=int, default=0, metavar="ROUNDS",
                    help="only live runs, alternated: the portals pulled one after the other "
                    "(as before concurrent_pulls.py) and at the same time; their pulls' wall")  # fmt: skip
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--floor-child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return pipeline_child(json.loads(args.child))
    if args.floor_child:
        return floor_child(json.loads(args.floor_child))

    from kpi_pipeline.warehouse import db
    from kpi_pipeline.warehouse.embedded import start_embedded, stop_embedded

    baseline = args.baseline.resolve() if args.baseline else None
    home = Path(tempfile.mkdtemp(prefix="kpi-sync-bench-"))
    store = home / "replay"
    now = datetime.now(TZ).replace(microsecond=0)
    first = week_start(now.date()) - timedelta(weeks=args.weeks - 1)
    stamp = now.strftime("%Y%m%d%H%M%S")
    out: dict = {"scale": args.scale, "weeks": args.weeks, "history_start": first.isoformat(),
                 "now": now.isoformat(), "cpus": os.cpu_count(), "runs": []}  # fmt: skip
    sampler = Sampler(args.interval)
    services: list[subprocess.Popen] = []
    try:
        server = start_embedded(home / "pgdata")
        with db.connect(server) as conn:
            backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
            out["postgres"] = conn.execute("SHOW server_version").fetchone()[0]
            with open(f"/proc/{backend}/stat") as f:
                postmaster = int(f.read().rsplit(")", 1)[1].split()[1])
        sampler.ask(f"track postgres {postmaster}")
        if args.statement_log:  # log_line_prefix names the database: kpi_<n>, dagster_<n>
            with db.connect(server, autocommit=True) as conn:
                conn.execute("ALTER SYSTEM SET log_min_duration_statement = 0")
                conn.execute("ALTER SYSTEM SET log_line_prefix = '%m [%p] %d '")
                conn.execute("SELECT pg_reload_conf()")
        sim_cmd = [sys.executable, "-m", "kpi_simulator", "--port", "0",
                   "--scale", str(args.scale), "--seed", str(args.seed), "--now", stamp]  # fmt: skip
        portal_env: dict[str, str] = {}
        live: dict[str, str] = {}
        for portal in PORTALS:  # one simulator process per portal
            proc, env = _start_service(sim_cmd, "KPI_PROVINCE_CODE")
            services.append(proc)
            sampler.ask(f"track simulator_{portal} {proc.pid}")
            live[portal] = env[f"{portal.upper()}_PORTAL_URL"]
            portal_env.update({k: v for k, v in env.items() if k.startswith(portal.upper())})
            portal_env["KPI_PROVINCE_CODE"] = env["KPI_PROVINCE_CODE"]

        def portals(record: bool) -> tuple[list[subprocess.Popen], dict[str, str]]:
            procs, urls = [], {}
            for portal in PORTALS:
                cmd = [sys.executable, str(HERE / "replay_portal.py"), "--portal", portal,
                       "--store", str(store)]  # fmt: skip
                if record:
                    cmd += ["--record-from", live[portal]]
                proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, cwd=ROOT, env=_env())  # fmt: skip
                urls[portal] = proc.stdout.readline().strip().split("=", 1)[1]
                sampler.ask(f"track {'recorder' if record else 'replay'}_{portal} {proc.pid}")
                procs.append(proc)
            return procs, urls

        counter = iter(range(1000))

        def pipeline(
            urls: dict[str, str], label: str, serial: bool = False, checkout: Path = ROOT
        ) -> dict:
            n = next(counter)
            url = db.create_database(server, f"kpi_{n}")
            dagster = db.dagster_storage_url(db.create_database(server, f"dagster_{n}"))
            env = _env(
                KPI_HOME=str(home / f"home_{n}"), KPI_DATABASE_URL=url, DAGSTER_PG_URL=dagster,
                KPI_HISTORY_START=first.isoformat(), DAGSTER_HOME=str(home / f"dagster_{n}"),
                **(portal_env | {f"{p.upper()}_PORTAL_URL": urls[p] for p in PORTALS}),
            )  # fmt: skip
            env.pop("KPI_CONFIG_FILE", None)
            spec = json.dumps(
                {"now": now.isoformat(), "profile": args.profile, "n": n, "serial_pulls": serial}
            )
            python = sys.executable
            if checkout != ROOT:  # --baseline: that checkout's own code, venv and child protocol
                python = str(checkout / ".venv" / "bin" / "python")
                env["PYTHONPATH"] = str(checkout)
            cmd = [python, str(checkout / "benchmarks" / "initial_sync.py"), "--child", spec]
            run = Measured(sampler, "pipeline", cmd, env, cwd=checkout).run()
            run["kind"], run["label"] = "pipeline", label
            out["runs"].append(run)
            _say(run)
            db.drop_database(server, f"kpi_{n}")
            db.drop_database(server, f"dagster_{n}")
            return run

        def floor(urls: dict[str, str]) -> dict:
            n = next(counter)
            url = db.libpq_url(db.create_database(server, f"floor_{n}"))
            spec = json.dumps({"urls": urls, "store": str(store), "url": url})
            cmd = [sys.executable, __file__, "--floor-child", spec]
            run = Measured(sampler, "floor", cmd, _env()).run()
            run["kind"], run["label"] = "floor", "replay"
            run["counts"] = {"staging.dossiers": run["dossiers"]}
            out["runs"].append(run)
            _say(run)
            db.drop_database(server, f"floor_{n}")
            return run

        if args.pull_ab:
            pull_ab(args, out, lambda serial: pipeline(live, "live", serial))
            return 0
        print(f"== live: {args.weeks} weeks at scale {args.scale}, history from {first}")
        recorders, urls = portals(record=True)
        pipeline(urls, "live")
        for proc in recorders:
            print("   " + _stop(proc).strip())
        for proc in services:
            _stop(proc)
        services.clear()
        replays, urls = portals(record=False)
        services += replays
        for i in range(args.pairs):
            print(f"== replay pair {i + 1} of {args.pairs} (load {os.getloadavg()[0]:.2f})")
            floor(urls)
            if baseline is not None and i % 2 == 0:
                pipeline(urls, "baseline", checkout=baseline)
            pipeline(urls, "replay")
            if baseline is not None and i % 2 == 1:  # which of the two goes first alternates
                pipeline(urls, "baseline", checkout=baseline)
        for proc in replays:
            missed = _stop(proc).strip()
            if missed:
                raise SystemExit(f"replay portal: {missed}")
        services.clear()
        summary(out)
        out["load_after"] = os.getloadavg()
        print("RESULT " + json.dumps(out, default=str))
        if args.json:
            Path(args.json).write_text(json.dumps(out, indent=1, default=str))
    finally:
        for proc in services:
            _stop(proc)
        sampler.close()
        if (home / "pgdata").exists():
            stop_embedded(home / "pgdata")
            if args.statement_log and (home / "pgdata" / "log").is_file():
                shutil.copy(home / "pgdata" / "log", args.statement_log)
        shutil.rmtree(home, ignore_errors=True)
    return 0


def pull_ab(args, out: dict, run) -> None:
    """`--pull-ab`: live runs after a warm-up, serial and concurrent pulls alternated (and which
    of them goes first)."""
    walls: dict[str, list[float]] = {"one after the other": [], "at the same time": []}
    # the simulator's first pass over a history costs it ~4x the later ones: not counted
    print("== warm-up run (not counted)")
    run(False)
    for i in range(args.pull_ab):
        print(f"== live round {i + 1} of {args.pull_ab} (load {os.getloadavg()[0]:.2f})")
        for serial in (True, False) if i % 2 == 0 else (False, True):
            label = "one after the other" if serial else "at the same time"
            print(f"  portals pulled {label}")
            r = run(serial)
            walls[label].append(r["pull_wall_s"])
            out.setdefault("pull_ab", []).append({"serial": serial, **r})
    print(f"\n=== weekly raw pulls, live simulator, {args.weeks} weeks at scale {args.scale}")
    for label, values in walls.items():
        print(f"  portals pulled {label:20s} {_spread(values)} s wall")
    print("RESULT " + json.dumps(out, default=str))


def _say(run: dict) -> None:
    d = run["counts"]["staging.dossiers"]
    cpu = ", ".join(f"{k} {v:.1f}" for k, v in sorted(run["cpu_s"].items()))
    print(f"  {run['kind']} ({run['label']}): {run['wall_s']:.1f} s wall, {d:,} dossiers; "
          f"CPU s: {cpu}; peak RSS {run['peak_rss_mb'] or 0:.0f} MB"
          + (f" (its pull's child process {run['child_peak_rss_mb']:.0f} MB)"
             if run.get("child_peak_rss_mb") else ""), flush=True)  # fmt: skip


def summary(out: dict) -> None:
    runs = out["runs"]
    live = [r for r in runs if r["label"] == "live"][0]
    pipes = [r for r in runs if r["kind"] == "pipeline" and r["label"] == "replay"]
    floors = [r for r in runs if r["kind"] == "floor"]
    d = live["counts"]["staging.dossiers"]
    raw = sum(v for k, v in live["counts"].items() if k.startswith("raw."))
    print(
        f"\n=== {out['weeks']} weeks at scale {out['scale']}: {d:,} dossiers, {raw:,} raw records"
    )
    print("CPU s per million dossiers            median  (min..max)")

    def ours(r):
        return (r["cpu_s"].get(r["kind"], 0) + r["cpu_s"].get("postgres", 0)) * 1e6 / d

    rows = {
        "pipeline: Dagster process": [_per_m(r, "pipeline", d) for r in pipes],
        "pipeline: PostgreSQL": [_per_m(r, "postgres", d) for r in pipes],
        "pipeline: ours (process + PostgreSQL)": [ours(r) for r in pipes],
        "pipeline: replay portals": [
            sum(v for k, v in r["cpu_s"].items() if k.startswith("replay")) * 1e6 / d for r in pipes
        ],
        "floor: loader process": [_per_m(r, "floor", d) for r in floors],
        "floor: PostgreSQL": [_per_m(r, "postgres", d) for r in floors],
        "floor: ours (process + PostgreSQL)": [ours(r) for r in floors],
    }
    for name, values in rows.items():
        print(f"  {name:36s} {_spread(values)}")
    wall = [p["wall_s"] / f["wall_s"] for p, f in zip(pipes, floors, strict=True)]
    cpu = [ours(p) / ours(f) for p, f in zip(pipes, floors, strict=True)]
    print(f"  wall s: pipeline {_spread([r['wall_s'] for r in pipes])}, "
          f"floor {_spread([r['wall_s'] for r in floors])}")  # fmt: skip
    print(f"  pipeline / floor, wall (pairwise)    {_spread(wall)}")
    pulls = [r.get("pull_wall_s", 0.0) for r in pipes]
    print(
        f"  weekly raw pulls, wall s: replay {_spread(pulls)}, live {live.get('pull_wall_s', 0):.1f}"
    )
    print(f"  pipeline / floor, our CPU (pairwise) {_spread(cpu)}")
    base = [r for r in runs if r["label"] == "baseline"]
    if base:
        print("--baseline, the same pairs:")
        for name, values in {
            "baseline: Dagster process": [_per_m(r, "pipeline", d) for r in base],
            "baseline: PostgreSQL": [_per_m(r, "postgres", d) for r in base],
            "baseline: ours (process + PostgreSQL)": [ours(r) for r in base],
            "baseline: wall s": [r["wall_s"] for r in base],
            "baseline: weekly raw pulls, wall s": [r.get("pull_wall_s", 0.0) for r in base],
        }.items():
            print(f"  {name:36s} {_spread(values)}")
    sims = sum(v for k, v in live["cpu_s"].items() if k.startswith("simulator"))
    print(f"live simulator (two processes): pipeline {live['wall_s']:.1f} s wall; ours "
          f"{ours(live):.1f} CPU-s/M; simulators {sims * 1e6 / d:.1f} CPU-s/M; "
          f"recording proxies {sum(v for k, v in live['cpu_s'].items() if k.startswith('recorder')) * 1e6 / d:.1f} CPU-s/M")  # fmt: skip
    out["summary"] = {k: statistics.median(v) for k, v in rows.items()} | {
        "ratio_wall_median": statistics.median(wall),
        "ratio_cpu_median": statistics.median(cpu),
        "pull_wall_median": statistics.median(pulls),
    }


if __name__ == "__main__":
    sys.exit(main())
