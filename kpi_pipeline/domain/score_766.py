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
import os
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from functools import partial
from pathlib import Path

import yaml

from kpi_pipeline.domain.config_values import mapping

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "config" / "score_766.yaml"
CONFIG_ENV = "KPI_SCORE_CONFIG_FILE"

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


_mapping = partial(mapping, error=ScoreConfigError)


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


def load_score_config(path: str | Path | None = None) -> ScoreConfig:
    """The configuration from `path`, else `KPI_SCORE_CONFIG_FILE`, else the packaged file."""
    path = Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_FILE)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScoreConfigError(f"{path}: cannot read the score configuration: {exc}") from exc
    return parse_score_config(raw, source=str(path))


def parse_score_config(raw: object, source: str = "<memory>") -> ScoreConfig:
    where = source
    top = _mapping(raw, where, {"total_points", "groups", "components", "comparison"})
    total = _number(top["total_points"], f"{where}: total_points", positive=True)

    groups_raw = _mapping(top["groups"], f"{where}: groups", None)
    groups = {}
    for name, value in groups_raw.items():
        if name not in DECISION_GROUPS:
            raise ScoreConfigError(
                f"{where}: groups.{name}: not a group of Decision 766 ({sorted(DECISION_GROUPS)})"
            )
        groups[name] = _number(value, f"{where}: groups.{name}", positive=True)
        if groups[name] > DECISION_GROUPS[name]:
            raise ScoreConfigError(
                f"{where}: groups.{name}: {groups[name]} exceeds the decision's"
                f" {DECISION_GROUPS[name]} points"
            )

    comps_raw = _mapping(top["components"], f"{where}: components", set(COMPONENTS))
    components = {}
    for name in COMPONENTS:
        w = f"{where}: components.{name}"
        c = _mapping(comps_raw[name], w, {"group", "points", "full_at_percent"})
        if c["group"] not in groups:
            raise ScoreConfigError(
                f"{w}.group: {c['group']!r} is not one of groups {sorted(groups)}"
            )
        full = _number(c["full_at_percent"], f"{w}.full_at_percent", positive=True)
        if full > 100:
            raise ScoreConfigError(f"{w}.full_at_percent: {full} is above 100")
        components[name] = Component(
            name, c["group"], _number(c["points"], f"{w}.points", positive=True), full
        )

    weight_sum = sum((c.points for c in components.values()), Decimal(0))
    if weight_sum != total:
        raise ScoreConfigError(
            f"{where}: the components' points sum to {weight_sum}, not total_points {total}"
        )
    for group, maximum in groups.items():
        in_group = sum((c.points for c in components.values() if c.group == group), Decimal(0))
        if in_group > maximum:
            raise ScoreConfigError(
                f"{where}: components of group {group} have {in_group} points, above its"
                f" maximum {maximum}"
            )

    cmp_ = _mapping(
        top["comparison"], f"{where}: comparison", {"scope", "tolerance_points", "top_units"}
    )
    if cmp_["scope"] not in SCOPES:
        raise ScoreConfigError(f"{where}: comparison.scope: expected one of {SCOPES}")
    tolerance = _number(cmp_["tolerance_points"], f"{where}: comparison.tolerance_points")
    top_units = cmp_["top_units"]
    if isinstance(top_units, bool) or not isinstance(top_units, int) or not 1 <= top_units <= 500:
        raise ScoreConfigError(f"{where}: comparison.top_units: expected an integer in 1..500")
    return ScoreConfig(
        total_points=total,
        groups=groups,
        components=components,
        comparison_scope=cmp_["scope"],
        tolerance_points=tolerance,
        top_units=top_units,
        source=source,
    )


def _number(value: object, where: str, positive: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ScoreConfigError(f"{where}: expected a number, got {value!r}")
    try:
        result = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except ArithmeticError as exc:
        raise ScoreConfigError(f"{where}: {value!r} is not a number") from exc
    if not result.is_finite() or result < 0 or (positive and result == 0):
        raise ScoreConfigError(
            f"{where}: {value!r} must be a {'positive' if positive else 'non-negative'} number"
        )
    return result
