"""Which units to alert and what the message says: plain data, no database, no Dagster.

A unit is alerted for a period when its rated overall band is red (`UnitRow.rated_band`: the
worst band of its KPIs with enough dossiers, the minimum-volume rule of issue 15; a KPI red on
3 dossiers alerts nobody): "turned red" when it was not red in the previous period (another
band, too few dossiers, or no data), "stayed red" when it was red then too.
The message carries the unit's rates with their bands and targets, and its top drill-down
items (procedures with most late and most not-online dossiers, the longest-overdue dossiers),
in Vietnamese, with the wording and number formats of the reports (`reports/labels.py`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from kpi_pipeline.domain.headline import headline_figures
from kpi_pipeline.reports import labels as L
from kpi_pipeline.reports.model import LEVEL_ORDER, RedUnitDrilldown, UnitRow

FRIDAY, PEAK_MONTH = "friday", "peak_month"
TURNED_RED, STAYED_RED = "turned_red", "stayed_red"
TOP_ITEMS = 3  # drill-down items per list in a message

CHANGE_TEXT = {
    TURNED_RED: "chuyển sang xếp loại Đỏ",
    STAYED_RED: "tiếp tục xếp loại Đỏ",
}


@dataclass(frozen=True)
class Alert:
    """One unit to alert for one period."""

    kind: str  # friday | peak_month
    period_start: date  # the week's Friday, or the 1st of the month
    unit: UnitRow  # the unit's own figures for the period
    previous_band: str | None  # its overall band in the previous period (None: no data)
    drilldown: RedUnitDrilldown | None = None

    @property
    def change(self) -> str:
        return STAYED_RED if self.previous_band == "red" else TURNED_RED

    @property
    def unit_code(self) -> str:
        return self.unit.unit_code


def select_alerts(
    kind: str,
    period_start: date,
    units: Iterable[UnitRow],
    previous_bands: Mapping[str, str | None],
    drilldowns: Iterable[RedUnitDrilldown] = (),
) -> list[Alert]:
    """An alert per red unit (turned or stayed red), departments first, then districts and
    communes, by code; units of any other band are not alerted."""
    drill = {d.unit_code: d for d in drilldowns}
    red = [u for u in units if u.rated_band == "red"]
    red.sort(key=lambda u: (LEVEL_ORDER.get(u.unit_level, 9), u.unit_code))
    return [
        Alert(kind, period_start, u, previous_bands.get(u.unit_code), drill.get(u.unit_code))
        for u in red
    ]


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    key: str  # stable per (kind, period, unit): an idempotency key for receivers


def period_text(kind: str, start: date) -> str:
    if kind == FRIDAY:
        return f"tuần từ {L.weekday_day(start)} đến hết {L.weekday_day(start + timedelta(days=6))}"
    return f"tháng cao điểm {start.month}/{start.year}"


def previous_text(kind: str) -> str:
    return "tuần trước" if kind == FRIDAY else "tháng trước"


def compose(alert: Alert, province_name: str | None = None) -> Message:
    """The message of an alert, in Vietnamese (NFC)."""
    u, kind = alert.unit, alert.kind
    period = period_text(kind, alert.period_start)
    short_period = (
        f"tuần {L.day_month(alert.period_start)}–{L.day(alert.period_start + timedelta(days=6))}"
        if kind == FRIDAY
        else f"tháng cao điểm {alert.period_start.month}/{alert.period_start.year}"
    )
    subject = f"[Cảnh báo Đỏ] {u.unit_name} – {short_period}"
    lines = [
        f"Kính gửi: {u.unit_name}",
        "",
        f"Trong {period}, đơn vị {CHANGE_TEXT[alert.change]}"
        f" ({previous_text(kind)}: {L.BAND_LABELS[alert.previous_band]}).",
        "",
        "Các chỉ số của đơn vị (hồ sơ của riêng đơn vị):",
    ]
    for key, rate, band, num, den in headline_figures(u):
        if den:
            lines.append(
                f"- {L.KPI_LABELS[key]}: {L.pct(rate)} ({L.number(num)}/{L.number(den)} hồ sơ)"
                f" – {L.BAND_LABELS[band]}; mục tiêu {L.KPI_TARGET_TEXT[key]}"
            )
        else:
            lines.append(f"- {L.KPI_LABELS[key]}: không phát sinh hồ sơ")
    if u.received:
        lines.append(f"- {L.KPI_LABELS['digitisation']}: {L.pct(u.digitisation_rate)}")
    lines.append(f"- Hồ sơ quá hạn chưa giải quyết: {L.number(u.overdue_open)}")

    d = alert.drilldown
    if d is not None:
        if d.late_procedures:
            lines += ["", "Thủ tục có nhiều hồ sơ trễ hạn nhất:"]
            lines += [
                f"{i}. {p.procedure_name} ({p.procedure_code}): {L.number(p.count)}/"
                f"{L.number(p.total)} hồ sơ trễ hạn"
                for i, p in enumerate(d.late_procedures[:TOP_ITEMS], start=1)
            ]
        if d.non_online_procedures:
            lines += ["", "Thủ tục có nhiều hồ sơ không nộp trực tuyến nhất:"]
            lines += [
                f"{i}. {p.procedure_name} ({p.procedure_code}): {L.number(p.count)}/"
                f"{L.number(p.total)} hồ sơ không nộp trực tuyến"
                for i, p in enumerate(d.non_online_procedures[:TOP_ITEMS], start=1)
            ]
        if d.overdue_dossiers:
            lines += ["", f"Hồ sơ quá hạn lâu nhất (tổng số {L.number(d.overdue_total)} hồ sơ):"]
            lines += [
                f"- {o.ma_ho_so} – {o.procedure_name} – hạn trả {L.day(o.due_at)} –"
                f" quá hạn {o.days_overdue} ngày làm việc"
                for o in d.overdue_dossiers[:TOP_ITEMS]
            ]
    report = "Báo cáo tuần" if kind == FRIDAY else "Báo cáo kết thúc tháng cao điểm"
    source = f" của Ủy ban nhân dân {province_name}" if province_name else ""
    lines += [
        "",
        f"Đề nghị đơn vị khẩn trương khắc phục. Chi tiết trong {report}{source}.",
        "(Tin nhắn tự động từ hệ thống chỉ số dịch vụ công trực tuyến.)",
    ]
    return Message(L.nfc(subject), L.nfc("\n".join(lines)), alert_key(alert))


def alert_key(alert: Alert) -> str:
    raw = f"{alert.kind}|{alert.period_start.isoformat()}|{alert.unit_code}"
    return "kpi-alert-" + hashlib.sha256(raw.encode()).hexdigest()[:24]
