"""The change history the warehouse holds of each source, and what a complete one is.

The portals list a record only in the change window of its *latest* change, as of the moment
a window is read. So a window read once is not a fixed set: records leave it when they change
again. The warehouse holds every record in its latest known state exactly when its pulled
windows, from the history start to the window in progress at the latest pull, are

1. contiguous: no window between the history start and the last one was left out;
2. read in order: no window was read after a later window (re-reading an old window drops
   the records that moved on from it; they are found again only by re-reading every later
   window after it);
3. closed: every window but the last was read after it ended (its later changes are in);
4. current: the last window holds the instant it was read (changes after a window that had
   already ended when it was read would be in no pulled window: the record is lost);
5. conformed: staging has conformed each window since its last pull.

Then it is the state of every record as of the latest pull (`HistoryState.as_of`), and a
period that ended by then can be computed. Pure: the database reads live in
`ingestion/coverage.py`, the checks of the KPI assets in `kpis/history.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kpi_pipeline.domain.calendar import TZ, week_start, week_window


@dataclass(frozen=True)
class WindowPull:
    """One weekly change window of one source, as it was last read."""

    week: date  # the Friday opening the window
    pulled_at: datetime  # when its first request was sent
    conformed_at: datetime | None = None  # when staging last conformed its rows

    @property
    def start(self) -> datetime:
        return week_window(self.week).start

    @property
    def end(self) -> datetime:
        return week_window(self.week).end


@dataclass(frozen=True)
class Gap:
    """Changes of `source` in [start, end) that the warehouse may not hold, and why."""

    source: str
    start: datetime
    end: datetime
    reason: str

    def describe(self) -> str:
        first = self.start.astimezone(TZ)
        last = self.end.astimezone(TZ)
        return f"{self.source}: {first:%Y-%m-%d %H:%M} .. {last:%Y-%m-%d %H:%M} {self.reason}"


NEVER_PULLED = "never pulled"
READ_BEFORE_EARLIER = "read before an earlier window was read again"
READ_WHILE_OPEN = "read before the window ended and not read again since"
NOT_CURRENT = "changed after the last pull's windows (the pull did not reach its own time)"
NOT_CONFORMED = "pulled but not conformed into staging since"


@dataclass(frozen=True)
class HistoryState:
    """What a source's pulled windows say: as of when it is complete, and its gaps."""

    source: str
    as_of: datetime | None  # the latest pull's instant, None if nothing was pulled
    gaps: tuple[Gap, ...]

    @property
    def complete(self) -> bool:
        return self.as_of is not None and not self.gaps


def history_state(source: str, pulls: Iterable[WindowPull], history_start: date) -> HistoryState:
    """The state of `source`'s change history from the week holding `history_start`.

    Changes a portal records late (stamped before they appear) are not judged here: every
    pull reads again from the latest pull less the overlap (`pull_plan`), so they land with
    the next pull."""
    first = week_start(history_start)
    by_week = {p.week: p for p in pulls if p.week >= first}
    if not by_week:
        return HistoryState(source, None, ())
    last = max(by_week)
    gaps: list[Gap] = []
    latest_read: datetime | None = None
    week = first
    while week <= last:
        pull = by_week.get(week)
        window = week_window(week)
        if pull is None:
            gaps.append(Gap(source, window.start, window.end, NEVER_PULLED))
        else:
            if latest_read is not None and pull.pulled_at < latest_read:
                gaps.append(Gap(source, window.start, window.end, READ_BEFORE_EARLIER))
            elif week < last and pull.pulled_at < window.end:
                gaps.append(Gap(source, pull.pulled_at, window.end, READ_WHILE_OPEN))
            if pull.conformed_at is None or pull.conformed_at < pull.pulled_at:
                gaps.append(Gap(source, window.start, window.end, NOT_CONFORMED))
            latest_read = max(latest_read or pull.pulled_at, pull.pulled_at)
        week += timedelta(days=7)
    newest = by_week[last]
    if newest.pulled_at >= newest.end:
        gaps.append(Gap(source, newest.end, newest.pulled_at, NOT_CURRENT))
    return HistoryState(source, newest.pulled_at, tuple(_merged(gaps)))


def _merged(gaps: list[Gap]) -> list[Gap]:
    """Adjacent gaps of one reason as one, so a message names ranges, not hundreds of weeks."""
    out: list[Gap] = []
    for gap in sorted(gaps, key=lambda g: (g.reason, g.start)):
        prev = out[-1] if out else None
        if prev and prev.reason == gap.reason and prev.end >= gap.start:
            out[-1] = Gap(prev.source, prev.start, max(prev.end, gap.end), prev.reason)
        else:
            out.append(gap)
    return sorted(out, key=lambda g: g.start)


def period_problems(
    states: Sequence[HistoryState],
    start: datetime,
    end: datetime,
    history_start: date,
    now: datetime,
) -> list[str]:
    """Why the period [start, end) cannot be computed from these histories (empty: it can).

    A period needs each source's history complete from the history start (the backlog of open
    dossiers reaches back to it) and the latest pull at or after the period's end, unless the
    period is still running (then it is computed as of the latest pull, which must lie in it).
    """
    problems: list[str] = []
    if start < week_window(week_start(history_start)).start:
        problems.append(
            f"the period starts before the history start {history_start.isoformat()}"
            " (KPI_HISTORY_START): its dossiers were never pulled"
        )
    for state in states:
        if state.as_of is None:
            problems.append(f"{state.source}: never pulled")
            continue
        problems += [gap.describe() for gap in state.gaps]
        at = state.as_of.astimezone(TZ)
        if end <= now and state.as_of < end:
            problems.append(
                f"{state.source}: the latest pull was at {at:%Y-%m-%d %H:%M}, before the"
                " period's end"
            )
        elif end > now and state.as_of < start:
            problems.append(f"{state.source}: nothing pulled since the period began")
    return problems


def pull_plan(
    pulls: Iterable[WindowPull],
    requested: Sequence[date],
    history_start: date,
    now: datetime,
    overlap: timedelta,
) -> list[date]:
    """The weeks a pull of `requested` must read so that the history is complete afterwards.

    From the earliest of the requested weeks, the first week with a gap and the week holding
    the latest pull less the overlap (changes recorded late are read again), to the week holding
    `now`; on an empty warehouse, from the history start. The windows are read in order.
    """
    first_allowed = week_start(history_start)
    current = week_start(now.astimezone(TZ).date())
    pulls = list(pulls)
    state = history_state("", pulls, history_start)
    if state.as_of is None:
        start = first_allowed
    else:
        candidates = [week_start((state.as_of - overlap).astimezone(TZ).date())]
        # a window pulled but not conformed is staging's to catch up, not the portal's
        candidates += [
            week_start(g.start.astimezone(TZ).date())
            for g in state.gaps
            if g.reason != NOT_CONFORMED
        ]
        candidates += list(requested)
        start = max(first_allowed, min(candidates))
    start = min(start, current)
    return [start + timedelta(days=7 * i) for i in range((current - start).days // 7 + 1)]
