"""Micro-benchmark: the Python side of `land_raw` per record (issue 17), against a scratch DB.

    createdb -h 127.0.0.1 -U postgres land_micro
    PYTHONPATH=. python benchmarks/land_raw_micro.py postgresql://postgres@127.0.0.1:5432/land_micro

The simulator's changed records of `--weeks` weeks (dossiers and national sync copies, as the
portals serve them) are built once, then landed `--repeats` times per table with the weekly
pulls' key function; printed: this process's CPU (user + system, `time.process_time`: our
Python and libpq, not PostgreSQL's) per record, each repeat and the median. Run it with
PYTHONPATH at another checkout to measure that checkout's loader on the same records.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import time
from datetime import datetime, timedelta

from kpi_pipeline.domain.calendar import TZ, week_start
from kpi_pipeline.ingestion import loader
from kpi_pipeline.warehouse import db
from kpi_simulator import SimulatorConfig, World

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=TZ)


def _records(weeks: int, scale: float) -> dict[str, list[tuple[int, dict]]]:
    world = World(SimulatorConfig(now=NOW, scale=scale))
    first = week_start(NOW.date()) - timedelta(weeks=weeks)
    out: dict[str, list[tuple[int, dict]]] = {"provincial_dossiers": [], "national_sync": []}
    for w in range(weeks):
        tu = datetime.combine(first + timedelta(weeks=w), datetime.min.time(), TZ)
        den = tu + timedelta(weeks=1)
        for table, items in (
            ("provincial_dossiers", world.dossiers_changed(tu, den)),
            ("national_sync", world.sync_records_changed(tu, den)),
        ):
            out[table].extend((1 + i // 500, item) for i, item in enumerate(items))
    return out


def _key_of():
    # the weekly pulls' key function: the branch's named one if it has it, else main's lambda
    named = getattr(loader, "week_of_change", None)
    return named or (lambda item: loader.week_key_of(item.get("NgayCapNhat")))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--weeks", type=int, default=8)
    ap.add_argument("--scale", type=float, default=0.5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cache", help="a pickle of the records: built if missing, else read")
    args = ap.parse_args()
    db.ensure_schema(args.url)
    try:
        with open(args.cache or "", "rb") as f:
            records = pickle.load(f)
    except FileNotFoundError:
        records = _records(args.weeks, args.scale)
        if args.cache:
            with open(args.cache, "wb") as f:
                pickle.dump(records, f)
    key_of = _key_of()
    with db.connect(args.url) as conn:
        for table, items in records.items():
            keys = sorted({k for k in (key_of(item) for _, item in items) if k})
            per_record = []
            for _ in range(args.repeats):
                start = time.process_time()
                loader.land_raw(conn, table, keys, iter(items), key_of, "micro")
                per_record.append((time.process_time() - start) / len(items) * 1e6)
                conn.commit()
            print(
                f"{table}: {len(items)} records, µs/record "
                f"{' '.join(f'{v:.2f}' for v in per_record)} median {statistics.median(per_record):.2f}"
            )


if __name__ == "__main__":
    main()
