"""For tests that seed staging rows directly: record a change history pulled just now.

The KPI assets refuse a period whose change history is incomplete (`kpis/history.py`). Rows a
test writes into staging stand for the dossiers of a complete history; this records every week
from the first partition through the week in progress as pulled and conformed at this instant,
which is a complete history by `domain/history.py`'s rules.
"""

from __future__ import annotations

from datetime import UTC, datetime

from kpi_pipeline.domain.calendar import TZ, week_start
from kpi_pipeline.ingestion.coverage import CHANGE_LOG_SOURCES
from kpi_pipeline.partitions import FIRST_WEEK
from kpi_pipeline.warehouse import db


def record_complete_history(url: str) -> None:
    now = datetime.now(UTC)
    current = week_start(now.astimezone(TZ).date())
    with db.connect(url) as conn, conn.transaction():
        conn.execute(
            "INSERT INTO raw.coverage (source, partition_key, window_start, window_end, pulled_at,"
            " records, run_id, conformed_at)"
            " SELECT s, to_char(w, 'YYYY-MM-DD'), (w::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'),"
            "   ((w + 7)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'), %(now)s, 0, 'seeded', %(now)s"
            " FROM unnest(%(sources)s::text[]) s,"
            "   generate_series(%(first)s::date, %(current)s::date, interval '7 days') g(w0),"
            "   LATERAL (SELECT g.w0::date AS w) d"
            " ON CONFLICT (source, partition_key) DO UPDATE"
            "   SET pulled_at = EXCLUDED.pulled_at, conformed_at = EXCLUDED.conformed_at",
            {
                "now": now,
                "sources": list(CHANGE_LOG_SOURCES),
                "first": FIRST_WEEK,
                "current": current,
            },
        )
