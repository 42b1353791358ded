"""Cumulative periods a province compares: the quarter and the year to date through a month,
each beside the same period of the year before (seed 002 reports Q1, Q2 and the half year
against the year before).

A cumulative period is one [start, end) period counted by the contract's rules as a single
window (a dossier received in January and finished in March is received once, finished once;
overdue_open is at the period's end), by the same row function as the monthly tables; the SQL
side sums its events per unit and procedure from its months, read once for every period.

The map: a period holding days on both sides of the 2025 reform, or compared with one on the
other side, is also counted on today's map (`current`, the units in force today), where units
can be compared across the reform; every period is counted on the map of its own time
(`as_then`), whose province roll-up is the same total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

KINDS = ("quarter", "year_to_date")
MAPS = ("as_then", "current")


@dataclass(frozen=True)
class CumulativePeriod:
    anchor_month: date  # the month the period runs through (its 1st)
    kind: str  # quarter | year_to_date
    year_offset: int  # 0: the period itself; -1: the same period a year before
    start: date
    end: date  # exclusive
    complete: bool  # the period reaches the quarter's / year's end
    unit_map: str  # as_then | current


def _month(d: date, plus: int = 0) -> date:
    n = d.year * 12 + d.month - 1 + plus
    return date(n // 12, n % 12 + 1, 1)


def _bounds(anchor: date, kind: str, year_offset: int) -> tuple[date, date, bool]:
    year = anchor.year + year_offset
    end = _month(date(year, anchor.month, 1), 1)
    if kind == "quarter":
        first = (anchor.month - 1) // 3 * 3 + 1
        return date(year, first, 1), end, anchor.month % 3 == 0
    if kind == "year_to_date":
        return date(year, 1, 1), end, anchor.month == 12
    raise ValueError(f"unknown cumulative period kind {kind!r} (one of {', '.join(KINDS)})")


def crosses(start: date, end: date, day: date) -> bool:
    """Does [start, end) hold days before `day` and days from it on?"""
    return start < day < end


def cumulative_periods(anchor: date, reform_day: date) -> list[CumulativePeriod]:
    """Every cumulative period of the month `anchor`: quarter and year to date, this year and
    the year before, on the map of their time, and on today's map where the pair (this year,
    the year before) spans `reform_day`."""
    if anchor.day != 1:
        raise ValueError(f"a cumulative period runs through a month: {anchor} is not a 1st")
    out: list[CumulativePeriod] = []
    for kind in KINDS:
        pair = {off: _bounds(anchor, kind, off) for off in (0, -1)}
        spans = crosses(pair[-1][0], pair[0][1], reform_day)
        for off, (start, end, complete) in pair.items():
            for unit_map in MAPS if spans else MAPS[:1]:
                out.append(CumulativePeriod(anchor, kind, off, start, end, complete, unit_map))
    return out


def months_of(start: date, end: date) -> list[date]:
    """The 1st of every month in [start, end) (a partition window of months)."""
    out, m = [], _month(start)
    if m < start:
        m = _month(start, 1)
    while m < end:
        out.append(m)
        m = _month(m, 1)
    return out


def quarter_label(start: date) -> str:
    return f"Q{(start.month - 1) // 3 + 1}/{start.year}"
