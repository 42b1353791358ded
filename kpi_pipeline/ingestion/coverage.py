"""The warehouse's record of which change windows of each source it holds (`raw.coverage`).

Written in the transaction that replaces a week's raw rows, and marked conformed in the one
that conforms them into staging; read to plan the next pull (`domain.history.pull_plan`) and,
by the KPI assets, to refuse a period whose history is incomplete.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

import psycopg

from kpi_pipeline.domain.calendar import week_window
from kpi_pipeline.domain.history import HistoryState, WindowPull, history_state
from kpi_pipeline.warehouse.db import sql_text, statement, transaction_lock

# The sources pulled by change window (raw tables); the monthly chiso is a publication, not a
# change log, and is pulled with its month.
CHANGE_LOG_SOURCES = ("provincial_dossiers", "national_sync", "national_payments")


def load_pulls(conn: psycopg.Connection, source: str) -> list[WindowPull]:
    rows = conn.execute(sql_text("raw/select_coverage"), {"source": source}).fetchall()
    return [WindowPull(week, pulled_at, conformed_at) for week, pulled_at, conformed_at in rows]


def record_pulls(
    conn: psycopg.Connection,
    source: str,
    pulled_at: Mapping[str, datetime],
    records: Mapping[str, int],
    run_id: str,
) -> None:
    """Record the weeks `pulled_at` (key -> first request's instant) as pulled, not conformed."""
    rows = []
    for key, at in pulled_at.items():
        window = week_window(date.fromisoformat(key))
        rows.append(
            {
                "source": source,
                "partition_key": key,
                "window_start": window.start,
                "window_end": window.end,
                "pulled_at": at,
                "records": records.get(key, 0),
                "run_id": run_id,
            }
        )
    with conn.cursor() as cur:
        cur.executemany(sql_text("raw/upsert_coverage"), rows)


def unconformed_keys(conn: psycopg.Connection, source: str) -> list[str]:
    rows = conn.execute(sql_text("raw/select_unconformed"), {"source": source}).fetchall()
    return [key for (key,) in rows]


def mark_conformed(
    conn: psycopg.Connection, source: str, keys: Iterable[str], at: datetime
) -> None:
    conn.execute(
        sql_text("raw/mark_conformed"), {"source": source, "keys": list(keys), "conformed_at": at}
    )


def history_states(
    conn: psycopg.Connection, history_start: date, sources: Iterable[str] = CHANGE_LOG_SOURCES
) -> list[HistoryState]:
    return [history_state(s, load_pulls(conn, s), history_start) for s in sources]


def lock_source(conn: psycopg.Connection, source: str) -> None:
    """Serialise the transactions that write one source's raw rows, staging and coverage:
    two runs (a CLI run beside a queued one) must not interleave a pull and a conform."""
    transaction_lock(conn, lock_name(source))


def lock_name(source: str) -> str:
    """The advisory lock of one source's raw rows, staging and coverage."""
    return f"coverage:{source}"


def database_now(conn: psycopg.Connection) -> datetime:
    """The warehouse's clock: every instant in `raw.coverage` is on it, whichever machine ran
    the step (raw and staging may run on different Celery workers)."""
    return conn.execute(statement("warehouse/select_clock_timestamp")).fetchone()[0]
