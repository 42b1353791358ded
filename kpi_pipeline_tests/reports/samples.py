"""Hand-made report models: a small Quảng Nam with every band, a unit without data, a red
unit with drill-down, and a peak month with its previous peak month."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.reports.model import (
    HEATMAP_WEEKS,
    TREND_WEEKS,
    HeatmapRow,
    OverdueDossier,
    PeakMonthReportData,
    PeakUnitResult,
    PeakUnitRow,
    ProcedureCount,
    RedUnitDrilldown,
    TrendPoint,
    UnitRow,
    WeeklyReportData,
)

WEEK = date(2024, 6, 7)  # a Friday
GENERATED = datetime(2024, 6, 14, 6, 5, tzinfo=TZ)

# (code, name, level, parent, overall band, on-time band, online band, payment band)
UNITS = [
    (
        "000.00.10.H47",
        "Sở Tư pháp",
        "SO_NGANH",
        "000.00.00.H47",
        "green",
        "green",
        "green",
        "green",
    ),
    (
        "000.00.15.H47",
        "Sở Kế hoạch và Đầu tư",
        "SO_NGANH",
        "000.00.00.H47",
        "yellow",
        "green",
        "yellow",
        "green",
    ),
    (
        "000.00.20.H47",
        "Sở Giao thông vận tải",
        "SO_NGANH",
        "000.00.00.H47",
        "orange",
        "green",
        "orange",
        "yellow",
    ),
    (
        "000.00.31.H47",
        "Thành phố Tam Kỳ",
        "HUYEN",
        "000.00.00.H47",
        "green",
        "green",
        "green",
        "green",
    ),
    ("000.00.46.H47", "Huyện Nam Trà My", "HUYEN", "000.00.00.H47", "red", "red", "orange", "red"),
    (
        "000.00.37.H47",
        "Thị xã Điện Bàn",
        "HUYEN",
        "000.00.00.H47",
        "yellow",
        "yellow",
        "green",
        "green",
    ),
    ("000.46.21.H47", "Xã Trà Mai", "XA", "000.00.46.H47", "red", "orange", "red", "red"),
    ("000.31.01.H47", "Phường An Mỹ", "XA", "000.00.31.H47", "orange", "orange", "green", "yellow"),
    ("000.46.22.H47", "Xã Trà Tập", "XA", "000.00.46.H47", None, None, None, None),
    (
        "000.37.05.H47",
        "Phường Điện Ngọc",
        "XA",
        "000.00.37.H47",
        "green",
        "green",
        "green",
        "green",
    ),
]
NAMES = {u[0]: u[1] for u in UNITS}
RATE = {"green": 0.95, "yellow": 0.85, "orange": 0.75, "red": 0.40, None: None}
ONLINE = {"green": 0.62, "yellow": 0.45, "orange": 0.35, "red": 0.12, None: None}
PAYMENT = {"green": 0.40, "yellow": 0.20, "orange": 0.10, "red": 0.02, None: None}


def unit_rows() -> list[UnitRow]:
    rows = []
    for code, name, level, parent, overall, on_time, online, pay in UNITS:
        has = overall is not None
        rows.append(
            UnitRow(
                unit_code=code,
                unit_name=name,
                unit_level=level,
                parent_code=parent,
                parent_name=NAMES.get(parent, "Tỉnh Quảng Nam"),
                received=120 if has else 0,
                finished=100 if has else 0,
                finished_on_time=round(100 * RATE[on_time]) if has else 0,
                online_eligible=80 if has else 0,
                online_eligible_received_online=round(80 * ONLINE[online]) if has else 0,
                payment_eligible=50 if has else 0,
                paid_online=round(50 * PAYMENT[pay]) if has else 0,
                digitised=60 if has else 0,
                overdue_open=7 if overall == "red" else 0,
                on_time_rate=RATE[on_time],
                online_rate=ONLINE[online],
                online_payment_rate=PAYMENT[pay],
                digitisation_rate=0.5 if has else None,
                on_time_band=on_time,
                online_band=online,
                online_payment_band=pay,
                overall_band=overall,
            )
        )
    return rows


HEAT_CYCLE = ["green", "yellow", "orange", "red", None]


def heatmap_bands(code: str, current: str | None) -> tuple[str | None, ...]:
    """A deterministic but varied history, ending with the unit's current band."""
    seed = sum(map(ord, code))
    past = tuple(HEAT_CYCLE[(seed + i) % 5] for i in range(HEATMAP_WEEKS - 1))
    return (*past, current)


