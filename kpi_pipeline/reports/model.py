"""What a report says, as plain data: no database, no Dagster, no rendering.

The query layer (`queries.py`) builds these from the KPI tables and staging; the renderers
(`render_html.py`, `render_xlsx.py`, `chart.py`) turn them into files. Tests build them by hand.

Rates are fractions in 0..1 (None when the denominator is 0); bands are the KPI tables'
`green`, `yellow`, `orange`, `red` or None ("no data": never green).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from kpi_pipeline.domain.calendar import PEAK_MONTHS
from kpi_pipeline.domain.headline import HEADLINE_KPIS
from kpi_pipeline.domain.kpi_config import DEFAULT_MIN_VOLUME
from kpi_pipeline.domain.volume import rated_overall_band
from kpi_pipeline.reports.labels import vi_sort_key

if TYPE_CHECKING:
    from kpi_pipeline.reports.indicators_model import WeeklyIndicators

BANDS = ("red", "orange", "yellow", "green")
# What a report shows for a unit or KPI with too few dossiers (the minimum-volume rule) in
# place of a band: a key of band_counts() and of the label and colour tables in labels.py.
LOW_VOLUME = "low_volume"
# Report order: red and orange first, then yellow, green, too few dossiers, no data last.
BAND_ORDER = {"red": 0, "orange": 1, "yellow": 2, "green": 3, LOW_VOLUME: 4, None: 5}
HEADLINE = HEADLINE_KPIS
LEVEL_ORDER = {"TINH": 0, "SO_NGANH": 1, "HUYEN": 2, "XA": 3}

HEATMAP_WEEKS = 13  # a quarter
TREND_WEEKS = 12


def band_rank(band: str | None) -> int:
    return BAND_ORDER.get(band, BAND_ORDER[None])


# -- the Friday report ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class KpiFigures:
    """The counts, rates and bands of a KPI table row (kpi-tables.md): a unit's in a period,
    or the province's over a cumulative one. Keyword-only, so that the rows built on it keep
    their own leading fields positional."""

    received: int = 0
    finished: int = 0
    finished_on_time: int = 0
    online_eligible: int = 0
    online_eligible_received_online: int = 0
    payment_eligible: int = 0
    paid_online: int = 0
    digitised: int = 0
    overdue_open: int = 0
    on_time_rate: float | None = None
    online_rate: float | None = None
    online_payment_rate: float | None = None
    digitisation_rate: float | None = None
    on_time_band: str | None = None
    online_band: str | None = None
    online_payment_band: str | None = None
    overall_band: str | None = None


@dataclass(frozen=True)
class UnitRow(KpiFigures):
    """One unit's figures for the report week (or month), from a KPI table row."""

    unit_code: str
    unit_name: str
    unit_level: str
    parent_code: str | None = None
    parent_name: str | None = None
    # the minimum-volume rule (KPI table columns; None: a row computed before the rule)
    on_time_low_volume: bool | None = None
    online_low_volume: bool | None = None
    online_payment_low_volume: bool | None = None
    # a district's roll-up (its desk and its communes), beside its own desk's figures
    rollup: UnitRow | None = None

    def kpi(self, kpi: str) -> tuple[int, int, str | None, bool]:
        """(numerator, denominator, contract band, low volume) of a headline KPI."""
        num, den = KPI_COUNTS[kpi]
        return (
            getattr(self, num),
            getattr(self, den),
            getattr(self, f"{kpi}_band"),
            bool(getattr(self, f"{kpi}_low_volume")),
        )

    def shown_band(self, kpi: str) -> str | None:
        """The KPI's band as reports show it: LOW_VOLUME when too few dossiers."""
        _, _, band, low = self.kpi(kpi)
        return LOW_VOLUME if low else band

    @property
    def rated_band(self) -> str | None:
        """The overall band over the KPIs with enough dossiers (the table's overall_band_rated):
        what reds, rankings and alerts use. None when no KPI is rated; the contract band
        for a row computed before the rule existed (no flag set)."""
        if all(getattr(self, f"{k}_low_volume") is None for k in HEADLINE):
            return self.overall_band
        return rated_overall_band(
            *((getattr(self, f"{k}_band"), getattr(self, f"{k}_low_volume")) for k in HEADLINE)
        )

    @property
    def low_volume(self) -> bool:
        """Some headline KPI has dossiers, none of them enough to be rated."""
        return self.overall_band is not None and self.rated_band is None

    @property
    def shown_overall(self) -> str | None:
        """The overall band a report shows: the rated band, LOW_VOLUME, or None (no data)."""
        return LOW_VOLUME if self.low_volume else self.rated_band


