"""Dossiers, generated one receipt day at a time, with their whole lifecycle.

What arrives on a receipt day (unit, procedure, channel, time: the "drafts") comes from an RNG
seeded with (seed, day), and each dossier's lifecycle from an RNG seeded with (seed, MaHoSo),
so any day, or any single dossier, can be generated on its own, in any order, and always the
same: window queries generate only what can have changes in the window. A dossier's lifecycle
is drawn in full (independently of `now`); what the portals show is its state as of `now`:
events after `now` have not happened. Every event falls within `LIFETIME` of receipt, so a window [tu, den) only
needs receipt days in [tu - LIFETIME, den). Instants are local seconds (see `timestamps`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import date, timedelta

from kpi_pipeline.domain.calendar import PEAK_MONTHS, WorkingCalendar
from kpi_simulator.procedures import Procedure
from kpi_simulator.profiles import WORKING_DAYS_PER_YEAR, UnitProfile, years_since_start
from kpi_simulator.timestamps import DAY, HOUR, fmt

LIFETIME_DAYS = 120
LIFETIME = LIFETIME_DAYS * DAY

# Status codes (portal-api.md)
RECEIVED, REFUSED, IN_PROCESS, SUPPLEMENT, FINANCIAL = 2, 3, 4, 5, 6
WITHDRAWN, SUSPENDED, FINISHED, RETURNED = 7, 8, 9, 10

_MORNING, _AFTERNOON, _CLOSE = 7 * HOUR + 1800, 13 * HOUR + 1800, 17 * HOUR
_MORNING_LEN = 4 * HOUR  # 07:30-11:30, then 13:30-17:00
_OFFICE_LEN = _MORNING_LEN + 3 * HOUR + 1800
_ORD0 = date(1970, 1, 1).toordinal()
# (MaHoSo, unit profile, procedure, channel, received, the unit's rates that day)
Draft = tuple[str, UnitProfile, Procedure, int, int, tuple[float, float, float, float]]


def office_tod(u: float) -> int:
    """A second of office hours, from u in [0, 1)."""
    x = int(u * _OFFICE_LEN)
    return _MORNING + x if x < _MORNING_LEN else _AFTERNOON + (x - _MORNING_LEN)


def randint(rng: random.Random, a: int, b: int) -> int:
    """Uniform int in [a, b]; `Random.randint` costs ~10x more and is called millions of times."""
    return a + int(rng.random() * (b - a + 1))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam < 30:
        limit, k, p = math.exp(-lam), 0, rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        return k
    return max(0, int(rng.gauss(lam, math.sqrt(lam)) + 0.5))


class Dossier:
    """One dossier's full lifecycle, plus its views as of the world's `now`.

    events: [(t, status)] in time order, starting with (received, 2).
    payment: (HinhThuc, SoTien, t_paid, MaGiaoDich) or None.
    sync: national sync instants of events[0..len(sync)) (fewer when the sync stalled).
    txns: national payment transactions [MaGiaoDich, SoTien, t, TrangThai, t_refund].
    p_upd / n_idx / n_upd: set by `set_views(now)`.
    """

    __slots__ = (
        "code", "unit", "proc", "channel", "digitised", "received", "due", "events",
        "finished", "returned", "late_reason", "payment", "sync", "txns",
        "p_upd", "n_idx", "n_upd",
    )  # fmt: skip

    def set_views(self, now: int) -> None:
        p_upd = n_upd = n_idx = None
        if self.received <= now:
            for t, _ in self.events:
                if t > now:
                    break
                p_upd = t
            pay = self.payment
            if pay is not None and p_upd < pay[2] <= now:
                p_upd = pay[2]
            for i, s in enumerate(self.sync):
                if s > now:
                    break
                n_idx, n_upd = i, s
        self.p_upd, self.n_idx, self.n_upd = p_upd, n_idx, n_upd

    def status_at(self, now: int) -> int:
        status = RECEIVED
        for t, s in self.events:
            if t > now:
                break
            status = s
        return status

    def provincial_item(self, now: int) -> dict:
        fin = self.finished if self.finished is not None and self.finished <= now else None
        ret = self.returned if self.returned is not None and self.returned <= now else None
        pay = self.payment
        payment = None
        if pay is not None and pay[2] <= now:
            payment = {
                "HinhThuc": pay[0],
                "SoTien": pay[1],
                "NgayThanhToan": fmt(pay[2]),
                "MaGiaoDich": pay[3],
            }
        return {
            "MaHoSo": self.code,
            "MaTTHC": self.proc.code,
            "MaDonVi": self.unit,
            "KenhThucHien": self.channel,
            "SoHoa": self.digitised,
            "NgayTiepNhan": fmt(self.received),
            "NgayHenTra": fmt(self.due),
            "NgayKetThucXuLy": fmt(fin),
            "NgayTra": fmt(ret),
            "TrangThaiHoSo": self.status_at(now),
            "LyDoTreHan": self.late_reason if fin is not None else None,
            "ThanhToan": payment,
            "NgayCapNhat": fmt(self.p_upd),
        }


class DayGenerator:
    """Draws the provincial dossiers of one receipt day (national side: `national.py`)."""

    def __init__(
        self,
        seed: int,
        scale: float,
        calendar: WorkingCalendar,
        profiles: list[tuple[UnitProfile, list[tuple[date, date | None]]]],
        tet_ranges: list[tuple[date, date]],
        national: Callable[[random.Random, Dossier, UnitProfile], None],
    ):
        self.seed, self.scale, self.calendar = seed, scale, calendar
        self.national = national  # draws the national side with the dossier's RNG
        self.profiles = profiles  # (profile, validity intervals of the unit code), by code
        self.tet_ranges = tet_ranges
        self._working: dict[int, bool] = {}
        self._wd_add: dict[tuple[int, int], int] = {}

    # -- calendar on day indexes (days since 1970-01-01), cached: millions of calls
    def is_working(self, di: int) -> bool:
        w = self._working.get(di)
        if w is None:
            w = self._working[di] = self.calendar.is_working_day(date.fromordinal(di + _ORD0))
        return w

    def wd_add(self, di: int, n: int) -> int:
        key = (di, n)
        out = self._wd_add.get(key)
        if out is None:
            d = self.calendar.add_working_days(date.fromordinal(di + _ORD0), n)
            out = self._wd_add[key] = d.toordinal() - _ORD0
        return out

    def due(self, received: int, days: int) -> int:
        """`WorkingCalendar.due_at` on local seconds (checked against it in the tests)."""
        di, tod = divmod(received, DAY)
        if days == 0:
            return di * DAY + _CLOSE
        return self.wd_add(di, days) * DAY + tod

    def to_office(self, t: int, rng: random.Random) -> int:
        """The first office-hours instant at or after t (staff act in office hours)."""
        di, tod = divmod(t, DAY)
        if self.is_working(di) and tod < _CLOSE:
            if tod < _MORNING:
                return di * DAY + _MORNING + randint(rng, 0, 5400)
            if _MORNING + _MORNING_LEN <= tod < _AFTERNOON:
                return di * DAY + _AFTERNOON + randint(rng, 0, 3600)
            return t
        di += 1
        while not self.is_working(di):
            di += 1
        return di * DAY + _MORNING + randint(rng, 0, 5400)

    def volume_factor(self, d: date) -> float:
        """Growth, peak-month jumps and the Tết rush and lull."""
        f = 1.0 + 0.04 * years_since_start(d)
        if d.month in PEAK_MONTHS:
            f *= 1.45
        for start, end in self.tet_ranges:
            if start - timedelta(days=8) <= d < start:
                f *= 1.3
            elif end < d <= end + timedelta(days=10):
                f *= 0.6
        return f

    def generate(self, d: date) -> list[Dossier]:
        return [self.build(draft) for draft in self.drafts(d)]

    def build(self, draft: Draft) -> Dossier:
        """A dossier's lifecycle (and national side) from its own RNG, seeded by its code:
        any one dossier of a day can be rebuilt without the others."""
        code, profile, proc, channel, received, rates = draft
        rng = random.Random(f"{self.seed}|{code}")
        x = self._dossier(rng, code, profile.code, proc, channel, received, rates)
        self.national(rng, x, profile)
        return x

    def drafts(self, d: date) -> list[Draft]:
        """What arrives on day d, in MaHoSo order: cheap (~1/6 of building the dossiers)."""
        rng = random.Random(f"{self.seed}|hoso|{d.isoformat()}")
        di = d.toordinal() - _ORD0
        working = self.is_working(di)
        factor = self.volume_factor(d) * self.scale / WORKING_DAYS_PER_YEAR
        t_years = years_since_start(d)
        peak = d.month in PEAK_MONTHS
        yymmdd = d.strftime("%y%m%d")
        out: list[Draft] = []
        for profile, validity in self.profiles:
            if not any(a <= d and (b is None or d <= b) for a, b in validity):
                continue
            online = profile.online_share(t_years, d)
            curve = profile.curve
            rates = (
                curve(profile.late, t_years) * (0.7 if peak else 1.0),
                curve(profile.digitised, t_years),
                curve(profile.pay_online, t_years),
                profile.chu_quan * (0.5 if peak else 1.0),
            )
            phase = profile.phase(d)
            lam = phase.volume * factor
            if not working:
                lam *= phase.capable_share * online * 0.1
            n = poisson(rng, lam)
            if not n:
                continue
            drafts = []
            for _ in range(n):
                if working:
                    proc = phase.pick(rng.random())
                    channel = 1
                    if proc.online_capable and rng.random() < online * (
                        1.0 if proc.integrated else 0.5
                    ):
                        channel = 2
                    elif rng.random() < 0.03:
                        channel = 3
                else:
                    proc, channel = phase.pick_weekend(rng.random()), 2
                if channel == 2 and proc.days > 0 and rng.random() < 0.35:
                    tod = 6 * HOUR + int(rng.random() * 17 * HOUR)
                else:
                    tod = office_tod(rng.random())
                drafts.append((tod, proc, channel))
            drafts.sort(key=lambda x: x[0])
            for seq, (tod, proc, channel) in enumerate(drafts, 1):
                out.append(
                    (
                        f"{profile.code}-{yymmdd}-{seq:04d}",
                        profile,
                        proc,
                        channel,
                        di * DAY + tod,
                        rates,
                    )
                )
        return out

    def _dossier(
        self,
        rng: random.Random,
        code: str,
        unit: str,
        proc: Procedure,
        channel: int,
        received: int,
        rates: tuple[float, float, float, float],
    ) -> Dossier:
        """One dossier; rates: the unit's (late, digitised, pays online, subjective-late share)
        on the receipt day."""
        late_rate, digitised, pays_online, chu_quan = rates
        x = Dossier()
        x.code, x.unit, x.proc, x.channel, x.received = code, unit, proc, channel, received
        x.digitised = channel == 2 or rng.random() < digitised
        x.due = due = self.due(received, proc.days)
        x.finished = x.returned = x.late_reason = x.payment = None
        events = [(received, RECEIVED)]
        x.events = events
        end = received + LIFETIME
        if rng.random() < 0.012:  # refused at intake
            events.append((received + randint(rng, 600, 4 * HOUR), REFUSED))
            return x
        t_proc = self.to_office(received + randint(rng, 300, 2 * HOUR), rng)
        events.append((t_proc, IN_PROCESS))
        late_rate *= 1.5 if proc.days >= 15 else (1.2 if proc.days == 0 else 1.0)
        fate = rng.random()
        t_pay_at = None  # payment instant decided by the lifecycle (financial obligation)
        if fate < 0.008:
            events.append((t_proc + randint(rng, HOUR, max(HOUR + 1, due - t_proc)), WITHDRAWN))
        elif fate < 0.012:
            events.append((t_proc + randint(rng, HOUR, max(HOUR + 1, due - t_proc)), SUSPENDED))
        elif fate < 0.012 + 0.006 + 0.15 * late_rate:  # stuck: still open long after its due date
            if rng.random() < 0.3:
                events.append((t_proc + randint(rng, DAY, 20 * DAY), SUPPLEMENT))
        else:
            fin = self._finish(rng, received, t_proc, due, proc.days, rng.random() < late_rate)
            if fin <= end:
                span = fin - t_proc
                if (
                    proc.field_code == "DAT_DAI"
                    and proc.has_fee
                    and span > 2 * DAY
                    and rng.random() < 0.5
                ):
                    t6 = t_proc + int(span * rng.uniform(0.3, 0.6))
                    t_pay_at = t6 + randint(
                        rng, HOUR, max(HOUR + 1, min(10 * DAY, int((fin - t6) * 0.8)))
                    )
                    events.append((t6, FINANCIAL))
                    events.append((t_pay_at + randint(rng, 600, 7200), IN_PROCESS))
                elif span > 2 * DAY and rng.random() < 0.08:
                    t5 = t_proc + int(span * rng.uniform(0.05, 0.3))
                    events.append((t5, SUPPLEMENT))
                    events.append((t5 + int((fin - t5) * rng.uniform(0.2, 0.6)), IN_PROCESS))
                if events[-1][0] >= fin:
                    fin = events[-1][0] + randint(rng, 600, 3600)
                events.append((fin, FINISHED))
                x.finished = fin
                if fin > due:
                    x.late_reason = "CHU_QUAN" if rng.random() < chu_quan else "KHACH_QUAN"
                u = rng.random()
                if channel == 2 and proc.service_level == 4 and u < 0.9:
                    ret = fin + randint(rng, 60, 2 * HOUR)
                elif u < 0.8:
                    ret = self.to_office(fin + randint(rng, 600, 3 * DAY), rng)
                elif u < 0.88:
                    ret = self.to_office(fin + randint(rng, 10 * DAY, 40 * DAY), rng)
                else:
                    ret = None  # never collected
                if ret is not None and ret <= end:
                    events.append((ret, RETURNED))
                    x.returned = ret
        if proc.has_fee:
            self._payment(rng, x, proc, pays_online, t_pay_at, end)
        return x

    def _finish(self, rng, received: int, t_proc: int, due: int, days: int, late: bool) -> int:
        if late:
            k = 1 + min(40, int(rng.expovariate(0.3)))
            fin = self.wd_add(due // DAY, k) * DAY + office_tod(rng.random())
            return max(fin, due + randint(rng, 600, 4 * HOUR))
        if days == 0:
            room = due - t_proc - 60
            fin = t_proc + (randint(rng, 600, room) if room > 600 else 600)
        else:
            off = min(days, int((days + 1) * rng.random() ** 1.6))
            fin = self.to_office(
                self.wd_add(received // DAY, off) * DAY + office_tod(rng.random()), rng
            )
            if fin > due:
                fin = due - randint(rng, 300, 5400)
        if fin <= t_proc:
            fin = t_proc + randint(rng, 600, 3600)
        return fin

    def _payment(self, rng, x: Dossier, proc: Procedure, pays_online: float, t_pay_at, end) -> None:
        if x.events[-1][1] == REFUSED:
            return
        online = proc.online_payment and rng.random() < pays_online * (
            1.0 if x.channel == 2 else 0.05
        )
        if t_pay_at is None:
            if rng.random() < 0.8:
                t_pay_at = x.received + randint(rng, 60, 1800)
            else:  # paid when the result is handed over
                when = x.returned or x.finished
                if when is None:
                    return
                t_pay_at = when + randint(rng, 60, 1800)
        if t_pay_at > end:
            return
        code = f"{x.code}-TT1" if online else f"{x.code}-BL"
        x.payment = ("TRUC_TUYEN" if online else "TRUC_TIEP", proc.fee, t_pay_at, code)
