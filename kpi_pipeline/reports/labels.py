"""Vietnamese wording, band colours and number formats shared by every renderer.

One place for what a reader sees, so the HTML, the workbook and the chart agree.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from kpi_pipeline.domain.calendar import TZ

# Band colours (hex RGB, no '#'): the HTML cells and the workbook fills use the same values.
BAND_COLOURS = {
    "green": "63BE7B",
    "yellow": "FFEB84",
    "orange": "F8A65B",
    "red": "F8696B",
    "low_volume": "D9E2F3",  # too few dossiers (the minimum-volume rule): no colour of a band
    None: "E7E6E6",
}
BAND_LABELS = {
    "green": "Xanh",
    "yellow": "Vàng",
    "orange": "Cam",
    "red": "Đỏ",
    "low_volume": "Ít hồ sơ",
    None: "Chưa có dữ liệu",
}
BAND_MEANINGS = {
    "green": "Đạt mục tiêu",
    "yellow": "Thấp hơn mục tiêu không quá 10 điểm %",
    "orange": "Thấp hơn mục tiêu từ 10 đến 20 điểm %",
    "red": "Thấp hơn mục tiêu trên 20 điểm %",
    "low_volume": "Dưới số hồ sơ tối thiểu để xếp loại; không tính vào xếp hạng, đơn vị đỏ và cảnh báo",
    None: "Không phát sinh hồ sơ trong kỳ",
}
LEVEL_LABELS = {
    "TINH": "Tỉnh",
    "SO_NGANH": "Sở, ban, ngành",
    "HUYEN": "Cấp huyện",
    "XA": "Cấp xã",
}

KPI_LABELS = {
    "on_time": "Tỷ lệ giải quyết đúng hạn",
    "online": "Tỷ lệ hồ sơ trực tuyến",
    "online_payment": "Tỷ lệ thanh toán trực tuyến",
    "digitisation": "Tỷ lệ số hóa hồ sơ",
}
# The default targets of shared/docs/kpi-tables.md, for display only (the bands themselves
# come computed from the KPI tables). Keep in step with the KPI configuration.
KPI_TARGETS = {"on_time": 0.90, "online": 0.50, "online_payment": 0.25}
KPI_TARGET_TEXT = {"on_time": "≥ 90%", "online": "> 50%", "online_payment": "> 25%"}

PEAK_TARGET_TEXT = {
    "online": "100% hồ sơ của thủ tục mức độ 3, 4 đã tích hợp Cổng DVCQG được tiếp nhận trực tuyến",
    "late": "Không có hồ sơ trễ hạn do nguyên nhân chủ quan",
}
PEAK_STATUS_LABELS = {"met": "Đạt", "missed": "Không đạt", "no_data": "Không phát sinh"}

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {c: 1000 + i for i, c in enumerate(_ALPHABET)}
_MODIFIED = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vi_sort_key(text: str) -> tuple:
    """Vietnamese alphabetical order: a ă â b c d đ e ê … (letters first, tones second), so
    "Xã Duy Sơn" < "Xã Đại Hiệp" < "Xã Ê…", unlike code-point order that puts Đ after Z."""
    letters: list[str] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFD", text.casefold()):
        if letters and (letters[-1], ch) in _MODIFIED:
            letters[-1] = _MODIFIED[(letters[-1], ch)]
        elif ch in _TONES:
            if tones:
                tones[-1] = _TONES[ch]
        else:
            letters.append(ch)
            tones.append(0)
    ranks = tuple(_RANK.get(c, ord(c) if ord(c) < 128 else 2000 + ord(c)) for c in letters)
    return ranks, tuple(tones)


def nfc(text: str) -> str:
    """Vietnamese text in composed form (NFC), whatever the source sent."""
    return unicodedata.normalize("NFC", text) if text else text


def rounded_rate(rate: float | Decimal | None, digits: int = 1) -> Decimal | None:
    """A rate rounded to `digits` decimals of a percent, half away from zero: the one rounding
    rule of every report. The HTML prints it (`pct`) and the workbook stores it (so Excel's
    "0.0%" shows the same figure: Python's float formatting rounds 0.5625 to "56.2", Excel
    to "56.3"). The float is read through its shortest text, so 0.1235 is 12.35%, not
    12.349999…%."""
    if rate is None:
        return None
    exact = Decimal(str(rate)) if isinstance(rate, float) else Decimal(rate)
    step = Decimal(1).scaleb(-(digits + 2))  # digits=1: 0.001 of a fraction = 0.1 of a percent
    return exact.quantize(step, rounding=ROUND_HALF_UP)


def pct(rate: float | Decimal | None, digits: int = 1) -> str:
    """0.925 -> '92,5%' (Vietnamese decimal comma); None -> '—'."""
    r = rounded_rate(rate, digits)
    if r is None:
        return "—"
    return f"{r * 100:.{digits}f}%".replace(".", ",")


def points(change: float | Decimal | None) -> str:
    """A change of rate in percentage points: 0.052 -> '+5,2 điểm %' (rounded as `pct`)."""
    r = rounded_rate(change)
    if r is None:
        return "—"
    return f"{r * 100:+.1f} điểm %".replace(".", ",")


def signed(n: int | None) -> str:
    return "—" if n is None else f"{n:+d}"


def number(n: int | None) -> str:
    """12345 -> '12.345' (Vietnamese thousands separator)."""
    return "—" if n is None else f"{n:,d}".replace(",", ".")


def day(d: date | datetime) -> str:
    if isinstance(d, datetime):
        d = d.astimezone(TZ).date()
    return f"{d:%d/%m/%Y}"


def day_month(d: date) -> str:
    return f"{d:%d/%m}"


def moment(ts: datetime | None) -> str:
    if ts is None:
        return "—"
    return f"{ts.astimezone(TZ):%H:%M ngày %d/%m/%Y}"


def weekday_day(d: date) -> str:
    return f"{WEEKDAYS[d.weekday()]} {day(d)}"


def month_label(d: date) -> str:
    return f"Tháng {d.month}/{d.year}"


# Under a trend that crosses 1 July 2025 (HTML and workbook say the same).
TREND_ON_CURRENT_MAP = (
    "Xu hướng tính theo địa giới hành chính hiện nay: hồ sơ các tuần trước ngày 01/07/2025 được"
    " quy về đơn vị hiện nay theo bảng chuyển đổi đơn vị hành chính (đơn vị tiếp nhận hồ sơ;"
    " đơn vị bị chia tách quy về đơn vị kế thừa mặc định)."
)


# Under a peak-month comparison that crosses 1 July 2025 (September 2025 against June 2025).
COMPARISON_ON_CURRENT_MAP = (
    "So sánh với tháng cao điểm trước tính theo địa giới hành chính hiện nay: hồ sơ trước ngày"
    " 01/07/2025 được quy về đơn vị hiện nay theo bảng chuyển đổi đơn vị hành chính (đơn vị"
    " tiếp nhận hồ sơ; đơn vị bị chia tách quy về đơn vị kế thừa mặc định)."
)
