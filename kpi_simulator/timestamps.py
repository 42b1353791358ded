"""Instants as integer "local seconds" (seconds since 1970-01-01 00:00 Asia/Ho_Chi_Minh wall time).

Generating a province-year means millions of instants; plain ints are several times cheaper
than aware datetimes to draw, compare and sort. Vietnam has kept UTC+7 without daylight saving
since 1975, so local seconds map one-to-one to real instants.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from kpi_pipeline.domain.calendar import TZ

DAY = 86_400
HOUR = 3_600
MINUTE = 60
_ORD0 = date(1970, 1, 1).toordinal()
_DAY_TEXT: dict[int, str] = {}


def day_start(d: date) -> int:
    return (d.toordinal() - _ORD0) * DAY


def day_of(ls: int) -> date:
    return date.fromordinal(ls // DAY + _ORD0)


def from_datetime(dt: datetime) -> int:
    """Aware datetime -> local seconds, rounded up (event times are whole seconds, so
    `event >= ceil(t)` is `event >= t`: half-open windows stay exact)."""
    if dt.tzinfo is None:
        raise ValueError(f"timezone-aware datetime required, got {dt!r}")
    local = dt.astimezone(TZ)
    secs = day_start(local.date()) + local.hour * HOUR + local.minute * MINUTE + local.second
    return secs + (1 if local.microsecond else 0)


def to_datetime(ls: int) -> datetime:
    d = day_of(ls)
    return datetime(d.year, d.month, d.day, tzinfo=TZ) + timedelta(seconds=ls % DAY)


def fmt(ls: int | None) -> str | None:
    """`yyyyMMddHHmmss` local time, None stays None (the contract's "not yet")."""
    if ls is None:
        return None
    days, sod = divmod(ls, DAY)
    prefix = _DAY_TEXT.get(days)
    if prefix is None:
        prefix = _DAY_TEXT[days] = date.fromordinal(days + _ORD0).strftime("%Y%m%d")
    h, rest = divmod(sod, HOUR)
    m, s = divmod(rest, MINUTE)
    return f"{prefix}{h:02d}{m:02d}{s:02d}"


def fmt_date(d: date | None) -> str | None:
    return None if d is None else d.strftime("%Y%m%d")


def parse(text: str) -> datetime:
    """`yyyyMMddHHmmss` (Asia/Ho_Chi_Minh) -> aware datetime; ValueError when malformed."""
    if len(text) != 14 or not text.isdigit():
        raise ValueError(f"expected yyyyMMddHHmmss, got {text!r}")
    return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=TZ)


def years_since(ls: int, origin: date) -> float:
    return (ls - day_start(origin)) / (365.25 * DAY)


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))
