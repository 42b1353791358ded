"""`World`: the simulated province as of `config.now`, the truth both portals serve.

Reference data is built once; dossiers are generated per receipt day on demand, only for the
receipt days that can hold changes in a queried window, and kept in an LRU cache bounded by a
dossier budget, so no query materialises the whole history. Once a day has been generated, a
compact summary of it stays (when each of its dossiers last changed, per kind of record, ~30
bytes a dossier): later windows look the summary up and rebuild only the dossiers that changed
inside them. Window results are cached too (a paged read asks for the same window page after
page), and every list is in the server's stable page order: by `NgayCapNhat`, then the key.
"""

from __future__ import annotations

import bisect
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from kpi_simulator.admin_units import build_units
from kpi_simulator.config import HISTORY_START, SimulatorConfig
from kpi_simulator.dossiers import LIFETIME, DayGenerator, Dossier
from kpi_simulator.holidays import load_holidays, tet_ranges, working_calendar
from kpi_simulator.national import (
    MAX_REFUND_DELAY,
    MAX_SYNC_LAG,
    add_national,
    chiso_items,
    month_bounds,
    payment_item,
    sync_item,
    txn_view,
)
from kpi_simulator.procedures import build_procedures
from kpi_simulator.profiles import build_profiles
from kpi_simulator.timestamps import day_of, day_start, from_datetime

HOSO, DONGBO, THANHTOAN = "hoso", "dongbo", "thanhtoan"
FINISHED_NATIONALLY = "fin"  # summary key: when the national copy shows the dossier finished
# How far before a window a receipt day can still produce a change inside it.
LOOKBACK = {HOSO: LIFETIME, DONGBO: LIFETIME + MAX_SYNC_LAG, THANHTOAN: LIFETIME + MAX_REFUND_DELAY}
WINDOW_CACHE = 4


