"""Time the quality suites on a full-size warehouse: how long validating one week takes.

    python benchmarks/quality_week.py [--weeks 104] [--per-week 20000] [--url URL]

Builds a throw-away database (on KPI_DATABASE_URL's server, else an embedded one) holding
`weeks` weekly partitions of `per-week` synthetic dossiers (versions and current rows), 300
units, 400 procedures, the holidays of the period and the KPI rows of the checked week, then
runs every weekly/reference suite on the last week (then the staging suites on the last
`range` weeks at once, as a single-run backfill would) and prints the timings.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kpi_pipeline.quality.gx_runner import run_suite  # noqa: E402
from kpi_pipeline.quality.suites import SUITES  # noqa: E402
from kpi_pipeline.warehouse import db  # noqa: E402

FIRST = date(2022, 1, 7)

FILL = """
INSERT INTO ref.units (unit_code, valid_from, unit_name, unit_level, parent_code)
SELECT '49', date '2022-01-01', 'Tỉnh', 'TINH', NULL
UNION ALL SELECT 'H' || h, '2022-01-01', 'Huyện ' || h, 'HUYEN', '49' FROM generate_series(1, 18) h
UNION ALL SELECT 'S' || s, '2022-01-01', 'Sở ' || s, 'SO_NGANH', '49' FROM generate_series(1, 21) s
UNION ALL SELECT 'X' || x, '2022-01-01', 'Xã ' || x, 'XA', 'H' || (1 + x %% 18)
FROM generate_series(1, 260) x;

INSERT INTO ref.procedures (procedure_code, procedure_name, unit_level, service_level,
    fully_online, integrated, has_fee, online_payment, processing_days)
SELECT 'P' || p, 'Thủ tục ' || p, (ARRAY['TINH','HUYEN','XA'])[1 + p %% 3], 2 + p %% 3,
       p %% 3 = 2, p %% 2 = 0, p %% 4 = 0, p %% 8 = 0, (ARRAY[0, 1, 3, 5, 7, 10, 15, 20])[1 + p %% 8]
FROM generate_series(1, 400) p;

INSERT INTO ref.holidays (day, year, name, kind)
SELECT d::date, extract(year FROM d)::int, 'Tết', 'LE'
FROM generate_series('2022-01-31'::date, '2022-02-04'::date, interval '1 day') d
UNION ALL SELECT date '2023-01-20', 2023, 'Tết', 'LE'
UNION ALL SELECT '2024-04-29', 2024, 'Bù', 'BU'
UNION ALL SELECT '2024-04-30', 2024, '30/4', 'LE'
UNION ALL SELECT '2024-05-01', 2024, '1/5', 'LE'
UNION ALL SELECT '2024-05-04', 2024, 'Làm bù', 'LAM_BU';

CREATE TEMP TABLE gen AS
WITH u AS (SELECT array_agg(unit_code ORDER BY unit_code) AS codes FROM ref.units)
SELECT
    to_char(%(first)s::date + 7 * w, 'YYYY-MM-DD') AS partition_key,
    'D-' || w || '-' || i AS ma_ho_so,
    'P' || (1 + (i * 7919) %% 400) AS procedure_code,
    1 + (i * 7919) %% 400 AS p,
    u.codes[1 + (i * 104729) %% 300] AS unit_code,
    1 + i %% 3 AS channel,
    (%(first)s::date + 7 * w)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'
        + make_interval(secs => (i * 37) %% (7 * 86400)) AS received_at,
    i AS i
FROM u, generate_series(0, %(weeks)s - 1) w, generate_series(1, %(per_week)s) i;

INSERT INTO staging.dossier_versions (partition_key, ma_ho_so, procedure_code, unit_code,
    channel, digitised, received_at, due_at, finished_at, status, updated_at, run_id)
SELECT partition_key, ma_ho_so, procedure_code, unit_code, channel, i %% 2 = 0, received_at,
       received_at + make_interval(days => (ARRAY[0, 1, 3, 5, 7, 10, 15, 20])[1 + p %% 8]), CASE WHEN i %% 5 > 0 THEN received_at + interval '2 days' END,
       CASE WHEN i %% 5 > 0 THEN 9 ELSE 4 END, received_at + interval '1 hour', 'bench'
FROM gen;

INSERT INTO staging.dossiers (ma_ho_so, procedure_code, unit_code, channel, digitised,
    received_at, due_at, finished_at, status, updated_at, source_partition, run_id)
