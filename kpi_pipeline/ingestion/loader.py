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
from psycopg.adapt import PyFormat

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


def week_of_change(item: dict) -> str | None:
    """The weekly sources' partition key: the week of the record's NgayCapNhat. `land_raw`
    knows this function: for a record it typed, the key comes from the validated
    `updated_local` (the same stamp, valid by `_ts`'s stricter rule, so `week_key_of` would
    read the same day) without parsing the stamp again."""
    return week_key_of(item.get("NgayCapNhat"))


# COPY's text format (what `copy.write_row` sent): TAB between columns, NEWLINE after a row,
# \N for NULL; a backslash, TAB, NEWLINE or CR inside a value escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_ROWS_PER_WRITE = 1000


def _copy_text(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


def _copy_value(conn: psycopg.Connection, value: object) -> bytes:
    """`value` as `copy.write_row` sends it: psycopg's own text dumper, escaped."""
    dumper = conn.adapters.get_dumper(type(value), PyFormat.TEXT)(type(value), conn)
    return _copy_text(bytes(dumper.dump(value)).decode()).encode()


def _typed_text(fields: tuple) -> bytes:
    """Typed values in COPY text: the typer emits str, int, bool and None only (one expression,
    not a call per value: 16 values a record; `type(v) is int` is false for a bool)."""
    return "\t".join(
        [v if type(v) is str else "\\N" if v is None else str(v) if type(v) is int else "tf"[not v]
         for v in fields]
    ).encode()  # fmt: skip


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

    The rows go to COPY as text-format lines built here, a batch per `copy.write` (psycopg's
    `write_row` dumped each of the 23 values on its own: a third of the loader's time).
    """
    wanted = set(partition_keys)
    fallback = min(partition_keys)
    fetched_at = datetime.now(UTC)
    counts: dict[str, int] = dict.fromkeys(partition_keys, 0)
    # per run, key and page: their text once
    middle = b"\t" + _copy_value(conn, run_id) + b"\t" + _copy_value(conn, fetched_at)
    key_text = {k: _copy_text(k).encode() + b"\t" for k in partition_keys}
    fallback_text = key_text[fallback]
    encoding = conn.info.encoding  # what write_row encoded to; the JSON and lines are UTF-8
    with conn.transaction():
        conn.execute(
            statement("raw/delete_partitions", table=f"raw.{table}"),
            {"keys": partition_keys},
        )
        typer = TYPERS.get(table)
        if typer is None:
            copy_stmt = statement("raw/copy_pages", table=f"raw.{table}")
            middle += b"\n"
        else:
            columns, type_row = typer
            untyped = b"\tf" + b"\t\\N" * len(columns) + b"\n"
            copy_stmt = statement("raw/copy_typed_pages", table=f"raw.{table}", columns=columns)
            middle += b"\t"
            # the weekly key read from the typed stamp (see `week_of_change`)
            typed_week = key_of is week_of_change
            updated = columns.index("updated_local")
        page_number, page_text = None, b""
        parts: list[bytes] = []
        rows = 0
        with conn.cursor() as cur, cur.copy(copy_stmt) as copy:
            for page, item in items:
                if page != page_number:
                    page_number, page_text = page, str(page).encode() + b"\t"
                if typer is None:
                    key = key_of(item)
                    data = _json_bytes(item)
                    # orjson and json escape control characters: a backslash is all to double
                    parts += (key_text.get(key, fallback_text), page_text)
                    parts += (data.replace(b"\\", b"\\\\"), middle)
                else:
                    data = _json_bytes(item)  # one serialisation: the text kept is the one hashed
                    digest = hashlib.md5(data, usedforsecurity=False).hexdigest().encode()
                    typed = type_row(item)
                    if typed is not None and typed_week:
                        key = _week_key_of_day(typed[updated][:8])
                    else:
                        key = key_of(item)
                    if b"\\" in data:
                        # Every typed string comes from a string of the record, whose
                        # backslash, TAB, NEWLINE or CR the JSON writes as an escape
                        # starting with a backslash: without one, nothing needs escaping.
                        data = data.replace(b"\\", b"\\\\")
                        if typed is not None:
                            typed = tuple(_copy_text(v) if type(v) is str else v for v in typed)
                    tail = untyped if typed is None else b"\tt\t" + _typed_text(typed) + b"\n"
                    parts += (key_text.get(key, fallback_text), page_text, data, middle)
                    parts += (digest, tail)
                counts[key if key in wanted else fallback] += 1
                rows += 1
                if rows == _ROWS_PER_WRITE:
                    copy.write(_encoded(b"".join(parts), encoding))
                    parts.clear()
                    rows = 0
            if parts:
                copy.write(_encoded(b"".join(parts), encoding))
    return counts


def _encoded(lines: bytes, encoding: str) -> bytes:
    """UTF-8 lines in the connection's encoding (a no-op for a UTF-8 warehouse)."""
    return lines if encoding == "utf-8" else lines.decode().encode(encoding)
