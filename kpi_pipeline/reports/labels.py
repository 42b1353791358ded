"""Vietnamese wording, band colours and number formats shared by every renderer.

One place for what a reader sees, so the HTML, the workbook and the chart agree.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from kpi_pipeline.domain.calendar import TZ

# Band colours (hex RGB, no '#'): the HTML cells and the workbook fills use the same values.
BAND_COLOURS = {
    "green": "63BE7B",
    "yellow": "FFEB84",
    "orange": "F8A65B",
    "red": "F8696B",
    None: "E7E6E6",
}
BAND_LABELS = {
    "green": "Xanh",
    "yellow": "Vàng",
    "orange": "Cam",
    "red": "Đỏ",
    None: "Chưa có dữ liệu",
}
BAND_MEANINGS = {
    "green": "Đạt mục tiêu",
    "yellow": "Thấp hơn mục tiêu không quá 10 điểm %",
    "orange": "Thấp hơn mục tiêu từ 10 đến 20 điểm %",
    "red": "Thấp hơn mục tiêu trên 20 điểm %",
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


def pct(rate: float | None, digits: int = 1) -> str:
    """0.925 -> '92,5%' (Vietnamese decimal comma); None -> '—'."""
    if rate is None:
        return "—"
    return f"{rate * 100:.{digits}f}%".replace(".", ",")


def points(change: float | None) -> str:
    """A change of rate in percentage points: 0.052 -> '+5,2 điểm %'."""
    if change is None:
        return "—"
    return f"{change * 100:+.1f} điểm %".replace(".", ",")


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
