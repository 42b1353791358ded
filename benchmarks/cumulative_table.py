"""Time `kpi.unit_kpi_cumulative` for a window of anchor months on a synced warehouse, and hash
the table, so that two checkouts' SQL can be compared on the same data (issue 17):

    env -u KPI_DATABASE_URL KPI_HOME=/tmp/wh KPI_SIMULATOR_SCALE=0.1 \
        KPI_HISTORY_START=2024-11-29 kpi-pipeline sync          # once: two years of history
    env -u KPI_DATABASE_URL KPI_HOME=/tmp/wh KPI_SIMULATOR_SCALE=0.1 \
        KPI_HISTORY_START=2024-11-29 PYTHONPATH=<checkout> \
        python benchmarks/cumulative_table.py 2025-12-01 2026-12-01 2

The checkout on PYTHONPATH creates its functions (the warehouse's DDL) and replaces the
window's rows REPS times, as the asset does (one transaction each); printed: the wall time of
each, then md5 and count of the table without `computed_at` (equal hashes: identical tables).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, datetime


def main(argv: list[str]) -> int:
    from kpi_pipeline.config_files import ConfigFilesResource
    from kpi_pipeline.domain.calendar import TZ
    from kpi_pipeline.kpis.compute import PeriodRange
    from kpi_pipeline.kpis.cumulative import replace_cumulative, window_periods
    from kpi_pipeline.shell.local_services import ensure_local_services

    services = ensure_local_services(datetime.now(TZ))
    from kpi_pipeline.warehouse import db

    try:
        url = os.environ["KPI_DATABASE_URL"]
        db.ensure_schema(url)
        periods = PeriodRange(date.fromisoformat(argv[0]), date.fromisoformat(argv[1]), "month")
        kept, skipped = window_periods(periods, date.fromisoformat(os.environ["KPI_HISTORY_START"]))
        config = ConfigFilesResource().kpi()
        with db.connect(url) as conn:
            for _ in range(int(argv[2]) if len(argv) > 2 else 2):
                t0 = time.monotonic()
                with conn.transaction():
                    rows = replace_cumulative(conn, periods, kept, config)
                print(
                    f"rows {rows} periods {len(kept)} skipped {len(skipped)}:"
                    f" {time.monotonic() - t0:.2f} s",
                    flush=True,
                )
            columns = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = 'kpi'"
                    " AND table_name = 'unit_kpi_cumulative' AND column_name <> 'computed_at'"
                    " ORDER BY ordinal_position"
                )
            ]
            digest = conn.execute(
                f"SELECT md5(string_agg(t::text, '|' ORDER BY t::text)), count(*)"
                f" FROM (SELECT {', '.join(columns)} FROM kpi.unit_kpi_cumulative) t"
            ).fetchone()
            print("hash", digest, flush=True)
    finally:
        services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
