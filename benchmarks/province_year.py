"""Province-year benchmark: the pipeline's backfill through Dagster against the leanest load.

    PYTHONPATH=. python benchmarks/province_year.py --scale 1.0 --weeks 1,13,52

For each `--weeks N` (each in its own child process, on a fresh embedded PostgreSQL unless
`KPI_DATABASE_URL` is set, then in fresh databases on that server):

1. floor: a fresh simulator process; plain `requests` pages of the same change windows (every
   week, every month's `chiso`, the reference lists; in the pipeline's order) COPYed as text into
   one bare table, in its own process;
2. pipeline: a second fresh simulator process (same seed, scale and `now`: byte-identical
   data); the backfill plan (`orchestration/plans.py`) over the N Friday weeks ending with
   the week of 2024-12-27 and the months they overlap up to 2024-12-31 (one run per job, on a
   real `DagsterInstance` with PostgreSQL storage);
3. Friday: one `weekly_job` run for the week after (2025-01-03) on top of that history.

Printed: wall time per run and per step (STEP_START/STEP_SUCCESS from the event log), the
time inside the asset and check functions (Dagster's `invoke_compute_fn`, wrapped), rows per
second, peak memory of every process (the Dagster process, the simulators, the floor loader,
each PostgreSQL process by role; /proc VmHWM and PSS, sampled by a background thread), row
counts of the raw, staging, quarantine and kpi tables, and the ratios against the targets.
`--json FILE` keeps the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import contextmanager, suppress
from datetime import date, datetime, timedelta
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kpi_pipeline.domain.calendar import TZ  # noqa: E402

LAST_WEEK = date(2024, 12, 27)  # the Friday week holding 31 December 2024
YEAR_END = date(2024, 12, 31)
FRIDAY_WEEK = date(2025, 1, 3)  # the incremental run after the year
DEFAULT_NOW = "20250110100000"  # Friday 10 January 2025, 10:00: every 2024 week is closed
MB = 1024 * 1024


# ------------------------------------------------------------------------------------ memory
def _vm_hwm(pid: int) -> int:
    """Peak resident set size of a live process (kernel high-water mark), bytes."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _pg_role(cmdline: str) -> str:
    """postgres process title -> role: 'postgres: kpi kpi [local] SELECT' -> 'backend kpi'."""
    if not cmdline.startswith("postgres:"):
        return "backend (starting)"
    title = cmdline.removeprefix("postgres:").strip()
    for aux in (
        "checkpointer",
        "background writer",
        "walwriter",
        "autovacuum launcher",
        "autovacuum worker",
        "logical replication launcher",
        "parallel worker",
    ):
        if title.startswith(aux):
            return aux
    parts = title.split()
    if len(parts) >= 2:
        return f"backend ({parts[1]} db)"
    return "postmaster"


