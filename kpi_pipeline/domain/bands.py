"""Colour bands of a KPI rate, in exact arithmetic (kpi-tables.md, "Bands").

A rate is an integer numerator over an integer denominator; a target is a percentage held as
an exact decimal. `green` when the target is met, `yellow` within `yellow_within_pp`
percentage points below it, `orange` within `orange_within_pp`, else `red`; None when the
denominator is 0. A strict target (">") has strict edges: online > 50% makes 50% yellow, 40%
orange and 40.1% yellow.

The warehouse computes bands with the SQL function `kpi.band` (sql/kpi/create_kpi_functions.sql)
from the same configuration; this module is its Python twin, and the tests check that the two
agree case by case.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

BANDS = ("green", "yellow", "orange", "red")  # best to worst
_RANK = {b: i for i, b in enumerate(BANDS)}


def exact_percent(value: object, what: str = "percentage") -> Decimal:
    """An exact decimal from an int, a Decimal or a decimal string (a float via its shortest text).

    Floats are accepted only because YAML reads `33.3` as one; their shortest repr ("33.3") is
    what the author wrote, so no binary fraction leaks in.
    """
    if isinstance(value, bool):
        raise TypeError(f"{what}: expected a number, got a boolean")
    if isinstance(value, int | Decimal):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except ArithmeticError as exc:
            raise ValueError(f"{what}: {value!r} is not a number") from exc
    else:
        raise TypeError(f"{what}: expected a number, got {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{what}: {value!r} is not a finite number")
    return result


@dataclass(frozen=True)
class Target:
    """A green target: rate >= percent (or > percent when strict)."""

    percent: Decimal
    strict: bool = False

    def __post_init__(self):
        object.__setattr__(self, "percent", exact_percent(self.percent, "target"))


@dataclass(frozen=True)
class BandWidths:
    """How far below the target (percentage points) a rate is still yellow, or orange."""

    yellow_within_pp: Decimal = Decimal(10)
    orange_within_pp: Decimal = Decimal(20)

    def __post_init__(self):
        y = exact_percent(self.yellow_within_pp, "yellow_within_pp")
        o = exact_percent(self.orange_within_pp, "orange_within_pp")
        if not (0 <= y <= o):
            raise ValueError(f"band widths must satisfy 0 <= yellow ({y}) <= orange ({o})")
        object.__setattr__(self, "yellow_within_pp", y)
        object.__setattr__(self, "orange_within_pp", o)


def _check_count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{what} must be >= 0, got {value}")
    return value


def band(numerator: int, denominator: int, target: Target, widths: BandWidths) -> str | None:
    """The band of numerator/denominator against `target`; None when the denominator is 0."""
    num = _check_count(numerator, "numerator")
    den = _check_count(denominator, "denominator")
    if den == 0:
        return None
    rate_pct = Fraction(100 * num, den)
    edges = (
        ("green", Fraction(target.percent)),
        ("yellow", Fraction(target.percent - widths.yellow_within_pp)),
        ("orange", Fraction(target.percent - widths.orange_within_pp)),
    )
    for name, edge in edges:
        if (rate_pct > edge) if target.strict else (rate_pct >= edge):
            return name
    return "red"


def worst_band(*bands: str | None) -> str | None:
    """The worst of the non-null bands; None when all are None."""
    present = [b for b in bands if b is not None]
    for b in present:
        if b not in _RANK:
            raise ValueError(f"unknown band {b!r}")
    return max(present, key=_RANK.__getitem__) if present else None


def overall_band(on_time: str | None, online: str | None, online_payment: str | None) -> str | None:
    """A unit's band for a period: the worst of its three headline bands that are not null."""
    return worst_band(on_time, online, online_payment)
