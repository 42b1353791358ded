"""One streaming loader for every source: pages go into COPY as they arrive.

The partitions' old rows are deleted and the new ones copied in the caller's transaction, so a
pull that fails half way (portal down past the retry budget, process killed) leaves the
previous rows of those partitions in place. Which partitions a pull replaces is the pull plan's
choice (`domain/history.py`), and a rerun brings the history to the same complete state.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import lru_cache

import orjson
import psycopg

from kpi_pipeline.domain.calendar import week_start
from kpi_pipeline.ingestion.typed_fields import TYPERS
from kpi_pipeline.warehouse.db import statement


def week_key_of(ngay_cap_nhat: object) -> str | None:
    """The weekly partition key of a `yyyyMMddHHmmss` change time, None if it does not parse."""
    if not isinstance(ngay_cap_nhat, str):
        return None
    text = ngay_cap_nhat.strip()
    if len(text) != 14 or not text.isascii() or not text.isdigit():
        return None
    # the time part as strptime's %H%M%S accepts it; the date part through the cache below
    if int(text[8:10]) > 23 or int(text[10:12]) > 59 or int(text[12:14]) > 61:
        return None
    return _week_key_of_day(text[:8])


@lru_cache(maxsize=4096)
def _week_key_of_day(yyyymmdd: str) -> str | None:
    """One strptime per calendar day, not per record: a year's pull is millions of records."""
    try:
        day = datetime.strptime(yyyymmdd, "%Y%m%d").date()
    except ValueError:
        return None
    return week_start(day).isoformat()


def _json_bytes(item: object) -> bytes:
    """The record as JSON, its keys sorted: orjson (7x json.dumps here), or json for what
    orjson refuses (an integer beyond 64 bits), so that such a record still lands and meets
    its rule. Sorted, the text is also the record's content for the hash below (jsonb's
    equality ignores key order too)."""
    try:
        return orjson.dumps(item, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(item, ensure_ascii=False, sort_keys=True).encode()


def _json_text(item: object) -> str:
    return _json_bytes(item).decode()


def land_raw(
    conn: psycopg.Connection,
    table: str,
    partition_keys: list[str],
    items: Iterable[tuple[int, dict]],
    key_of: Callable[[dict], str | None],
    run_id: str,
) -> dict[str, int]:
    """Replace `raw.<table>` rows of `partition_keys` with `items`; return rows per key.

    `key_of` maps a record to its partition; a record it cannot place (or places outside the
    pulled range) lands in the range's first partition, so nothing is dropped. A weekly
    source's records land with their content hash and, where plain, their fields typed
    (`typed_fields.py`), read here from the dict the client parsed anyway.
    """
    wanted = set(partition_keys)
    fallback = min(partition_keys)
    fetched_at = datetime.now(UTC)
    counts: dict[str, int] = dict.fromkeys(partition_keys, 0)
    with conn.transaction():
        conn.execute(
            statement("raw/delete_partitions", table=f"raw.{table}"),
            {"keys": partition_keys},
        )
        typer = TYPERS.get(table)
        if typer is None:
            copy_stmt = statement("raw/copy_pages", table=f"raw.{table}")
        else:
            columns, type_row = typer
            untyped = (False,) + (None,) * len(columns)
            copy_stmt = statement("raw/copy_typed_pages", table=f"raw.{table}", columns=columns)
        with conn.cursor() as cur, cur.copy(copy_stmt) as copy:
            for page, item in items:
                key = key_of(item)
                if key not in wanted:
                    key = fallback
                counts[key] += 1
                if typer is None:
                    copy.write_row((key, page, _json_text(item), run_id, fetched_at))
                    continue
                data = _json_bytes(item)  # one serialisation: the text kept is the one hashed
                digest = hashlib.md5(data, usedforsecurity=False).hexdigest()
                typed = type_row(item)
                fields = untyped if typed is None else (True, *typed)
                copy.write_row((key, page, data.decode(), run_id, fetched_at, digest, *fields))
    return counts