class Sampler(threading.Thread):
    """Samples RSS/PSS of the processes it is told about, and the PostgreSQL tree, every
    `interval` s; keeps per-pid peaks (VmHWM, so spikes between samples are not lost) and a
    time series of per-role totals for phase-wise peaks."""

    def __init__(self, interval: float = 0.25):
        super().__init__(daemon=True, name="memory-sampler")
        self.interval = interval
        self.named: dict[int, str] = {}  # pid -> role
        self.postmaster: int | None = None
        self.peak_hwm: dict[int, tuple[str, int]] = {}
        self.peak_pss: dict[int, tuple[str, int]] = {}
        self.series: list[tuple[float, dict[str, int]]] = []  # (t, role -> rss sum)
        self.pg_pss_total_peak = 0
        self._halt = threading.Event()
        self._procs: dict[int, psutil.Process] = {}

    def track(self, pid: int, role: str) -> None:
        self.named[pid] = role

    def _proc(self, pid: int) -> psutil.Process | None:
        p = self._procs.get(pid)
        if p is None:
            try:
                p = self._procs[pid] = psutil.Process(pid)
            except psutil.Error:
                return None
        return p

    def _targets(self) -> list[tuple[int, str]]:
        out = [(pid, role) for pid, role in self.named.items()]
        if self.postmaster:
            pm = self._proc(self.postmaster)
            if pm is not None:
                out.append((self.postmaster, "postgres postmaster"))
                try:
                    for c in pm.children():
                        with suppress(psutil.Error):
                            out.append((c.pid, "postgres " + _pg_role(" ".join(c.cmdline()))))
                except psutil.Error:
                    pass
        return out

    def sample(self) -> None:
        now = time.time()
        totals: dict[str, int] = defaultdict(int)
        pg_pss = 0
        for pid, role in self._targets():
            p = self._proc(pid)
            if p is None:
                continue
            try:
                info = p.memory_full_info()
            except psutil.Error:
                continue
            hwm = max(_vm_hwm(pid), info.rss)
            if hwm > self.peak_hwm.get(pid, ("", 0))[1]:
                self.peak_hwm[pid] = (role, hwm)
            pss = getattr(info, "pss", info.rss)
            if pss > self.peak_pss.get(pid, ("", 0))[1]:
                self.peak_pss[pid] = (role, pss)
            totals[role] += info.rss
            if role.startswith("postgres"):
                pg_pss += pss
        totals["postgres (all, PSS)"] = pg_pss
        self.pg_pss_total_peak = max(self.pg_pss_total_peak, pg_pss)
        self.series.append((now, dict(totals)))

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)
        self.sample()

    def peaks_by_role(self) -> dict[str, dict]:
        """Per role: the largest single-process peak RSS and PSS, and how many processes."""
        out: dict[str, dict] = {}
        for pid, (role, hwm) in self.peak_hwm.items():
            r = out.setdefault(role, {"processes": 0, "peak_rss_mb": 0.0, "peak_pss_mb": 0.0})
            r["processes"] += 1
            r["peak_rss_mb"] = max(r["peak_rss_mb"], hwm / MB)
            r["peak_pss_mb"] = max(r["peak_pss_mb"], self.peak_pss.get(pid, ("", 0))[1] / MB)
        out["postgres (all, PSS)"] = {
            "processes": sum(v["processes"] for k, v in out.items() if k.startswith("postgres")),
            "peak_rss_mb": None,
            "peak_pss_mb": self.pg_pss_total_peak / MB,
        }
        return out

    def peak_in(self, t0: float, t1: float) -> dict[str, float]:
        """Per role, the largest sampled RSS sum (PSS for the PostgreSQL total) within [t0, t1]."""
        out: dict[str, float] = {}
        for t, totals in self.series:
            if t0 <= t <= t1:
                for role, v in totals.items():
                    out[role] = max(out.get(role, 0.0), v / MB)
        return out


# ------------------------------------------------------------------------------------ simulator
@contextmanager
def simulator(scale: float, seed: int, now: str, sampler: Sampler, label: str):
    """A simulator in its own process (so it does not share the GIL with what it serves)."""
    cmd = [sys.executable, "-m", "kpi_simulator", "--port", "0"]
    cmd += ["--scale", str(scale), "--seed", str(seed), "--now", now]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=_child_env())
    env: dict[str, str] = {}
    try:
        for line in proc.stdout:
            if "=" in line and line.split("=", 1)[0].isupper():
                k, v = line.strip().split("=", 1)
                env[k] = v
            if line.startswith("KPI_PROVINCE_CODE"):
                break
        if "PROVINCIAL_PORTAL_URL" not in env:
            raise RuntimeError("the simulator did not start")
        sampler.track(proc.pid, f"simulator ({label})")
        yield env
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


# ------------------------------------------------------------------------------------ floor
def floor_windows(first_week: date, weeks: int, months: list[str]) -> list[tuple]:
    """(portal, path, params) of every request series the pipeline makes, in the same windows
    and the same order: the in-process run pulls payments, then sync records, then dossiers,
    each over all the weeks, then the reference lists; the monthly run then the chiso months.

    The order matters: the simulator keeps generated receipt days in an LRU cache bounded by
    `cache_dossiers`, so a floor that interleaved the three sources week by week would have the
    simulator generate each day once where the pipeline's order makes it generate them three
    times; the floor would then measure a cheaper portal, not a leaner client.
    """
    series = []
    for k in range(weeks):
        start = datetime.combine(first_week + timedelta(days=7 * k), datetime.min.time(), TZ)
        series.append((f"{start:%Y%m%d%H%M%S}", f"{start + timedelta(days=7):%Y%m%d%H%M%S}"))
    out: list[tuple] = [
        ("national", "/api/v1/thanhtoan", {"tu": a, "den": b, "ma_tinh": "49"}) for a, b in series
    ]
    out += [
        ("national", "/api/v1/dongbo/hoso", {"capnhat_tu": a, "capnhat_den": b, "ma_tinh": "49"})
        for a, b in series
    ]
    out += [("provincial", "/api/v1/hoso", {"capnhat_tu": a, "capnhat_den": b}) for a, b in series]
    out += [("provincial", "/api/v1/donvi", {}), ("provincial", "/api/v1/thutuc", {})]
    out += [
        ("provincial", "/api/v1/ngaynghi", {"nam": y}) for y in range(2022, date.today().year + 2)
    ]
    for m in months:
        out.append(("national", "/api/v1/chiso", {"ma_tinh": "49", "thang": m[:4] + m[5:7]}))
    return out


