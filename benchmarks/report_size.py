"""Size of the Friday report at the default deployment's full size (Quảng Nam, every unit).

    python benchmarks/report_size.py [--week 2024-11-15] [--out DIR]

Builds the report model of one week by hand for every unit the simulator's default deployment
has that week (kpi_pipeline_tests/reports/full_size.py: departments, districts, communes,
seeded figures of the default scale's size, a full drill-down of every red unit), renders it
and prints the size of each file. The builder skips fields a model lacks, so a copy of both
files measures an older checkout too (the "before" figures of issue 15).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kpi_pipeline.reports.render import render_weekly  # noqa: E402
from kpi_pipeline_tests.reports.full_size import build  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--week", action="append", type=date.fromisoformat)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="report-size-"))
    out.mkdir(parents=True, exist_ok=True)
    for week in args.week or [date(2024, 11, 15), date(2026, 11, 20)]:
        data = build(week)
        files = render_weekly(data)
        print(
            f"week {week}: {len(data.units)} units,"
            f" {sum(1 for u in data.units if u.overall_band == 'red')} red (contract band),"
            f" {len(data.drilldowns)} red in the report,"
            f" two-tier {data.two_tier}"
        )
        for suffix, blob in files.items():
            path = out / f"bao-cao-tuan-{week}.{suffix}"
            path.write_bytes(blob)
            print(f"  {suffix:10s} {len(blob) / 1024:8.1f} KB  {path}")


if __name__ == "__main__":
    main()
