"""Record-level rules: count the records a rule flagged per unit, and judge whether their
share of the checked rows is systemic.

A record-level rule (one dossier's due date, unit, procedure, dates) fails one record, not the
week: the record is flagged, named and counted per unit, and the week still publishes. Only a
share of the batch above `records.max_share` means something upstream broke (a portal release,
a reference table gone stale), and then a blocking check fails.

GX caps the rows an expectation returns (200), so the per-unit counts and the batch's row count
come from our own queries: the rule's SQL over the batch query, on the same warehouse.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from kpi_pipeline.warehouse.db import sql_text

BATCH_ALIAS = "batch_rows"


def rule_over_batch(rule_sql: str, batch_sql: str) -> str:
    """The rule as GX gets it (`{batch}`, maybe already aliased) over the batch query itself."""
    query = rule_sql.replace("{batch} AS " + BATCH_ALIAS, "{batch}")
    return query.replace("{batch}", f"({batch_sql}) AS {BATCH_ALIAS}")


def is_systemic(flagged: int, rows: int, max_share: float) -> bool:
    """More than `max_share` of `rows` flagged (an empty batch flags nothing)."""
    return rows > 0 and flagged / rows > max_share


def share(flagged: int, rows: int) -> float:
    return round(flagged / rows, 6) if rows else 0.0


class RecordCounter:
    """Counts on one warehouse connection, opened on first use (most runs flag nothing)."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self._conn: psycopg.Connection | None = None

    def _query(self, query: sql.Composable) -> list[tuple]:
        if self._conn is None:
            self._conn = psycopg.connect(self.database_url, autocommit=True)
        return self._conn.execute(query).fetchall()

    def batch_rows(self, batch_sql: str) -> int:
        query = sql.SQL(sql_text("quality_records/select_batch_row_count")).format(
            batch=sql.SQL(batch_sql), alias=sql.Identifier(BATCH_ALIAS)
        )
        return self._query(query)[0][0]

    def by_unit(self, rule_sql: str, batch_sql: str) -> dict[str, int]:
        """Flagged records per unit (the rule's second column), largest first."""
        query = sql.SQL(sql_text("quality_records/select_flagged_by_unit")).format(
            flagged=sql.SQL(rule_over_batch(rule_sql, batch_sql))
        )
        return {str(unit): n for unit, n in self._query(query)}

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
