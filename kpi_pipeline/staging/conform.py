"""Replace the staged versions of some partitions, rebuild the current rows they touch.

One transaction per call: the partitions' old versions and quarantined records go, the raw
rows are conformed again (rules in `sql/staging/conform_*.sql`), staged versions and rejected
records go in, and every key that was or is now in those partitions gets its current row
rebuilt from all its versions. Nothing is dropped: raw = staged + quarantined + superseded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

import psycopg

from kpi_pipeline.warehouse.db import execute_file, statement


@dataclass(frozen=True)
class StagingSpec:
    source: str  # raw table, and the quarantine's `source`
    name: str  # sql/staging/conform_<name>.sql, merge_current_<name>.sql
    version_name: str  # sql/staging/insert_<version_name>_versions.sql
    versions_table: str
    key_column: str

    @property
    def current_table(self) -> str:
        return f"staging.{self.name}"


# A bulk load (a new warehouse's first sync, the whole history conformed again) inserts most
# of a table's rows: filling its secondary indexes as rows arrive cost ~9 µs a row on
# staging.dossiers (four B-trees written at random), building them afterwards ~1 µs (issue
# 17). So when a run inserts at least BULK_SHARE of a table's rows, and at least
# BULK_MIN_ROWS, those indexes are dropped and built again in the same transaction (a reader
# waits for it, as for any DDL); a Friday run's few thousand rows leave them alone.
BULK_MIN_ROWS = 50_000
BULK_SHARE = 0.2


def _estimated_rows(conn: psycopg.Connection, table: str) -> int:
    (rows,) = conn.execute(
        statement("warehouse/select_estimated_rows"), {"table": table}
    ).fetchone()
    return rows


def _large_share(rows: int, existing: int) -> bool:
    """A run that writes at least BULK_SHARE of a table's rows (any share of a table never
    analysed): its statistics and its plans are those of a bulk load."""
    return existing < 0 or rows >= BULK_SHARE * existing


@contextmanager
def _indexes_built_after(
    conn: psycopg.Connection, table: str, rows: int, existing: int
) -> Iterator[bool]:
    """Yields whether inserting `rows` into `table` (`existing` rows) is a bulk load, its
    secondary indexes dropped meanwhile."""
    if rows < BULK_MIN_ROWS or not _large_share(rows, existing):
        yield False
        return
    indexes = conn.execute(
        statement("warehouse/select_secondary_indexes"), {"table": table}
    ).fetchall()
    for name, _ in indexes:
        conn.execute(statement("warehouse/drop_index", index=name))
    yield True
    for _, definition in indexes:  # as the catalogue held it: one definition, in sql/
        conn.execute(definition)


@contextmanager
def _key_lookups(conn: psycopg.Connection) -> Iterator[None]:
    """A small run's current rows rebuilt through the key indexes. Left to itself the planner
    hashed the whole current and versions tables for a Friday's 5% of the keys: 0.14 s +
    0.32 s at scale 0.25 on one year, and growing with the history; by key 0.08 s + 0.57 s
    there, but the same on any length of history (what the run touches)."""
    execute_file(conn, "staging/prefer_key_lookups")
    yield
    execute_file(conn, "staging/reset_join_methods")


DOSSIERS = StagingSpec(
    "provincial_dossiers", "dossiers", "dossier", "staging.dossier_versions", "ma_ho_so"
)
SYNC_RECORDS = StagingSpec(
    "national_sync", "sync_records", "sync_record", "staging.sync_record_versions", "ma_ho_so"
)
PAYMENTS = StagingSpec(
    "national_payments", "payments", "payment", "staging.payment_versions", "transaction_id"
)


@dataclass(frozen=True)
class ConformCounts:
    raw: int
    staged: int
    quarantined: int
    superseded: int
    by_rule: dict[str, int]

    def as_metadata(self) -> dict:
        return {
            "raw_records": self.raw,
            "staged": self.staged,
            "quarantined": self.quarantined,
            "superseded_duplicates": self.superseded,
            "quarantined_by_rule": dict(sorted(self.by_rule.items())),
            "balanced": self.raw == self.staged + self.quarantined + self.superseded,
        }


def replace_partitions(
    conn: psycopg.Connection, spec: StagingSpec, keys: list[str], run_id: str
) -> ConformCounts:
    params = {"keys": keys, "run_id": run_id, "source": spec.source}
    with conn.transaction():
        execute_file(
            conn,
            "staging/collect_touched_keys",
            params,
            key=spec.key_column,
            versions=spec.versions_table,
        )
        execute_file(conn, "quarantine/delete_partitions", params)
        execute_file(conn, f"staging/conform_{spec.name}", params)
        execute_file(conn, "staging/collect_repeated_groups", params)
        execute_file(conn, "staging/rank_conformed", params)
        (staged,) = conn.execute(statement("staging/select_staged_count")).fetchone()
        versions = _estimated_rows(conn, spec.versions_table)
        with _indexes_built_after(conn, spec.versions_table, staged, versions):
            execute_file(conn, f"staging/insert_{spec.version_name}_versions", params)
        execute_file(conn, "quarantine/insert_quarantined", params, raw=f"raw.{spec.source}")
        execute_file(conn, "staging/add_staged_keys", params)
        (touched,) = conn.execute(statement("staging/select_touched_count")).fetchone()
        current = _estimated_rows(conn, spec.current_table)
        with (
            _indexes_built_after(conn, spec.current_table, touched, current) as bulk,
            nullcontext() if bulk else _key_lookups(conn),
        ):
            execute_file(conn, f"staging/merge_current_{spec.name}", params)
        rows = conn.execute(statement("staging/select_conformed_counts")).fetchall()
    # Fresh statistics before the KPI steps plan their joins: autovacuum may not have seen the
    # load yet, and a stale row count turned a 0.4 s chiso query into 110 s (benchmarks/).
    # A run that changed a small share of the table leaves them to autovacuum: sampling the
    # table cost 0.27 s at scale 0.25 on one year, more as the history grows.
    if _large_share(touched, current):
        with conn.transaction():
            conn.execute(statement("warehouse/analyze_table", table=spec.current_table))
    by_disposition: dict[str, int] = {}
    by_rule: dict[str, int] = {}
    for disposition, rule, n in rows:
        by_disposition[disposition] = by_disposition.get(disposition, 0) + n
        if rule:
            by_rule[rule] = by_rule.get(rule, 0) + n
    return ConformCounts(
        raw=sum(by_disposition.values()),
        staged=by_disposition.get("staged", 0),
        quarantined=by_disposition.get("quarantined", 0),
        superseded=by_disposition.get("superseded", 0),
        by_rule=by_rule,
    )