def floor_worker(args) -> int:
    """The leanest load: GET pages, COPY every item's JSON text into one bare table."""
    import psycopg
    import requests

    spec = json.loads(args.floor_worker)
    env = spec["env"]
    session = requests.Session()
    tokens = {}
    for portal in ("provincial", "national"):
        base = env[f"{portal.upper()}_PORTAL_URL"]
        r = session.post(
            base + "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": env[f"{portal.upper()}_PORTAL_CLIENT_ID"],
                "client_secret": env[f"{portal.upper()}_PORTAL_CLIENT_SECRET"],
            },
        )
        r.raise_for_status()
        tokens[portal] = (base, {"Authorization": "Bearer " + r.json()["access_token"]})
    t0 = time.perf_counter()
    n = 0
    http_s = 0.0
    dumps = json.dumps
    with psycopg.connect(spec["url"], autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS floor_raw")
        conn.execute(
            "CREATE UNLOGGED TABLE floor_raw (source text, payload text)"
            if spec.get("unlogged")
            else "CREATE TABLE floor_raw (source text, payload text)"
        )
        with (
            conn.transaction(),
            conn.cursor() as cur,
            cur.copy("COPY floor_raw FROM STDIN") as copy,
        ):
            for portal, path, params in spec["windows"]:
                base, headers = tokens[portal]
                page = 1
                while True:
                    h0 = time.perf_counter()
                    body = session.get(
                        base + path,
                        params={**params, "page": page, "size": 500},
                        headers=headers,
                        timeout=(5, 300),
                    ).json()
                    http_s += time.perf_counter() - h0
                    items = body["items"]
                    for item in items:
                        copy.write_row((path, dumps(item, ensure_ascii=False)))
                    n += len(items)
                    # as the pipeline's client: until a short or empty page, not by `total`
                    if len(items) < int(body["size"]):
                        break
                    page += 1
        dossiers = conn.execute(
            "SELECT count(*) FROM floor_raw WHERE source = '/api/v1/hoso'"
        ).fetchone()[0]
    wall = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "floor_wall_s": wall,
                "floor_records": n,
                "floor_dossiers": dossiers,
                "floor_http_s": http_s,
            }
        )
    )
    return 0


# ------------------------------------------------------------------------------------ timing
class ComputeTimer:
    """Time spent inside the asset and check functions (user code), per op: Dagster's
    `invoke_compute_fn` is wrapped; a generator's time is counted inside its `next` calls
    only, so the storage writes Dagster does between yields are not counted as user code."""

    def __init__(self):
        self.by_op: dict[str, float] = defaultdict(float)

    def install(self) -> None:
        import inspect

        from dagster._core.execution.plan import compute_generator as cg

        original = cg.invoke_compute_fn
        timer = self

        def timed(fn, context, *a, **kw):
            name = context.op_execution_context.op_def.name
            t0 = time.perf_counter()
            result = original(fn, context, *a, **kw)
            timer.by_op[name] += time.perf_counter() - t0
            if inspect.isgenerator(result):
                return timer._wrap(name, result)
            return result

        cg.invoke_compute_fn = timed

    def _wrap(self, name, gen):
        while True:
            t0 = time.perf_counter()
            try:
                item = next(gen)
            except StopIteration:
                self.by_op[name] += time.perf_counter() - t0
                return
            self.by_op[name] += time.perf_counter() - t0
            yield item