SELECT ma_ho_so, procedure_code, unit_code, channel, digitised, received_at, due_at,
       finished_at, status, updated_at, partition_key, run_id
FROM staging.dossier_versions;

INSERT INTO staging.sync_record_versions (partition_key, ma_ho_so, procedure_code, unit_code,
    status, channel, received_at, due_at, finished_at, synced_at, updated_at, run_id)
SELECT partition_key, ma_ho_so, procedure_code, unit_code, status, channel, received_at,
       due_at, finished_at, updated_at, updated_at, run_id
FROM staging.dossier_versions;

INSERT INTO staging.payment_versions (partition_key, transaction_id, ma_ho_so, amount, paid_at,
    status, updated_at, run_id)
SELECT partition_key, 'T-' || ma_ho_so, ma_ho_so, 50000, updated_at, 'THANH_CONG', updated_at,
       run_id
FROM staging.dossier_versions WHERE digitised;

ANALYZE;
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--weeks", type=int, default=104)
    ap.add_argument("--per-week", type=int, default=20_000)
    ap.add_argument("--url", default=os.environ.get("KPI_DATABASE_URL"))
    ap.add_argument("--range", type=int, default=13, help="also check the last N weeks at once")
    ap.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    ap.add_argument("--profile", action="store_true", help="print the slowest SQL statements")
    args = ap.parse_args()
    if args.profile:
        _profile_sql()

    server = args.url
    if not server:
        from kpi_pipeline.warehouse.embedded import start_embedded

        server = start_embedded(Path(tempfile.mkdtemp(prefix="kpi-bench-pg-")))
    name = f"kpi_bench_{uuid.uuid4().hex[:8]}"
    url = db.create_database(server, name)
    try:
        db.ensure_schema(url)
        t = time.perf_counter()
        with db.connect(url) as conn:
            conn.execute(
                FILL.replace("%%", "%").replace("%(first)s", f"'{FIRST}'")
                .replace("%(weeks)s", str(args.weeks))
                .replace("%(per_week)s", str(args.per_week))
            )  # fmt: skip
            conn.commit()
        last = FIRST + timedelta(days=7 * (args.weeks - 1))
        print(f"built {args.weeks} weeks x {args.per_week} dossiers in "
              f"{time.perf_counter() - t:.0f} s; checking week {last}")  # fmt: skip
        params = {
            "first_key": last.isoformat(),
            "last_key": last.isoformat(),
            "start": last,
            "end": last + timedelta(days=7),
            "step": "7 days",
        }
        import great_expectations  # noqa: F401  (import cost apart from the validations)

        for suite in SUITES:
            if suite.asset[0] == "kpi" or (args.profile and suite.name != "staging_dossiers_valid"):
                continue
            p = params if suite.period == "week" else {}
            for docs in (False, True):
                r = run_suite(url, suite, p, build_docs=docs, run_id="bench")
                failed = ", ".join(f"{f.name}={f.unexpected_count}" for f in r.failures)
                print(f"{suite.name:34} docs={docs!s:5} {r.seconds:6.2f} s  rows={r.rows} "
                      f"{'ok' if r.success else 'failed: ' + failed}")  # fmt: skip
        first = last - timedelta(days=7 * (args.range - 1))
        span = {**params, "first_key": first.isoformat(), "start": first}
        for suite in SUITES:
            if suite.asset[0] == "staging" and not args.profile:
                r = run_suite(url, suite, span, build_docs=True, run_id="bench")
                print(f"{suite.name:34} {args.range} weeks  {r.seconds:6.2f} s  rows={r.rows}")
        if args.profile:
            for seconds, statement in sorted(STATEMENTS, reverse=True)[:15]:
                print(f"{seconds:6.3f} s  {' '.join(statement.split())[:150]}")
    finally:
        if args.keep:
            print("kept", url)
        else:
            db.drop_database(server, name)


STATEMENTS: list[tuple[float, str]] = []


def _profile_sql() -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "before_cursor_execute")
    def _start(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("t0", []).append(time.perf_counter())

    @event.listens_for(Engine, "after_cursor_execute")
    def _end(conn, cursor, statement, parameters, context, executemany):
        STATEMENTS.append((time.perf_counter() - conn.info["t0"].pop(), statement))


if __name__ == "__main__":
    main()
