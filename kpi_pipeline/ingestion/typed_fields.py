"""The fields of a raw record typed once, at landing, for the records whose typing is plain.

The loader has each record as a parsed dict already; typing its fields here costs a few
microseconds, where pulling them out of the stored JSON again in SQL (`->>`, `normalize`, the
timestamp pattern) was a third of the initial sync's PostgreSQL time (issue 17). The rules
stay in SQL (`sql/staging/conform_*.sql`): a record is typed here only when every field is of
a shape whose SQL value is beyond doubt (an ASCII string, which NFC leaves alone; an integer
or a digit string in range; a valid `yyyyMMddHHmmss`; ...) and it breaks none of the rules
that read the record alone. Anything else — a wrong type, a non-ASCII code, a bad date, an
out-of-range code — gets no typed columns, and conform reads it from the JSON exactly as
before, so each rule keeps its one definition, and its detail text, in SQL. The rules that
need the reference tables or compare two fields (unknown unit, finished before received, ...)
run in SQL for every record.

Timestamps are handed over as the local wall-clock time (`timestamp`); SQL applies
`AT TIME ZONE kpi.local_tz()`, as `staging.parse_portal_ts` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache

TypedRow = tuple | None

_MAX_LATE_REASON = 500  # conform_dossiers.sql's oversized_field


@lru_cache(maxsize=8192)
def _valid_day(yyyymmdd: str) -> bool:
    """Years 1900-2099 and a real calendar day, as parse_portal_ts's pattern and its day check."""
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:])
    if not 1900 <= year <= 2099:
        return False
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


# 14 ASCII digits whose time part is 00:00:00..23:59:59 (one match, not six checks: `_ts` runs
# five times a dossier); the date part is `_valid_day`'s.
_STAMP = re.compile(r"[0-9]{8}(?:[01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]").fullmatch


def _ts(value: object) -> str | None:
    """`yyyyMMddHHmmss` as PostgreSQL's `timestamp` input (`yyyyMMddTHHmmss`); raises
    `_Untyped` for anything parse_portal_ts might read differently or refuse."""
    if type(value) is not str or _STAMP(value) is None or not _valid_day(value[:8]):
        raise _Untyped
    return value[:8] + "T" + value[8:]


def _optional_ts(value: object) -> str | None:
    """A timestamp the rules allow to be absent: null, missing or empty (their `nullif`)."""
    if value is None or value == "":
        return None
    return _ts(value)


def _code(value: object) -> str | None:
    """`nullif(normalize(btrim(x), NFC), '')` for an ASCII string (NFC leaves ASCII alone;
    `btrim` trims spaces only); None for null or missing."""
    if value is None:
        return None
    if type(value) is not str or not value.isascii():
        raise _Untyped
    return value.strip(" ") or None


def _key(value: object) -> str:
    """A record's key: a code that must be present (missing_key is the rule's to report)."""
    code = _code(value)
    if code is None:
        raise _Untyped
    return code


def _small_int(value: object, allowed: range | tuple) -> int:
    """`KenhThucHien`/`TrangThaiHoSo`: an integer or a digit string (1-2 digits after
    `btrim`), in `allowed`; anything else is the rules' to judge."""
    if type(value) is int:
        number = value
    elif type(value) is str:
        text = value.strip(" ")
        if not (1 <= len(text) <= 2 and text.isascii() and text.isdigit()):
            raise _Untyped
        number = int(text)
    else:
        raise _Untyped
    if number not in allowed:
        raise _Untyped
    return number


def _optional_small_int(value: object, allowed: range | tuple) -> int | None:
    """As `_small_int`, for the national copy where the field may be absent (null or
    blank after `btrim`)."""
    if value is None or (type(value) is str and value.strip(" ") == ""):
        return None
    return _small_int(value, allowed)


def _flag(value: object) -> bool:
    """`SoHoa`: a JSON boolean, or the strings true/false in any case."""
    if type(value) is bool:
        return value
    if type(value) is str and value.isascii():
        lowered = value.lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
    raise _Untyped


def _amount(value: object) -> int | None:
    """`SoTien`: null/missing, or a whole number of VND of at most 18 digits."""
    if value is None:
        return None
    if type(value) is int and 0 <= value < 10**18:
        return value
    if type(value) is str and 1 <= len(value) <= 18 and value.isascii() and value.isdigit():
        return int(value)
    raise _Untyped