def run_figures(instance, run_id: str, compute: ComputeTimer) -> dict:
    from dagster import DagsterEventType

    records = instance.all_logs(run_id)
    steps: dict[str, dict] = {}
    run_start = run_end = None
    checks: set[str] = set()
    retries: dict[str, int] = {}
    for e in records:
        de = e.dagster_event
        if de is None:
            continue
        et = de.event_type
        if et == DagsterEventType.RUN_START:
            run_start = e.timestamp
        elif et in (DagsterEventType.RUN_SUCCESS, DagsterEventType.RUN_FAILURE):
            run_end = e.timestamp
        elif et == DagsterEventType.STEP_START:
            steps.setdefault(de.step_key, {})["start"] = e.timestamp
        elif et in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            steps.setdefault(de.step_key, {})["end"] = e.timestamp
        elif et == DagsterEventType.ASSET_MATERIALIZATION:
            meta = de.event_specific_data.materialization.metadata
            if "portal_retries" in meta:
                retries[de.step_key] = max(
                    retries.get(de.step_key, 0), meta["portal_retries"].value
                )
        elif et == DagsterEventType.ASSET_CHECK_EVALUATION:
            data = de.event_specific_data
            checks.add(f"{data.asset_key.to_user_string()}:{data.check_name}")
    step_rows = {
        k: {
            "wall_s": v.get("end", v.get("start", 0)) - v.get("start", 0),
            "compute_s": compute.by_op.get(k, 0.0),
        }
        for k, v in steps.items()
    }
    return {
        "run_id": run_id,
        "run_start": run_start,
        "run_end": run_end,
        "run_wall_s": (run_end - run_start) if run_start and run_end else None,
        "steps": step_rows,
        "asset_checks": sorted(checks),
        "portal_retries": retries,
    }


# ------------------------------------------------------------------------------------ child
def _ranges(weeks: int) -> tuple[date, date]:
    first = LAST_WEEK - timedelta(days=7 * (weeks - 1))
    return first, YEAR_END