def weekly_report(provisional: bool = False) -> WeeklyReportData:
    rows = unit_rows()
    weeks = tuple(WEEK - timedelta(weeks=HEATMAP_WEEKS - 1 - i) for i in range(HEATMAP_WEEKS))
    trend = tuple(
        TrendPoint(
            week_start=WEEK - timedelta(weeks=TREND_WEEKS - 1 - i),
            on_time_rate=0.80 + 0.01 * i,
            online_rate=0.38 + 0.012 * i if i != 3 else None,  # a week without data: a gap
            online_payment_rate=0.15 + 0.008 * i,
        )
        for i in range(TREND_WEEKS)
    )
    province = UnitRow(
        unit_code="000.00.00.H47",
        unit_name="Tỉnh Quảng Nam",
        unit_level="TINH",
        received=1080,
        finished=900,
        finished_on_time=819,
        online_eligible=720,
        online_eligible_received_online=355,
        payment_eligible=450,
        paid_online=108,
        digitised=540,
        overdue_open=14,
        on_time_rate=819 / 900,
        online_rate=355 / 720,
        online_payment_rate=108 / 450,
        digitisation_rate=0.5,
        on_time_band="green",
        online_band="yellow",
        online_payment_band="yellow",
        overall_band="yellow",
    )
    heat = tuple(
        HeatmapRow(
            r.unit_code, r.unit_name, r.unit_level, heatmap_bands(r.unit_code, r.overall_band)
        )
        for r in sorted(rows, key=lambda r: r.unit_code)
    )
    drill = tuple(
        RedUnitDrilldown(
            unit_code=code,
            unit_name=NAMES[code],
            late_procedures=(
                ProcedureCount("1.001612.000.00.00.H47", "Đăng ký khai sinh", 9, 20),
                ProcedureCount("1.004227.000.00.00.H47", "Chứng thực bản sao từ bản chính", 4, 31),
            ),
            non_online_procedures=(
                ProcedureCount(
                    "2.000889.000.00.00.H47", "Cấp giấy chứng nhận quyền sử dụng đất", 12, 14
                ),
            ),
            overdue_dossiers=(
                OverdueDossier(
                    "000.00.46.H47-240520-0012",
                    "1.001612.000.00.00.H47",
                    "Đăng ký khai sinh",
                    datetime(2024, 5, 20, 8, 30, tzinfo=TZ),
                    datetime(2024, 5, 23, 8, 30, tzinfo=TZ),
                    15,
                ),
                OverdueDossier(
                    "000.00.46.H47-240603-0004",
                    "1.004227.000.00.00.H47",
                    "Chứng thực bản sao từ bản chính",
                    datetime(2024, 6, 3, 9, 0, tzinfo=TZ),
                    datetime(2024, 6, 5, 9, 0, tzinfo=TZ),
                    6,
                ),
            ),
            overdue_total=7,
        )
        for code in ("000.00.46.H47", "000.46.21.H47")
    )
    return WeeklyReportData(
        week_start=WEEK,
        province_code="49",
        province_name="Tỉnh Quảng Nam",
        province=province,
        trend=trend,
        units=tuple(rows),
        heatmap_weeks=weeks,
        heatmap=heat,
        drilldowns=drill,
        generated_at=GENERATED,
        provisional=provisional,
    )


# -- peak month: June 2024 against March 2024 --------------------------------------------------
# (code, (eligible, online, finished, late, subjective) in June, the same in March or None)
PEAK = [
    ("000.00.10.H47", (40, 40, 50, 0, 0), (40, 36, 45, 2, 1)),  # met both; was missing
    ("000.00.15.H47", (30, 27, 40, 3, 0), (30, 30, 40, 0, 0)),  # online missed; was met
    ("000.00.46.H47", (50, 20, 30, 6, 4), (50, 10, 30, 9, 7)),  # missed both, improving
    ("000.46.21.H47", (10, 10, 12, 1, 1), None),  # late missed; new unit
    ("000.46.22.H47", (0, 0, 0, 0, 0), (0, 0, 0, 0, 0)),  # nothing to assess
]


def _result(code, t) -> PeakUnitResult:
    level = (
        "SO_NGANH"
        if code.startswith("000.00.1")
        else ("HUYEN" if code.startswith("000.00") else "XA")
    )
    return PeakUnitResult(code, NAMES[code], level, None, *t)


def peak_report() -> PeakMonthReportData:
    rows = tuple(
        PeakUnitRow(_result(c, now), _result(c, before) if before else None)
        for c, now, before in PEAK
    )
    total = lambda i, k: sum((r[i][k] if r[i] else 0) for r in PEAK)  # noqa: E731
    province = PeakUnitResult(
        "000.00.00.H47", "Tỉnh Quảng Nam", "TINH", None, *(total(1, k) for k in range(5))
    )
    previous = PeakUnitResult(
        "000.00.00.H47", "Tỉnh Quảng Nam", "TINH", None, *(total(2, k) for k in range(5))
    )
    return PeakMonthReportData(
        month=date(2024, 6, 1),
        province_code="49",
        province_name="Tỉnh Quảng Nam",
        province=province,
        units=rows,
        previous_province=previous,
        generated_at=datetime(2024, 7, 1, 6, 10, tzinfo=TZ),
    )