class _Untyped(Exception):
    """The record is left to SQL's reading of the JSON."""


DOSSIER_COLUMNS = (
    "ma_ho_so", "procedure_code", "unit_code", "channel", "status", "digitised",
    "received_local", "due_local", "finished_local", "returned_local", "updated_local",
    "late_reason", "payment_method", "payment_amount", "paid_local", "payment_tx",
)  # fmt: skip


def dossier_row(item: dict) -> TypedRow:
    """`raw.provincial_dossiers`' typed columns (`DOSSIER_COLUMNS`), or None."""
    try:
        late = item.get("LyDoTreHan")
        if late is not None and (type(late) is not str or len(late) > _MAX_LATE_REASON):
            raise _Untyped
        payment = item.get("ThanhToan")
        if payment is None:
            method = amount = paid = tx = None
        elif type(payment) is dict:
            method = _code(payment.get("HinhThuc"))
            amount = _amount(payment.get("SoTien"))
            paid = _optional_ts(payment.get("NgayThanhToan"))
            tx = _code(payment.get("MaGiaoDich"))
        else:
            raise _Untyped
        return (
            _key(item.get("MaHoSo")),
            _code(item.get("MaTTHC")),
            _code(item.get("MaDonVi")),
            _small_int(item.get("KenhThucHien"), (1, 2, 3)),
            _small_int(item.get("TrangThaiHoSo"), range(1, 11)),
            _flag(item.get("SoHoa")),
            _ts(item.get("NgayTiepNhan")),
            _ts(item.get("NgayHenTra")),
            _optional_ts(item.get("NgayKetThucXuLy")),
            _optional_ts(item.get("NgayTra")),
            _ts(item.get("NgayCapNhat")),
            _code(late),
            method,
            amount,
            paid,
            tx,
        )
    except _Untyped:
        return None


SYNC_COLUMNS = (
    "ma_ho_so", "procedure_code", "unit_code", "status", "channel", "received_local",
    "due_local", "finished_local", "synced_local", "updated_local",
)  # fmt: skip


def sync_row(item: dict) -> TypedRow:
    """`raw.national_sync`'s typed columns (`SYNC_COLUMNS`), or None."""
    try:
        return (
            _key(item.get("MaHoSo")),
            _code(item.get("MaTTHC")),
            _code(item.get("MaDonVi")),
            _optional_small_int(item.get("TrangThaiHoSo"), range(1, 11)),
            _optional_small_int(item.get("KenhThucHien"), (1, 2, 3)),
            _optional_ts(item.get("NgayTiepNhan")),
            _optional_ts(item.get("NgayHenTra")),
            _optional_ts(item.get("NgayKetThucXuLy")),
            _optional_ts(item.get("NgayDongBo")),
            _ts(item.get("NgayCapNhat")),
        )
    except _Untyped:
        return None


PAYMENT_COLUMNS = ("transaction_id", "ma_ho_so", "amount", "paid_local", "status", "updated_local")
PAYMENT_STATUSES = ("THANH_CONG", "THAT_BAI", "HOAN_TIEN")


def payment_row(item: dict) -> TypedRow:
    """`raw.national_payments`' typed columns (`PAYMENT_COLUMNS`), or None."""
    try:
        status = _code(item.get("TrangThai"))
        status = status.upper() if status is not None else None
        if status not in PAYMENT_STATUSES:
            raise _Untyped
        amount = item.get("SoTien")
        if type(amount) is str:  # the payments' rule trims it first: `btrim`, `nullif`
            amount = amount.strip(" ") or None
        return (
            _key(item.get("MaGiaoDich")),
            _key(item.get("MaHoSo")),
            _amount(amount),
            _optional_ts(item.get("NgayThanhToan")),
            status,
            _ts(item.get("NgayCapNhat")),
        )
    except _Untyped:
        return None


TYPERS: dict[str, tuple[tuple[str, ...], Callable[[dict], TypedRow]]] = {
    "provincial_dossiers": (DOSSIER_COLUMNS, dossier_row),
    "national_sync": (SYNC_COLUMNS, sync_row),
    "national_payments": (PAYMENT_COLUMNS, payment_row),
}
