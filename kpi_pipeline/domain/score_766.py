"""The 766-style score of a unit and month: configuration and exact arithmetic.

Decision 766/QĐ-TTg (23 June 2022) scores units out of 100 in five groups; points rise
linearly with a rate up to a threshold. `kpi_pipeline/config/score_766.yaml` says which
components this project scores, their points and thresholds, and which of those values are
the project's reading rather than the decision's (see the file's header).

The warehouse computes the score with the SQL function `kpi.score_766_points`
(sql/kpi/create_unit_score_monthly.sql) from the same configuration (`ScoreConfig.sql_json`);
`points` here is its Python twin, and the tests check the two agree case by case.

No Dagster, no database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, model_validator

from kpi_pipeline.domain.config_values import (
    FileModel,
    exact_decimal,
    integer_in,
    one_of,
    read_yaml,
    validated,
)

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "config" / "score_766.yaml"

# The components this project's data supports, with the KPI-table columns of their rate
# (numerator, denominator) and the staging.chiso column that publishes it nationally.
COMPONENTS = ("on_time", "online", "online_payment", "digitisation")
RATE_COLUMNS = {
    "on_time": ("finished_on_time", "finished"),
    "online": ("online_eligible_received_online", "online_eligible"),
    "online_payment": ("paid_online", "payment_eligible"),
    "digitisation": ("digitised", "received"),
}
CHISO_COLUMNS = {
    "on_time": "on_time_pct",  # TyLeDungHan
    "online": "online_pct",  # TyLeTrucTuyen
    "online_payment": "online_payment_pct",  # TyLeThanhToanTrucTuyen
}
# Decision 766's groups and their maxima (out of 100).
DECISION_GROUPS = {
    "public_disclosure": Decimal(18),
    "progress": Decimal(20),
    "online_service": Decimal(22),
    "digitisation": Decimal(22),
    "satisfaction": Decimal(18),
}
SCOPES = ("unit", "rollup")
POINTS_PLACES = Decimal("0.0001")  # points are truncated to 4 decimals (never rounded up)


class ScoreConfigError(ValueError):
    """The score configuration file is missing, unreadable or invalid."""


@dataclass(frozen=True)
class Component:
    name: str
    group: str
    points: Decimal
    full_at_percent: Decimal


@dataclass(frozen=True)
class ScoreConfig:
    total_points: Decimal
    groups: dict[str, Decimal]
    components: dict[str, Component]
    comparison_scope: str
    tolerance_points: Decimal
    top_units: int
    source: str = "<memory>"

    def points(self, component: str, numerator, denominator) -> Decimal | None:
        c = self.components[component]
        return points(numerator, denominator, c.points, c.full_at_percent)

    def as_dict(self) -> dict:
        """Plain data, decimals as their exact text: the SQL parameter and the run metadata."""
        return {
            "total_points": str(self.total_points),
            "groups": {k: str(v) for k, v in self.groups.items()},
            "components": {
                name: {
                    "group": c.group,
                    "points": str(c.points),
                    "full_at_percent": str(c.full_at_percent),
                }
                for name, c in self.components.items()
            },
            "comparison": {
                "scope": self.comparison_scope,
                "tolerance_points": str(self.tolerance_points),
                "top_units": self.top_units,
            },
        }

    def sql_json(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True)


def points(numerator, denominator, weight, full_at_percent) -> Decimal | None:
    """`weight` x min(rate / threshold, 1), the rate being numerator / denominator, exactly.

    None when the denominator is 0 (no dossiers: no points, not zero points). At or above the
    threshold: the full weight. Below: truncated to 4 decimals, so a rate below its threshold
    never shows full points. `numerator`/`denominator` may be a count pair or (percent, 100).
    """
    if denominator is None or numerator is None or Fraction(str(denominator)) == 0:
        return None
    num, den = Fraction(str(numerator)), Fraction(str(denominator))
    weight, full = Fraction(str(weight)), Fraction(str(full_at_percent))
    if num * 100 >= den * full:
        return Decimal(str(weight)) if weight.denominator == 1 else _decimal(weight)
    return _decimal(weight * num * 100 / (den * full))


def _decimal(f: Fraction) -> Decimal:
    q = Decimal(f.numerator) / Decimal(f.denominator)  # 28 significant digits, then truncate
    return q.quantize(POINTS_PLACES, rounding=ROUND_DOWN)


def national_points(config: ScoreConfig, component: str, percent) -> Decimal | None:
    """The points a published percentage (one decimal, e.g. 79.9) gives."""
    if percent is None:
        return None
    return config.points(component, Decimal(str(percent)), 100)


# -- loading -----------------------------------------------------------------------------------


def _non_negative(value: object) -> Decimal:
    result = exact_decimal(value)
    if result < 0:
        raise ValueError(f"{value!r} must be a non-negative number")
    return result


def _positive(value: object) -> Decimal:
    result = exact_decimal(value)
    if result <= 0:
        raise ValueError(f"{value!r} must be a positive number")
    return result


def _threshold(value: object) -> Decimal:
    result = _positive(value)
    if result > 100:
        raise ValueError(f"{result} is above 100")
    return result


def _groups(value: object) -> object:
    if isinstance(value, dict):
        for name in value:
            if name not in DECISION_GROUPS:
                raise ValueError(f"{name}: not a group of Decision 766 ({sorted(DECISION_GROUPS)})")
    return value


Positive = Annotated[Decimal, BeforeValidator(_positive)]
NonNegative = Annotated[Decimal, BeforeValidator(_non_negative)]
Threshold = Annotated[Decimal, BeforeValidator(_threshold)]
Groups = Annotated[dict[str, Positive], BeforeValidator(_groups)]
Scope = one_of(*SCOPES)
TopUnits = integer_in(1, 500)


class _Component(FileModel):
    group: str
    points: Positive
    full_at_percent: Threshold


class _Components(FileModel):
    on_time: _Component
    online: _Component
    online_payment: _Component
    digitisation: _Component


class _Comparison(FileModel):
    scope: Scope
    tolerance_points: NonNegative
    top_units: TopUnits


class ScoreFile(FileModel):
    """`score_766.yaml`, key by key, with the sums the decision imposes."""

    total_points: Positive
    groups: Groups
    components: _Components
    comparison: _Comparison

    @model_validator(mode="after")
    def _sums(self):
        for name, maximum in self.groups.items():
            if maximum > DECISION_GROUPS[name]:
                raise ValueError(
                    f"groups.{name}: {maximum} exceeds the decision's {DECISION_GROUPS[name]} points"
                )
        comps = {n: getattr(self.components, n) for n in COMPONENTS}
        for name, c in comps.items():
            if c.group not in self.groups:
                raise ValueError(
                    f"components.{name}.group: {c.group!r} is not one of groups"
                    f" {sorted(self.groups)}"
                )
        weight_sum = sum((c.points for c in comps.values()), Decimal(0))
        if weight_sum != self.total_points:
            raise ValueError(
                f"the components' points sum to {weight_sum}, not total_points {self.total_points}"
            )
        for group, maximum in self.groups.items():
            in_group = sum((c.points for c in comps.values() if c.group == group), Decimal(0))
            if in_group > maximum:
                raise ValueError(
                    f"components of group {group} have {in_group} points, above its"
                    f" maximum {maximum}"
                )
        return self


def load_score_config(path: str | Path | None = None) -> ScoreConfig:
    """The configuration from `path`, else the packaged file (the `config_files` resource
    passes the deployment's file, `KPI_SCORE_CONFIG_FILE`)."""
    path = Path(path or DEFAULT_FILE)
    raw = read_yaml(path, "score configuration", ScoreConfigError)
    return parse_score_config(raw, source=str(path))


def parse_score_config(raw: object, source: str = "<memory>") -> ScoreConfig:
    f = validated(ScoreFile, raw, source, ScoreConfigError)
    return ScoreConfig(
        total_points=f.total_points,
        groups=dict(f.groups),
        components={
            name: Component(name, c.group, c.points, c.full_at_percent)
            for name in COMPONENTS
            for c in [getattr(f.components, name)]
        },
        comparison_scope=f.comparison.scope,
        tolerance_points=f.comparison.tolerance_points,
        top_units=f.comparison.top_units,
        source=source,
    )