KPI_COUNTS = {
    "on_time": ("finished_on_time", "finished"),
    "online": ("online_eligible_received_online", "online_eligible"),
    "online_payment": ("paid_online", "payment_eligible"),
}


def unit_sort_key(row) -> tuple:
    """Band (worst first, no data last), then level (departments, districts, communes), name."""
    return (
        band_rank(getattr(row, "shown_overall", row.overall_band)),
        LEVEL_ORDER.get(row.unit_level, 9),
        vi_sort_key(row.unit_name),
    )


@dataclass(frozen=True)
class TrendPoint:
    """The province's headline rates for one week (province roll-up)."""

    week_start: date
    on_time_rate: float | None = None
    online_rate: float | None = None
    online_payment_rate: float | None = None


@dataclass(frozen=True)
class HeatmapRow:
    """One unit's `overall_band` over the heatmap weeks (None: no data that week)."""

    unit_code: str
    unit_name: str
    unit_level: str
    bands: tuple[str | None, ...]


@dataclass(frozen=True)
class ProcedureCount:
    """A procedure's count of problem dossiers at a unit (`count` out of `total`)."""

    procedure_code: str
    procedure_name: str
    count: int
    total: int


@dataclass(frozen=True)
class OverdueDossier:
    ma_ho_so: str
    procedure_code: str
    procedure_name: str
    received_at: datetime
    due_at: datetime
    days_overdue: int  # working days past the due date, up to the period's last day


@dataclass(frozen=True)
class RedUnitDrilldown:
    """Why a red unit is red: its worst procedures and its overdue open dossiers."""

    unit_code: str
    unit_name: str
    late_procedures: tuple[ProcedureCount, ...] = ()
    non_online_procedures: tuple[ProcedureCount, ...] = ()
    overdue_dossiers: tuple[OverdueDossier, ...] = ()
    overdue_total: int = 0  # all overdue open dossiers (the list shows the longest-overdue)


@dataclass(frozen=True)
class MapPoint:
    """A district seat (`HUYEN`) or commune (`XA`) at its coordinates, with its overall band."""

    unit_code: str
    unit_name: str
    unit_level: str
    lat: float
    lon: float
    band: str | None
    gso_code: str | None = None
    rollup_band: str | None = None  # a district: its roll-up (desk and communes) beside its desk


@dataclass(frozen=True)
class UnplacedUnit:
    """A unit the map cannot show, listed beside it with the reason (never dropped)."""

    unit_code: str
    unit_name: str
    unit_level: str
    band: str | None
    reason: str


@dataclass(frozen=True)
class ProvinceMap:
    """The province's units on a map: `bounds` = (south, west, north, east) in degrees."""

    bounds: tuple[float, float, float, float]
    points: tuple[MapPoint, ...] = ()
    unplaced: tuple[UnplacedUnit, ...] = ()

    def __post_init__(self):
        # districts drawn over communes; within a level by code, so renders are reproducible
        order = {"XA": 0, "HUYEN": 1}
        object.__setattr__(
            self,
            "points",
            tuple(sorted(self.points, key=lambda p: (order.get(p.unit_level, 2), p.unit_code))),
        )
        object.__setattr__(
            self,
            "unplaced",
            tuple(
                sorted(
                    self.unplaced,
                    key=lambda u: (LEVEL_ORDER.get(u.unit_level, 9), vi_sort_key(u.unit_name)),
                )
            ),
        )


@dataclass(frozen=True)
class WeeklyReportData:
    """The Friday report of the week [week_start, week_start + 7 days).

    `units` is kept in report order (red, orange, yellow, green, no data); `heatmap_weeks`
    are the 13 weeks ending with the report week, oldest first; `trend` the last 12 weeks.
    """

    week_start: date
    province_code: str
    province_name: str
    province: UnitRow  # the province roll-up: the headline rates
    trend: tuple[TrendPoint, ...]
    units: tuple[UnitRow, ...]
    heatmap_weeks: tuple[date, ...]
    heatmap: tuple[HeatmapRow, ...]
    drilldowns: tuple[RedUnitDrilldown, ...] = ()
    generated_at: datetime | None = None
    provisional: bool = False  # the week had not ended when the report was made
    map: ProvinceMap | None = None  # None: no map section (e.g. a hand-made model)
    trend_on_current_map: bool = False  # the trend crosses 2025-07-01: drawn on today's map
    two_tier: bool = False  # the structure of the week has no districts (from 2025-07-01)
    # the one-page summary's comparisons (reports/summary.py): the province roll-up a week
    # and 52 weeks before (None: no data; on today's map when the span crosses the reform)
    province_last_week: UnitRow | None = None
    province_last_year: UnitRow | None = None
    targets: dict | None = None  # {kpi: domain.bands.Target} of the KPI configuration
    min_volume: int = DEFAULT_MIN_VOLUME  # the configured minimum (for the reports' wording)
    indicators: WeeklyIndicators | None = None  # late subjective, payment drill-down (issue 15)

    @property
    def tier(self) -> str:
        """'tỉnh' or 'thành phố' (a centrally-run city): how the report names the province."""
        return "thành phố" if self.province_name.lower().startswith("thành phố") else "tỉnh"

    def __post_init__(self):
        object.__setattr__(self, "units", tuple(sorted(self.units, key=unit_sort_key)))
        object.__setattr__(self, "trend", tuple(sorted(self.trend, key=lambda p: p.week_start)))
        object.__setattr__(self, "heatmap_weeks", tuple(sorted(self.heatmap_weeks)))
        for row in self.heatmap:
            if len(row.bands) != len(self.heatmap_weeks):
                raise ValueError(
                    f"heatmap row {row.unit_code} has {len(row.bands)} weeks,"
                    f" expected {len(self.heatmap_weeks)}"
                )

    @property
    def week_end(self) -> date:
        """The last day of the week (a Thursday): the window ends the next Friday 00:00."""
        return self.week_start + timedelta(days=6)

    @property
    def report_date(self) -> date:
        """The Friday the report is issued for: the day after the week's last day."""
        return self.week_start + timedelta(days=7)

    def band_counts(self) -> dict[str | None, int]:
        """Units per shown overall band (rated band, LOW_VOLUME, or None for no data)."""
        counts: dict[str | None, int] = {b: 0 for b in (*BANDS, LOW_VOLUME, None)}
        for row in self.units:
            counts[row.shown_overall] += 1
        return counts

    def fingerprint(self) -> str:
        """A hash of what the report says (not when it was made): equal data, equal report."""
        return _fingerprint(self)


# -- the end-of-peak-month report -------------------------------------------------------------

MET, MISSED, NO_DATA = "met", "missed", "no_data"