def child(args) -> int:
    home = Path(args.home or tempfile.mkdtemp(prefix="kpi-bench-"))
    os.environ["KPI_HOME"] = str(home)
    os.environ.pop("DAGSTER_HOME", None)
    os.environ.setdefault("KPI_SIMULATOR_SCALE", str(args.scale))
    external = bool(os.environ.get("KPI_DATABASE_URL"))
    sampler = Sampler(args.sample_interval)
    sampler.track(os.getpid(), "benchmark process (Dagster, in-process executor)")
    sampler.start()
    out: dict = {"weeks": args.weeks, "scale": args.scale, "now": args.now, "home": str(home)}
    load0 = os.getloadavg()
    try:
        from kpi_pipeline import settings
        from kpi_pipeline.orchestration.plans import partition_range
        from kpi_pipeline.partitions import monthly_partitions, weekly_partitions
        from kpi_pipeline.warehouse import db

        if external:  # fresh databases on the given server
            server = os.environ["KPI_DATABASE_URL"]
            suffix = f"{os.getpid()}"
            for name in (f"kpi_bench_{suffix}", f"kpi_bench_dagster_{suffix}"):
                db.drop_database(server, name)
                db.create_database(server, name)
            os.environ["KPI_DATABASE_URL"] = db.with_database(server, f"kpi_bench_{suffix}")
            os.environ["DAGSTER_PG_URL"] = db.dagster_storage_url(
                db.with_database(server, f"kpi_bench_dagster_{suffix}")
            )

        first, end = _ranges(args.weeks)
        now = datetime.now(TZ)
        weeks = partition_range(weekly_partitions, first, end, now)
        months = partition_range(monthly_partitions, first, end, now)
        # the initial sync reads the history from the range's first week on, not from 2022
        os.environ[settings.KPI_HISTORY_START] = weeks[0]
        month_keys = [
            k for k in monthly_partitions.get_partition_keys() if months[0] <= k <= months[1]
        ]
        out["weeks_range"], out["months_range"] = weeks, months

        # ---- services: the embedded server (or the given one) and Dagster's home
        with simulator(args.scale, args.seed, args.now, sampler, "floor") as sim_env:
            os.environ.update(sim_env)
            from kpi_pipeline.shell.local_services import ensure_local_services

            services = ensure_local_services()
            url = os.environ[settings.KPI_DATABASE_URL]
            with db.connect(url) as conn:
                pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
                try:  # the server's process tree, when it runs on this machine
                    sampler.postmaster = psutil.Process(pid).parent().pid
                except psutil.Error:
                    sampler.postmaster = None
                out["postgres"] = conn.execute("SHOW server_version").fetchone()[0]
                out["pg_settings"] = dict(
                    conn.execute(
                        "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name ="
                        " ANY(%s)",
                        (
                            [
                                "shared_buffers",
                                "work_mem",
                                "maintenance_work_mem",
                                "synchronous_commit",
                                "max_wal_size",
                                "temp_buffers",
                                "effective_cache_size",
                                "wal_level",
                            ],
                        ),
                    ).fetchall()
                )
            if not args.no_floor:
                spec = {
                    "env": sim_env,
                    "url": db.libpq_url(url),
                    "windows": floor_windows(date.fromisoformat(weeks[0]), args.weeks, month_keys),
                }
                t0 = time.time()
                proc = subprocess.Popen(
                    [sys.executable, __file__, "--floor-worker", json.dumps(spec)],
                    stdout=subprocess.PIPE, text=True, cwd=ROOT, env=_child_env(),
                )  # fmt: skip
                sampler.track(proc.pid, "floor loader process")
                stdout, _ = proc.communicate()
                if proc.returncode:
                    raise SystemExit("floor worker failed")
                out["floor"] = json.loads(stdout.strip().splitlines()[-1])
                out["floor"]["window"] = (t0, time.time())
                with db.connect(url, autocommit=True) as conn:
                    conn.execute("DROP TABLE floor_raw")
                    conn.execute("CHECKPOINT")
        services.close()

        # ---- the pipeline: backfill through Dagster, then the Friday run
        compute = ComputeTimer()
        compute.install()
        from dagster import DagsterInstance

        from kpi_pipeline.definitions import defs
        from kpi_pipeline.orchestration.plans import PlannedRun, backfill_plan
        from kpi_pipeline.orchestration.runner import execute_plan, run_job

        graph = defs.resolve_asset_graph()
        out["asset_checks_defined"] = sorted(k.to_user_string() for k in graph.asset_check_keys)
        with simulator(args.scale, args.seed, args.now, sampler, "pipeline") as sim_env:
            os.environ.update(sim_env)
            t0 = time.time()
            instance = DagsterInstance.get()
            plan = backfill_plan(weeks, months, now, max_weeks_per_run=args.weeks + 1)
            execute_plan(defs, instance, plan, lambda m: print(f"  [backfill] {m}", flush=True))
            t1 = time.time()
            runs = list(reversed(instance.get_runs(limit=3)))
            out["backfill"] = {"wall_s": t1 - t0, "window": (t0, t1), "runs": {}}
            for r in runs:
                out["backfill"]["runs"][r.job_name] = run_figures(instance, r.run_id, compute)
            out["counts"] = _counts(url)

            if not args.no_friday:
                compute.by_op.clear()
                services = ensure_local_services()
                try:
                    t2 = time.time()
                    friday = FRIDAY_WEEK.isoformat()
                    result = run_job(
                        defs, instance, PlannedRun("weekly_job", friday, friday), print
                    )
                    t3 = time.time()
                finally:
                    services.close()
                out["friday"] = {
                    "wall_s": t3 - t2,
                    "window": (t2, t3),
                    **run_figures(instance, result.run_id, compute),
                }
        out["gx_imported"] = "great_expectations" in sys.modules
    finally:
        sampler.stop()
        out["load_before"] = load0
        out["load_after"] = os.getloadavg()
        out["memory"] = sampler.peaks_by_role()
        out["memory_ru_maxrss_mb"] = _ru_maxrss_mb()
        for phase in ("floor", "backfill", "friday"):
            w = (out.get(phase) or {}).get("window")
            if w:
                out[phase]["memory_peaks_mb"] = sampler.peak_in(*w)
        print("RESULT " + json.dumps(out, default=str), flush=True)
        if not args.home and not args.keep:
            _stop_and_remove(home)
    return 0


def _ru_maxrss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _stop_and_remove(home: Path) -> None:
    from kpi_pipeline.warehouse.embedded import stop_embedded

    if (home / "pgdata").exists():
        stop_embedded(home / "pgdata")
    shutil.rmtree(home, ignore_errors=True)


def _counts(url: str) -> dict[str, int]:
    from kpi_pipeline.warehouse import db

    with db.connect(url) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema IN ('raw', 'staging', 'quarantine', 'kpi', 'ref')"
            " AND table_type = 'BASE TABLE' ORDER BY 1, 2"
        ).fetchall()
        return {
            f"{s}.{t}": conn.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]
            for s, t in tables
        }


