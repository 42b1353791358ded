"""The one-page summary of the Friday report (issue 15): plain data from the report model.

What a leader reads first: the province's headline KPIs with their change against last week
and the same week a year before, units per band, the ten units that pull the province down
most and rankings of departments and of districts (communes after the 2025 reform). Units and
KPIs with too few dossiers (the minimum-volume rule, `UnitRow.rated_band`) are left out of the
pull-down list and the rankings, and counted.

"Pull down most" is by dossiers short of the target, not by rate: for each rated headline KPI,
the fewest more numerator dossiers that would have made it green on the same denominator
(ceil(target x denominator) - numerator; one more past the target when it is strict), summed
over the unit's KPIs. A commune red on 1 of 3 dossiers is short by 2; a department at 85% of
400 by 20.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from kpi_pipeline.domain.bands import Target
from kpi_pipeline.reports.labels import vi_sort_key
from kpi_pipeline.reports.model import (
    BAND_ORDER,
    HEADLINE,
    LOW_VOLUME,
    TrendPoint,
    UnitRow,
    WeeklyReportData,
)

TOP_PULLING_DOWN = 10
RANKED_SHOWN = 5  # best and worst of a ranking on the page (the whole ranking in the details)
DEFAULT_TARGETS = {
    "on_time": Target(90),
    "online": Target(50, strict=True),
    "online_payment": Target(25, strict=True),
}


def needed_for_target(denominator: int, target: Target) -> int:
    """The fewest numerator dossiers out of `denominator` that meet the target exactly."""
    edge = Fraction(target.percent) / 100 * denominator
    return math.floor(edge) + 1 if target.strict else math.ceil(edge)


def shortfall(unit: UnitRow, kpi: str, target: Target) -> int | None:
    """Dossiers short of the target for one rated KPI; None when not rated (no dossiers, or
    too few)."""
    num, den, band, low = unit.kpi(kpi)
    if not den or low or band is None:
        return None
    return max(0, needed_for_target(den, target) - num)


@dataclass(frozen=True)
class Headline:
    """A province KPI this week, last week and the same week a year before."""

    kpi: str
    rate: float | None
    band: str | None
    numerator: int
    denominator: int
    last_week: float | None = None
    last_year: float | None = None

    @property
    def change_week(self) -> float | None:
        return None if self.rate is None or self.last_week is None else self.rate - self.last_week

    @property
    def change_year(self) -> float | None:
        return None if self.rate is None or self.last_year is None else self.rate - self.last_year


@dataclass(frozen=True)
class Shortfall:
    """A unit's dossiers short of each rated headline target (None: not rated)."""

    unit: UnitRow
    short: dict[str, int | None]

    @property
    def total(self) -> int:
        return sum(v for v in self.short.values() if v)


@dataclass(frozen=True)
class Ranked:
    rank: int
    unit: UnitRow  # for a district before the reform: its roll-up
    band: str | None
    gap: float  # mean (rate - target) over the rated KPIs, in fraction points
    met: int  # rated KPIs that meet the target


@dataclass(frozen=True)
class Summary:
    week_start: date
    headline: tuple[Headline, ...]
    band_counts: dict
    low_volume: int  # units with too few dossiers to be rated
    pulling_down: tuple[Shortfall, ...]
    departments: tuple[Ranked, ...]
    localities: tuple[Ranked, ...]
    localities_level: str  # HUYEN before the 2025 reform, XA after
    last_week_start: date | None = None
    last_year_start: date | None = None

    @staticmethod
    def shown(ranking: tuple[Ranked, ...], n: int = RANKED_SHOWN) -> tuple[Ranked, ...]:
        """The best and worst `n` (all of them when the ranking is short)."""
        return ranking if len(ranking) <= 2 * n else ranking[:n] + ranking[-n:]


def headline(
    province: UnitRow, last_week: UnitRow | None, last_year: UnitRow | None
) -> tuple[Headline, ...]:
    def rate(row, kpi):
        return None if row is None else getattr(row, f"{kpi}_rate")

    out = []
    for kpi in HEADLINE:
        num, den, band, _ = province.kpi(kpi)
        out.append(
            Headline(
                kpi, rate(province, kpi), band, num, den, rate(last_week, kpi), rate(last_year, kpi)
            )
        )
    return tuple(out)


def pulling_down(
    units: list[UnitRow], targets: dict[str, Target], n: int = TOP_PULLING_DOWN
) -> tuple[Shortfall, ...]:
    """The `n` units (own dossiers) furthest short of the targets, most dossiers short first."""
    rows = [Shortfall(u, {k: shortfall(u, k, targets[k]) for k in HEADLINE}) for u in units]
    rows = [r for r in rows if r.total > 0]
    rows.sort(key=lambda r: (-r.total, vi_sort_key(r.unit.unit_name)))
    return tuple(rows[:n])


def ranking(units: list[UnitRow], targets: dict[str, Target]) -> tuple[Ranked, ...]:
    """Rated units, best first: by rated overall band, then KPIs meeting their target, then
    the mean distance of the rated rates to their targets. Units with too few dossiers or
    no data are not ranked."""
    scored = []
    for u in units:
        band = u.rated_band
        if band is None:
            continue
        gaps, met = [], 0
        for k in HEADLINE:
            if shortfall(u, k, targets[k]) is None:
                continue
            rate = getattr(u, f"{k}_rate")
            gaps.append(rate - float(targets[k].percent) / 100)
            met += getattr(u, f"{k}_band") == "green"
        scored.append((u, band, sum(gaps) / len(gaps), met))
    scored.sort(key=lambda s: (-BAND_ORDER[s[1]], -s[3], -s[2], vi_sort_key(s[0].unit_name)))
    return tuple(Ranked(i, u, b, g, m) for i, (u, b, g, m) in enumerate(scored, start=1))


def build_summary(
    week_start: date,
    province: UnitRow,
    units: tuple[UnitRow, ...],
    band_counts: dict,
    *,
    last_week: UnitRow | None = None,
    last_year: UnitRow | None = None,
    last_week_start: date | None = None,
    last_year_start: date | None = None,
    two_tier: bool = False,
    targets: dict[str, Target] | None = None,
) -> Summary:
    targets = targets or DEFAULT_TARGETS
    departments = [u for u in units if u.unit_level == "SO_NGANH"]
    if two_tier:
        level, localities = "XA", [u for u in units if u.unit_level == "XA"]
    else:
        # a district is ranked on its roll-up (its desk and its communes) when there is one
        level = "HUYEN"
        localities = [u.rollup or u for u in units if u.unit_level == "HUYEN"]
    return Summary(
        week_start=week_start,
        headline=headline(province, last_week, last_year),
        band_counts=band_counts,
        low_volume=band_counts.get(LOW_VOLUME, 0),
        pulling_down=pulling_down(list(units), targets),
        departments=ranking(departments, targets),
        localities=ranking(localities, targets),
        localities_level=level,
        last_week_start=last_week_start,
        last_year_start=last_year_start,
    )


def weekly_summary(data: WeeklyReportData) -> Summary:
    """The summary of a Friday report. Last week's rates come from the model's province row of
    that week, else from the trend (a hand-made model)."""
    week_before = data.week_start - timedelta(days=7)
    last_week = data.province_last_week
    if last_week is None:
        point = next((t for t in data.trend if t.week_start == week_before), None)
        last_week = _row_of(point, data.province) if point else None
    return build_summary(
        data.week_start,
        data.province,
        data.units,
        data.band_counts(),
        last_week=last_week,
        last_year=data.province_last_year,
        last_week_start=week_before,
        last_year_start=data.week_start - timedelta(weeks=52),
        two_tier=data.two_tier,
        targets={**DEFAULT_TARGETS, **(data.targets or {})},
    )


def _row_of(point: TrendPoint, like: UnitRow) -> UnitRow:
    return UnitRow(
        like.unit_code,
        like.unit_name,
        like.unit_level,
        on_time_rate=point.on_time_rate,
        online_rate=point.online_rate,
        online_payment_rate=point.online_payment_rate,
    )