@dataclass(frozen=True)
class PeakUnitResult:
    """A unit's figures against the two peak-month targets, for one month.

    - online: every dossier of a level-3/4 procedure integrated on the national portal
      received online (`online_eligible_received_online == online_eligible`);
    - no dossier finished late for subjective reasons (`LyDoTreHan = CHU_QUAN`).
    """

    unit_code: str
    unit_name: str
    unit_level: str
    parent_code: str | None = None
    online_eligible: int = 0
    online_eligible_received_online: int = 0
    finished: int = 0
    finished_late: int = 0
    late_subjective: int = 0

    @property
    def online_rate(self) -> float | None:
        if not self.online_eligible:
            return None
        return self.online_eligible_received_online / self.online_eligible

    @property
    def online_target(self) -> str:
        if not self.online_eligible:
            return NO_DATA
        return MET if self.online_eligible_received_online >= self.online_eligible else MISSED

    @property
    def late_target(self) -> str:
        if self.late_subjective > 0:
            return MISSED
        return MET if self.finished > 0 else NO_DATA

    @property
    def overall(self) -> str:
        """Missed if any target is missed; met if every target that applies is met."""
        states = (self.online_target, self.late_target)
        if MISSED in states:
            return MISSED
        return MET if MET in states else NO_DATA


@dataclass(frozen=True)
class PeakUnitRow:
    current: PeakUnitResult
    previous: PeakUnitResult | None = None  # the same unit in the previous peak month

    @property
    def unit_code(self) -> str:
        return self.current.unit_code

    @property
    def online_rate_change(self) -> float | None:
        """Change of the online rate, in fraction points (0.05 = 5 percentage points)."""
        if self.previous is None:
            return None
        now, before = self.current.online_rate, self.previous.online_rate
        if now is None or before is None:
            return None
        return now - before

    @property
    def late_subjective_change(self) -> int | None:
        if self.previous is None:
            return None
        return self.current.late_subjective - self.previous.late_subjective


OVERALL_ORDER = {MISSED: 0, MET: 1, NO_DATA: 2}


def previous_peak_month(month: date) -> date:
    """The peak month three months before: June -> March, March -> the previous December."""
    m = month.month - 3
    return date(month.year - (m <= 0), (m - 1) % 12 + 1, 1)


@dataclass(frozen=True)
class PeakMonthReportData:
    """The end-of-peak-month report: who met the peak-month targets, and the change since the
    previous peak month. `units` is kept in report order (missed first, then met, no data)."""

    month: date
    province_code: str
    province_name: str
    province: PeakUnitResult  # every unit together
    units: tuple[PeakUnitRow, ...]
    previous_province: PeakUnitResult | None = None  # None: no data for the previous peak month
    generated_at: datetime | None = None
    provisional: bool = False
    comparison_on_current_map: bool = False  # previous peak month before 2025-07-01

    def __post_init__(self):
        if self.month.day != 1 or self.month.month not in PEAK_MONTHS:
            raise ValueError(f"{self.month} is not the first day of a peak month")
        object.__setattr__(
            self,
            "units",
            tuple(
                sorted(
                    self.units,
                    key=lambda r: (
                        OVERALL_ORDER[r.current.overall],
                        LEVEL_ORDER.get(r.current.unit_level, 9),
                        vi_sort_key(r.current.unit_name),
                    ),
                )
            ),
        )

    @property
    def previous_month(self) -> date:
        return previous_peak_month(self.month)

    def summary(self) -> dict[str, dict[str, int | None]]:
        """Units meeting each target now and in the previous peak month (None: no data then)."""
        has_previous = any(r.previous is not None for r in self.units)

        def count(results, attr):
            return sum(1 for r in results if getattr(r, attr) == MET)

        now = [r.current for r in self.units]
        before = [r.previous for r in self.units if r.previous is not None]
        out = {}
        for key, attr in (("online", "online_target"), ("late", "late_target"), ("all", "overall")):
            out[key] = {
                "met": count(now, attr),
                "missed": sum(1 for r in now if getattr(r, attr) == MISSED),
                "previous_met": count(before, attr) if has_previous else None,
            }
        return out

    def fingerprint(self) -> str:
        return _fingerprint(self)


def _fingerprint(data) -> str:
    d = {f.name: getattr(data, f.name) for f in fields(data) if f.name != "generated_at"}
    text = json.dumps(d, sort_keys=True, default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(v):
    if hasattr(v, "__dataclass_fields__"):
        return {f.name: getattr(v, f.name) for f in fields(v)}
    return str(v)  # dates, datetimes