# ------------------------------------------------------------------------------------ parent
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--scale", type=float, default=1.0, help="1.0 = ~1,000,000 dossiers a year")
    p.add_argument("--weeks", default="1,13,52", help="comma-separated week counts, e.g. 1,13,52")
    p.add_argument("--seed", type=int, default=49)
    p.add_argument("--now", default=DEFAULT_NOW, help="the simulator's now, yyyyMMddHHmmss")
    p.add_argument("--no-floor", action="store_true")
    p.add_argument("--no-friday", action="store_true")
    p.add_argument("--sample-interval", type=float, default=0.25)
    p.add_argument("--json", help="write every figure to this file")
    p.add_argument("--home", help="KPI_HOME to use and keep (one --weeks value only)")
    p.add_argument("--keep", action="store_true", help="keep the temporary KPI_HOME")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--floor-worker", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.floor_worker:
        return floor_worker(args)
    if args.child:
        args.weeks = int(args.weeks)
        return child(args)

    sizes = [int(w) for w in args.weeks.split(",")]
    results = []
    started = datetime.now(TZ)
    for n in sizes:
        print(f"== {n} week(s) at scale {args.scale} (load {os.getloadavg()[0]:.2f})", flush=True)
        cmd = [sys.executable, __file__, "--child", "--weeks", str(n), "--scale", str(args.scale),
               "--seed", str(args.seed), "--now", args.now,
               "--sample-interval", str(args.sample_interval)]  # fmt: skip
        for flag in ("no_floor", "no_friday", "keep"):
            if getattr(args, flag):
                cmd.append("--" + flag.replace("_", "-"))
        if args.home:
            cmd += ["--home", args.home]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=_child_env())
        result = None
        for line in proc.stdout:
            if line.startswith("RESULT "):
                result = json.loads(line[7:])
            else:
                print(line, end="", flush=True)
        proc.wait()
        if result is None:
            print(f"!! the {n}-week run gave no result (exit {proc.returncode})")
            continue
        results.append(result)
        report(result)
    if len(results) > 1:
        summary(results)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"started": started.isoformat(), "argv": sys.argv, "results": results},
            indent=1, default=str))  # fmt: skip
    return 0


def _pipeline_peak(r: dict) -> float:
    """Peak RSS of the process that runs the pipeline (Dagster in-process)."""
    return r["memory_ru_maxrss_mb"]


def report(r: dict) -> None:
    c = r.get("counts", {})
    bf = r.get("backfill", {})
    print(f"\n--- {r['weeks']} week(s), scale {r['scale']}, simulator now {r['now']}")
    print(
        f"weeks {r.get('weeks_range')}, months {r.get('months_range')}; PostgreSQL {r.get('postgres')}"
    )
    print(f"load average before {r['load_before'][0]:.2f}, after {r['load_after'][0]:.2f}")
    if "pg_settings" in r:
        print("settings: " + ", ".join(f"{k}={v}" for k, v in sorted(r["pg_settings"].items())))
    dossiers = c.get("raw.provincial_dossiers", 0)
    records = sum(
        c.get(f"raw.{t}", 0) for t in ("provincial_dossiers", "national_sync", "national_payments")
    )
    if bf:
        print(
            f"\nbackfill wall {bf['wall_s']:.1f} s: {dossiers} dossiers landed, "
            f"{dossiers / bf['wall_s']:.0f} dossiers/s, {records / bf['wall_s']:.0f} raw records/s"
        )
        for job, run in bf["runs"].items():
            _print_run(job, run)
    fr = r.get("floor")
    if fr:
        print(
            f"\nfloor: {fr['floor_records']} records ({fr['floor_dossiers']} dossiers) in "
            f"{fr['floor_wall_s']:.1f} s ({fr['floor_dossiers'] / fr['floor_wall_s']:.0f} dossiers/s; "
            f"{fr['floor_http_s']:.1f} s waiting on HTTP)"
        )
        if bf:
            print(
                f"pipeline / floor = {bf['wall_s']:.1f} / {fr['floor_wall_s']:.1f} = "
                f"{bf['wall_s'] / fr['floor_wall_s']:.2f}x (target <= 2x)"
            )
    f = r.get("friday")
    if f:
        compute = sum(s["compute_s"] for s in f["steps"].values())
        steps = sum(s["wall_s"] for s in f["steps"].values())
        print(
            f"\nFriday weekly_job {FRIDAY_WEEK} on the history: wall {f['wall_s']:.1f} s "
            f"(run start->end {f['run_wall_s']:.1f} s)"
        )
        print(
            f"  inside asset/check functions {compute:.1f} s; Dagster overhead "
            f"{f['wall_s'] - compute:.1f} s = {100 * (f['wall_s'] - compute) / f['wall_s']:.0f}% "
            f"(of which outside steps {f['wall_s'] - steps:.1f} s, inside steps around user code "
            f"{steps - compute:.1f} s)"
        )
        _print_run("weekly_job (Friday)", f)
    checks = r.get("asset_checks_defined", [])
    ran = sorted({c for run in (bf.get("runs") or {}).values() for c in run["asset_checks"]})
    print(
        f"\nasset checks defined: {len(checks)} (each runs a GX Core suite); evaluated in the "
        f"backfill: {len(ran)}; great_expectations imported: {r.get('gx_imported')}"
    )
    print("\npeak memory per process role (largest single process; VmHWM and PSS):")
    for role, m in sorted(r["memory"].items()):
        rss = "-" if m["peak_rss_mb"] is None else f"{m['peak_rss_mb']:.0f} MB"
        print(
            f"  {role:52s} {m['processes']:4d} proc  RSS {rss:>8s}  PSS {m['peak_pss_mb']:.0f} MB"
        )
    print(f"  benchmark process ru_maxrss: {r['memory_ru_maxrss_mb']:.0f} MB")
    for phase in ("floor", "backfill", "friday"):
        peaks = (r.get(phase) or {}).get("memory_peaks_mb")
        if peaks:
            print(
                f"  sampled peaks during {phase}: "
                + ", ".join(f"{k} {v:.0f} MB" for k, v in sorted(peaks.items()))
            )
    print("\nrow counts:")
    for k, v in c.items():
        print(f"  {k:48s} {v:>10d}")


