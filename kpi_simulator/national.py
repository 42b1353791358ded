"""The national portal's side: sync records, payment transactions, published monthly figures.

The national portal knows a dossier only through the province's sync, which lags: each
provincial event is synced some minutes to days later, a few % of dossiers are never synced
(more for units with sync trouble) and some stop syncing halfway, so the national copy keeps an
older status. Online payments go through the national payment platform: most provincial
`TRUC_TUYEN` payments have one successful transaction, some a failed attempt first (two
transactions), some are refunded later (the transaction's status becomes `HOAN_TIEN`), some
never reach the platform, and a few paid online are recorded as `TRUC_TIEP` by the province.
Drawn per receipt day with an RNG of its own, after the provincial side.
"""

from __future__ import annotations

import random
from datetime import date

from kpi_simulator.dossiers import FINISHED, REFUSED, RETURNED, Dossier, randint
from kpi_simulator.profiles import UnitProfile
from kpi_simulator.timestamps import DAY, HOUR, fmt

MAX_SYNC_LAG = 10 * DAY + 60  # a sync never trails its event by more (monotonic bumps included)
MAX_REFUND_DELAY = 30 * DAY
SUCCESS, FAILED, REFUNDED = "THANH_CONG", "THAT_BAI", "HOAN_TIEN"


def add_national(rng: random.Random, x: Dossier, profile: UnitProfile) -> None:
    """Draw the sync instants and payment transactions of one dossier."""
    events = x.events
    sync: list[int] = []
    if rng.random() >= profile.never_synced:
        n = len(events)
        if n > 1 and rng.random() < 0.015:
            n = randint(rng, 1, n - 1)  # the sync stalls: the national copy keeps an older status
        last = 0
        for t, _ in events[:n]:
            u = rng.random()
            lag = (
                randint(rng, 60, HOUR)
                if u < 0.9
                else randint(rng, HOUR, DAY)
                if u < 0.98
                else randint(rng, DAY, 10 * DAY)
            )
            last = max(t + lag, last + 1)
            sync.append(last)
    x.sync = sync
    x.txns = []
    pay = x.payment
    if pay is None:
        return
    form, amount, t_paid, _ = pay
    if form == "TRUC_TUYEN":
        u = rng.random()
        if u < 0.03:
            return  # never reached the national platform (local gateway, lost callback)
        code = f"{x.code}-TT1"
        if u < 0.11:  # a failed attempt first
            x.txns.append([code, amount, t_paid - randint(rng, 60, 1800), FAILED, None])
            code = f"{x.code}-TT2"
            x.payment = (form, amount, t_paid, code)
        refund = None
        if rng.random() < 0.02:
            refund = t_paid + randint(rng, DAY, MAX_REFUND_DELAY)
        x.txns.append([code, amount, t_paid, SUCCESS, refund])
    elif x.proc.online_payment and rng.random() < 0.005:
        # paid online, but the desk recorded it as paid in person
        x.txns.append([f"{x.code}-TT1", amount, t_paid, SUCCESS, None])


def sync_item(x: Dossier) -> dict:
    """The national copy as of the world's `now` (requires `x.n_idx is not None`)."""
    t_event, status = x.events[x.n_idx]
    fin = x.finished if x.finished is not None and x.finished <= t_event else None
    synced = fmt(x.n_upd)
    return {
        "MaHoSo": x.code,
        "MaTTHC": x.proc.code,
        "MaDonVi": x.unit,
        "TrangThaiHoSo": status,
        "KenhThucHien": x.channel,
        "NgayTiepNhan": fmt(x.received),
        "NgayHenTra": fmt(x.due),
        "NgayKetThucXuLy": fmt(fin),
        "NgayDongBo": synced,
        "NgayCapNhat": synced,
    }


def txn_view(txn: list, now: int) -> tuple[str, int] | None:
    """(TrangThai, NgayCapNhat) of a transaction as of now, None before it happened."""
    code, amount, t, status, refund = txn
    if t > now:
        return None
    if refund is not None and refund <= now:
        return REFUNDED, refund
    return status, t


def payment_item(x: Dossier, txn: list, status: str, upd: int) -> dict:
    return {
        "MaGiaoDich": txn[0],
        "MaHoSo": x.code,
        "SoTien": txn[1],
        "NgayThanhToan": fmt(txn[2]),
        "TrangThai": status,
        "NgayCapNhat": fmt(upd),
    }


def paid_online_nationally(x: Dossier, now: int) -> bool:
    """The dossier's latest national transaction (as of now) succeeded."""
    latest = None
    for txn in x.txns:
        view = txn_view(txn, now)
        if view is not None and (latest is None or (txn[2], view[1]) > latest[0]):
            latest = ((txn[2], view[1]), view[0])
    return latest is not None and latest[1] == SUCCESS


def _percent(num: int, den: int) -> float | None:
    """Percentage with one decimal, rounded half up on exact integers (no float drift)."""
    if den == 0:
        return None
    return ((2000 * num + den) // (2 * den)) / 10


def chiso_items(
    dossiers, unit_codes: list[str], month_start: int, month_end: int, now: int
) -> list[dict]:
    """The portal's monthly figures per unit, from its own (synced) view, kpi-tables.md rules.

    `dossiers`: every dossier received in [month_start - LIFETIME, month_end) with its views
    set; `unit_codes`: the units valid during the month, each reported (nulls without data).
    """
    counts = {code: [0, 0, 0, 0, 0, 0] for code in unit_codes}
    # finished, finished on time, eligible, eligible online, payment-eligible, paid online
    for x in dossiers:
        if x.n_idx is None:
            continue
        c = counts.get(x.unit)
        if c is None:
            continue
        t_event, status = x.events[x.n_idx]
        fin = x.finished if x.finished is not None and x.finished <= t_event else None
        if fin is not None and status in (FINISHED, RETURNED) and month_start <= fin < month_end:
            c[0] += 1
            c[1] += fin <= x.due
        if month_start <= x.received < month_end and status != REFUSED:
            proc = x.proc
            if proc.online_eligible:
                c[2] += 1
                c[3] += x.channel == 2
            if proc.payment_eligible:
                c[4] += 1
                c[5] += paid_online_nationally(x, now)
    return [
        {
            "MaDonVi": code,
            "TyLeDungHan": _percent(c[1], c[0]),
            "TyLeTrucTuyen": _percent(c[3], c[2]),
            "TyLeThanhToanTrucTuyen": _percent(c[5], c[4]),
        }
        for code, c in sorted(counts.items())
    ]


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt
