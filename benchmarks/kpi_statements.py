"""Time every KPI table's statement over a window on a synced warehouse, and hash each table, so
that two checkouts' SQL can be compared on the same data (issue 17):

    env -u KPI_DATABASE_URL KPI_HOME=/tmp/wh KPI_SIMULATOR_SCALE=0.25 \
        KPI_HISTORY_START=2025-11-28 kpi-pipeline sync          # once: a year of history
    env -u KPI_DATABASE_URL KPI_HOME=/tmp/wh KPI_SIMULATOR_SCALE=0.25 \
        KPI_HISTORY_START=2025-11-28 PYTHONPATH=<checkout> \
        python benchmarks/kpi_statements.py week 2025-11-28 2026-11-27

The checkout on PYTHONPATH creates its functions (the warehouse's DDL), then runs the window's
`sql/kpi/insert_<table>.sql` of every weekly (or monthly) table in the jobs' order, in one
transaction that is rolled back: the warehouse is left as it was, and a table read by a later
one (the unit tables read the counts per unit and procedure, the scores the unit table) holds
its rows, analysed as the assets analyse them; a table the checkout does not have is listed
and left out. Printed: each statement's wall time (its ANALYZE included), its rows and the
md5 of the table without `computed_at` (the warehouse's KPI tables are empty after `sync`:
equal hashes, identical rows), and the total. The cumulative table has its own
(`cumulative_table.py`).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, datetime
from pathlib import Path

TABLES = {
    "week": (
        "unit_procedure_weekly",
        "unit_kpi_weekly",
        "unit_kpi_weekly_current_map",
        "drilldown_procedures_weekly",
        "drilldown_payments_weekly",
        "overdue_dossiers_weekly",
        "unpaid_online_dossiers_weekly",
        "reconciliation_sync_weekly",
        "reconciliation_payments_weekly",
    ),
    "month": (
        "unit_procedure_monthly",
        "unit_kpi_monthly",
        "unit_kpi_monthly_current_map",
        "unit_kpi_field_monthly",
        "drilldown_procedures_monthly",
        "overdue_dossiers_monthly",
        "procedure_catalogue_monthly",
        "reconciliation_chiso_monthly",
        "reconciliation_chiso_dossiers_monthly",
        "unit_score_monthly",
        "unit_score_dossiers_monthly",
    ),
}


def main(argv: list[str]) -> int:
    from kpi_pipeline.config_files import ConfigFilesResource
    from kpi_pipeline.domain.calendar import TZ
    from kpi_pipeline.kpis.compute import PeriodRange
    from kpi_pipeline.shell.local_services import ensure_local_services

    services = ensure_local_services(datetime.now(TZ))
    from kpi_pipeline.warehouse import db

    try:
        url = os.environ["KPI_DATABASE_URL"]
        db.ensure_schema(url)
        kind, start, end = argv[0], date.fromisoformat(argv[1]), date.fromisoformat(argv[2])
        params = PeriodRange(start, end, kind).params(ConfigFilesResource().kpi())
        total = 0.0
        with db.connect(url) as conn, conn.transaction(force_rollback=True):
            for table in argv[3:] or TABLES[kind]:
                if not (Path(db.SQL_DIR) / "kpi" / f"insert_{table}.sql").exists():
                    # a checkout before the table (the stored counts, issue 17)
                    print(f"      -          -  (no statement in this checkout)  {table}")
                    continue
                t0 = time.monotonic()
                rows = conn.execute(db.sql_text(f"kpi/insert_{table}"), params).rowcount
                # as the assets do (kpis/compute.replace_table): the later statements that read
                # this table are planned on its real size, not on statistics of an empty table
                conn.execute(db.statement("warehouse/analyze_table", table=f"kpi.{table}"))
                elapsed = time.monotonic() - t0
                total += elapsed
                columns = [
                    c
                    for (c,) in conn.execute(
                        "SELECT column_name FROM information_schema.columns"
                        " WHERE table_schema = 'kpi' AND table_name = %s"
                        " AND column_name <> 'computed_at' ORDER BY ordinal_position",
                        (table,),
                    )
                ]
                (digest,) = conn.execute(
                    f"SELECT md5(string_agg(t::text, '|' ORDER BY t::text))"
                    f" FROM (SELECT {', '.join(columns)} FROM kpi.{table}) t"
                ).fetchone()
                print(f"{elapsed:7.2f} s {rows:8d} rows  {digest}  {table}", flush=True)
        print(f"{total:7.2f} s  {kind} {start}..{end}", flush=True)
    finally:
        services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