def _print_run(job: str, run: dict) -> None:
    wall = run["run_wall_s"] or 0
    compute = sum(s["compute_s"] for s in run["steps"].values())
    retries = sum(run.get("portal_retries", {}).values())
    print(
        f"  {job}: run {wall:.1f} s, inside asset/check functions {compute:.1f} s, "
        f"portal retries {retries}"
    )
    for step, s in sorted(run["steps"].items(), key=lambda kv: -kv[1]["wall_s"]):
        print(f"    {step:56s} {s['wall_s']:8.1f} s  (user code {s['compute_s']:.1f} s)")


def summary(results: list[dict]) -> None:
    print("\n=== summary")
    print(
        f"{'weeks':>5} {'dossiers':>9} {'wall s':>8} {'dossiers/s':>10} {'floor s':>8} {'ratio':>6} "
        f"{'Dagster MB':>10} {'PG PSS MB':>9} {'PG backend MB':>13} {'Friday s':>8}"
    )
    base = results[0]
    for r in results:
        c = r.get("counts", {})
        bf = r.get("backfill", {})
        fl = r.get("floor", {})
        d = c.get("raw.provincial_dossiers", 0)
        backend = max(
            (m["peak_rss_mb"] for k, m in r["memory"].items() if k.startswith("postgres backend")),
            default=0,
        )
        print(
            f"{r['weeks']:>5} {d:>9} {bf.get('wall_s', 0):>8.1f} {d / max(bf.get('wall_s', 1), 1e-9):>10.0f} "
            f"{fl.get('floor_wall_s', 0):>8.1f} {bf.get('wall_s', 0) / max(fl.get('floor_wall_s', 1e-9), 1e-9):>6.2f} "
            f"{_pipeline_peak(r):>10.0f} {r['memory']['postgres (all, PSS)']['peak_pss_mb']:>9.0f} {backend:>13.0f} "
            f"{(r.get('friday') or {}).get('wall_s', 0):>8.1f}"
        )
    for r in results[1:]:
        print(
            f"memory {r['weeks']} weeks / {base['weeks']} week(s): Dagster process "
            f"{_pipeline_peak(r) / _pipeline_peak(base):.2f}x, PostgreSQL (PSS sum) "
            f"{r['memory']['postgres (all, PSS)']['peak_pss_mb'] / base['memory']['postgres (all, PSS)']['peak_pss_mb']:.2f}x"
            " (target <= 1.5x)"
        )


if __name__ == "__main__":
    sys.exit(main())