class World:
    """Deterministic truth of one `SimulatorConfig`; safe to share between server threads."""

    def __init__(self, config: SimulatorConfig):
        self.config = config
        self.now = from_datetime(config.now)
        self.today = config.now.date()
        self._units = build_units(config.province_code)
        self._procedures = build_procedures()
        self._holidays = load_holidays()
        self.calendar = working_calendar(self._holidays)
        profiles = build_profiles(self._units, self._procedures, config.seed)
        validity: dict[str, list] = {}
        for u in self._units:
            validity.setdefault(u.code, []).append((u.valid_from, u.valid_to))
        self._generator = DayGenerator(
            config.seed,
            config.scale,
            self.calendar,
            [(profiles[code], validity[code]) for code in sorted(profiles)],
            tet_ranges(self._holidays),
            add_national,
        )
        self._lock = threading.RLock()
        self._days: OrderedDict[date, list[Dossier]] = OrderedDict()
        self._cached_dossiers = 0
        self._summaries: dict[date, dict[str, tuple[array, array]]] = {}
        self._windows: OrderedDict[tuple, list] = OrderedDict()
        self._chiso: dict[date, list[dict]] = {}

    # ------------------------------------------------------------------ reference data
    def units(self) -> list[dict]:
        return [u.to_api() for u in self._units]

    def procedures(self) -> list[dict]:
        items = [p.to_api() for p in self._procedures]
        changes = {code: (day, level) for code, day, level in self.config.procedure_level_changes}
        unknown = sorted(set(changes) - {i["MaTTHC"] for i in items})
        if unknown:
            raise ValueError(f"procedure_level_changes name unknown procedures: {unknown}")
        for item in items:
            change = changes.get(item["MaTTHC"])
            if change and change[0] <= self.today:
                day, level = change
                item.update(MucDo=level, ToanTrinh=level == 4, HieuLucTu=f"{day:%Y%m%d}")
        return items

    def holidays(self, year: int) -> list[dict]:
        return [h.to_api() for h in self._holidays if h.day.year == year]

    # ------------------------------------------------------------------ dossiers by receipt day
    def day(self, d: date) -> list[Dossier]:
        """The dossiers received on day d (views as of now set), generated once and cached."""
        with self._lock:
            batch = self._days.get(d)
            if batch is not None:
                self._days.move_to_end(d)
                return batch
            batch = self._generate(d)
            self._days[d] = batch
            self._cached_dossiers += len(batch)
            while self._cached_dossiers > self.config.cache_dossiers and len(self._days) > 1:
                _, old = self._days.popitem(last=False)
                self._cached_dossiers -= len(old)
            return batch

    def _generate(self, d: date) -> list[Dossier]:
        batch = self._generator.generate(d) if HISTORY_START <= d <= self.today else []
        for x in batch:
            x.set_views(self.now)
        self._summaries[d] = self._summarise(d, batch)
        return batch

    def _summarise(self, d: date, batch: list[Dossier]) -> dict[str, tuple[array, array]]:
        """Per kind, the sorted instants (seconds after the day's start) at which the day's
        dossiers show a change as of now, with the dossier's index in the day."""
        base, now = day_start(d), self.now
        keys: dict[str, list[tuple[int, int]]] = {
            HOSO: [],
            DONGBO: [],
            THANHTOAN: [],
            FINISHED_NATIONALLY: [],
        }
        for i, x in enumerate(batch):
            if x.p_upd is not None:
                keys[HOSO].append((x.p_upd - base, i))
            if x.n_idx is not None:
                keys[DONGBO].append((x.n_upd - base, i))
                if x.finished is not None and x.finished <= x.events[x.n_idx][0]:
                    keys[FINISHED_NATIONALLY].append((x.finished - base, i))
            for txn in x.txns:
                view = txn_view(txn, now)
                if view is not None:
                    keys[THANHTOAN].append((view[1] - base, i))
        out = {}
        for kind, pairs in keys.items():
            pairs.sort()
            out[kind] = (array("i", [p[0] for p in pairs]), array("i", [p[1] for p in pairs]))
        return out

    def _changed_in(self, kind: str, d: date, lo: int, hi: int) -> list[Dossier]:
        """The dossiers received on day d with a `kind` change in [lo, hi), from the day's
        summary: rebuilt one by one when the day itself is no longer cached."""
        summary = self._summaries.get(d)
        if summary is None:
            self.day(d)
            summary = self._summaries[d]
        offsets, indexes = summary[kind]
        base = day_start(d)
        a, b = bisect.bisect_left(offsets, lo - base), bisect.bisect_left(offsets, hi - base)
        if a == b:
            return []
        wanted = sorted(set(indexes[a:b]))
        batch = self._days.get(d)
        if batch is not None:
            return [batch[i] for i in wanted]
        drafts = self._generator.drafts(d)
        out = []
        for i in wanted:
            x = self._generator.build(drafts[i])
            x.set_views(self.now)
            out.append(x)
        return out

    def _days_between(self, first: date, last: date) -> Iterator[date]:
        d = max(first, HISTORY_START)
        last = min(last, self.today)
        while d <= last:
            yield d
            d += timedelta(days=1)

    def dossiers_received(self, start: date, end: date) -> list[dict]:
        """Provincial items of the dossiers received on days [start, end) and existing at now
        (plausibility checks and tests; not an endpoint)."""
        out = []
        for d in self._days_between(start, end - timedelta(days=1)):
            out.extend(x.provincial_item(self.now) for x in self.day(d) if x.p_upd is not None)
        return out

    # ------------------------------------------------------------------ change windows
    def window(self, kind: str, tu: datetime, den: datetime) -> list[tuple]:
        """The records of `kind` changed in [tu, den), sorted by (NgayCapNhat, key): a list of
        tuples whose last elements `format_record` turns into API items."""
        lo, hi = from_datetime(tu), from_datetime(den)
        key = (kind, lo, hi)
        with self._lock:
            cached = self._windows.get(key)
            if cached is not None:
                self._windows.move_to_end(key)
                return cached
            rows = self._scan(kind, lo, min(hi, self.now + 1)) if lo < hi else []
            self._windows[key] = rows
            if len(self._windows) > WINDOW_CACHE:
                self._windows.popitem(last=False)
            return rows

    def _scan(self, kind: str, lo: int, hi: int) -> list[tuple]:
        rows: list[tuple] = []
        if lo >= hi:
            return rows
        first, last = day_of(lo - LOOKBACK[kind]), day_of(hi - 1)
        now = self.now
        for d in self._days_between(first, last):
            batch = self._changed_in(kind, d, lo, hi)
            if kind == HOSO:
                rows += [
                    (x.p_upd, x.code, x)
                    for x in batch
                    if x.p_upd is not None and lo <= x.p_upd < hi
                ]
            elif kind == DONGBO:
                rows += [
                    (x.n_upd, x.code, x)
                    for x in batch
                    if x.n_upd is not None and lo <= x.n_upd < hi
                ]
            else:
                for x in batch:
                    for txn in x.txns:
                        view = txn_view(txn, now)
                        if view is not None and lo <= view[1] < hi:
                            rows.append((view[1], txn[0], x, txn, view[0]))
        rows.sort(key=lambda r: (r[0], r[1]))
        return rows

    def format_record(self, kind: str, row: tuple) -> dict:
        if kind == HOSO:
            return row[2].provincial_item(self.now)
        if kind == DONGBO:
            return sync_item(row[2])
        return payment_item(row[2], row[3], row[4], row[0])

    def _changed(self, kind: str, tu: datetime, den: datetime) -> Iterator[dict]:
        for row in self.window(kind, tu, den):
            yield self.format_record(kind, row)

    def dossiers_changed(self, tu: datetime, den: datetime) -> Iterator[dict]:
        """Provincial `/api/v1/hoso` items with NgayCapNhat in [tu, den), in page order."""
        return self._changed(HOSO, tu, den)

    def sync_records_changed(self, tu: datetime, den: datetime) -> Iterator[dict]:
        """National `/api/v1/dongbo/hoso` items with NgayCapNhat in [tu, den), in page order."""
        return self._changed(DONGBO, tu, den)

    def payments_changed(self, tu: datetime, den: datetime) -> Iterator[dict]:
        """National `/api/v1/thanhtoan` items with NgayCapNhat in [tu, den), in page order."""
        return self._changed(THANHTOAN, tu, den)

    # ------------------------------------------------------------------ published figures
    def chiso(self, month: date) -> list[dict]:
        """National `/api/v1/chiso` items of a month: one per unit valid during it, by MaDonVi."""
        first, nxt = month_bounds(month)
        with self._lock:
            cached = self._chiso.get(first)
            if cached is None:
                codes = sorted({u.code for u in self._units if u.overlaps(first, nxt)})
                lo, hi = day_start(first), day_start(nxt)
                # received in the month: whole days; earlier: those finished in the month
                dossiers = [
                    x
                    for d in self._days_between(day_of(lo - LIFETIME), nxt - timedelta(days=1))
                    for x in (
                        self.day(d)
                        if d >= first
                        else self._changed_in(FINISHED_NATIONALLY, d, lo, hi)
                    )
                ]
                cached = self._chiso[first] = chiso_items(dossiers, codes, lo, hi, self.now)
            return [dict(item) for item in cached]
