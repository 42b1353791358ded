"""The KPI configuration (targets, band widths, peak months, drill-down and reconciliation
options), from `kpi_pipeline/config/kpi.yaml` or the file named by `KPI_CONFIG_FILE`.

Validated on load: a missing or unknown key, a non-number target or a bad width raises
`KpiConfigError` naming the file and the key. `KpiConfig.sql_json()` is how the SQL side
(`kpi.band_for`) receives the same numbers, as exact decimal strings.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path

import yaml

from kpi_pipeline.domain.bands import BandWidths, Target, band, exact_percent
from kpi_pipeline.domain.config_values import integer, mapping
from kpi_pipeline.domain.volume import is_low_volume
from kpi_pipeline.settings import KPI_CONFIG_FILE

DEFAULT_CONFIG_FILE = Path(__file__).resolve().parent.parent / "config" / "kpi.yaml"
CONFIG_ENV = KPI_CONFIG_FILE
HEADLINE_KPIS = ("on_time", "online", "online_payment")
TARGET_KPIS = (*HEADLINE_KPIS, "level4_share", "digitisation")
CHISO_SCOPES = ("unit", "rollup")
DEFAULT_MIN_VOLUME = 5  # dossiers in a KPI's denominator (issue 15); `min_volume` is optional


class KpiConfigError(ValueError):
    """The KPI configuration file is missing, unreadable or invalid."""


_mapping = partial(mapping, error=KpiConfigError)
_int = partial(integer, error=KpiConfigError)


@dataclass(frozen=True)
class PeakMonths:
    months: tuple[int, ...]
    start: date
    online: Target
    max_late_subjective: int

    def is_peak(self, month_start: date) -> bool:
        return month_start >= self.start and month_start.month in self.months


@dataclass(frozen=True)
class KpiConfig:
    widths: BandWidths
    targets: dict[str, Target]
    peak: PeakMonths
    top_procedures: int
    chiso_tolerance_pp: Decimal
    chiso_scope: str
    source: str = "<memory>"
    min_volume: int = DEFAULT_MIN_VOLUME

    def low_volume(self, denominator: int) -> bool:
        """Dossiers in the denominator, but fewer than the minimum (kpi.low_volume in SQL)."""
        return is_low_volume(denominator, self.min_volume)

    def band(self, kpi: str, numerator: int, denominator: int) -> str | None:
        return band(numerator, denominator, self.targets[kpi], self.widths)

    def as_dict(self) -> dict:
        """Plain data (decimals as strings): the SQL parameter and the run metadata."""
        return {
            "bands": {
                "yellow_within_pp": str(self.widths.yellow_within_pp),
                "orange_within_pp": str(self.widths.orange_within_pp),
            },
            "targets": {
                k: {"percent": str(t.percent), "strict": t.strict} for k, t in self.targets.items()
            },
            "peak_months": {
                "months": list(self.peak.months),
                "from": self.peak.start.isoformat(),
                "targets": {
                    "online": {
                        "percent": str(self.peak.online.percent),
                        "strict": self.peak.online.strict,
                    },
                    "max_late_subjective": self.peak.max_late_subjective,
                },
            },
            "drilldown": {"top_procedures": self.top_procedures},
            "min_volume": {"dossiers": self.min_volume},
            "reconciliation": {
                "chiso_tolerance_pp": str(self.chiso_tolerance_pp),
                "chiso_scope": self.chiso_scope,
            },
        }

    def sql_json(self) -> str:
        """The configuration as the `jsonb` argument of the SQL functions."""
        return json.dumps(self.as_dict(), sort_keys=True)


def _percent(value: object, where: str, low: int = 0, high: int = 100) -> Decimal:
    try:
        result = exact_percent(value, where)
    except (TypeError, ValueError) as exc:
        raise KpiConfigError(str(exc)) from exc
    if not (low <= result <= high):
        raise KpiConfigError(f"{where}: {result} is outside {low}..{high}")
    return result


def _bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise KpiConfigError(f"{where}: expected true or false, got {value!r}")
    return value


def _target(value: object, where: str) -> Target:
    m = _mapping(value, where, {"percent", "strict"})
    return Target(_percent(m["percent"], f"{where}.percent"), _bool(m["strict"], f"{where}.strict"))


def parse_kpi_config(data: object, source: str = "<memory>") -> KpiConfig:
    """A validated `KpiConfig` from the parsed YAML document; errors name `source` and the key."""
    try:
        top = _mapping(
            data,
            "top level",
            {"bands", "targets", "peak_months", "drilldown", "reconciliation"},
            optional={"min_volume"},
        )
        b = _mapping(top["bands"], "bands", {"yellow_within_pp", "orange_within_pp"})
        yellow = _percent(b["yellow_within_pp"], "bands.yellow_within_pp")
        orange = _percent(b["orange_within_pp"], "bands.orange_within_pp")
        if yellow > orange:
            raise KpiConfigError(
                f"bands: yellow_within_pp ({yellow}) must not exceed orange_within_pp ({orange})"
            )
        t = _mapping(top["targets"], "targets", set(TARGET_KPIS))
        targets = {k: _target(t[k], f"targets.{k}") for k in TARGET_KPIS}

        p = _mapping(top["peak_months"], "peak_months", {"months", "from", "targets"})
        months = p["months"]
        if not isinstance(months, list) or not months:
            raise KpiConfigError("peak_months.months: expected a non-empty list of months")
        months = tuple(_int(m, "peak_months.months[]", 1, 12) for m in months)
        start = p["from"]
        if isinstance(start, str):
            try:
                start = date.fromisoformat(start)
            except ValueError as exc:
                raise KpiConfigError(f"peak_months.from: {start!r} is not a date") from exc
        if not isinstance(start, date) or start.day != 1:
            raise KpiConfigError(f"peak_months.from: expected the 1st of a month, got {start!r}")
        pt = _mapping(p["targets"], "peak_months.targets", {"online", "max_late_subjective"})
        peak = PeakMonths(
            months=months,
            start=start,
            online=_target(pt["online"], "peak_months.targets.online"),
            max_late_subjective=_int(
                pt["max_late_subjective"], "peak_months.targets.max_late_subjective", 0, 10**9
            ),
        )
        d = _mapping(top["drilldown"], "drilldown", {"top_procedures"})
        r = _mapping(top["reconciliation"], "reconciliation", {"chiso_tolerance_pp", "chiso_scope"})
        if r["chiso_scope"] not in CHISO_SCOPES:
            raise KpiConfigError(
                f"reconciliation.chiso_scope: expected one of {CHISO_SCOPES}, got {r['chiso_scope']!r}"
            )
        min_volume = DEFAULT_MIN_VOLUME
        if "min_volume" in top:
            mv = _mapping(top["min_volume"], "min_volume", {"dossiers"})
            min_volume = _int(mv["dossiers"], "min_volume.dossiers", 0, 10**9)
        return KpiConfig(
            min_volume=min_volume,
            widths=BandWidths(yellow, orange),
            targets=targets,
            peak=peak,
            top_procedures=_int(d["top_procedures"], "drilldown.top_procedures", 1, 10_000),
            chiso_tolerance_pp=_percent(
                r["chiso_tolerance_pp"], "reconciliation.chiso_tolerance_pp"
            ),
            chiso_scope=r["chiso_scope"],
            source=source,
        )
    except KpiConfigError as exc:
        raise KpiConfigError(f"{source}: {exc}") from None


def config_path(path: str | os.PathLike | None = None) -> Path:
    """The file to read: `path`, else $KPI_CONFIG_FILE, else the packaged kpi.yaml."""
    return Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_FILE)


def load_kpi_config(path: str | os.PathLike | None = None) -> KpiConfig:
    file = config_path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise KpiConfigError(f"{file}: cannot read the KPI configuration ({exc})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise KpiConfigError(f"{file}: not valid YAML ({exc})") from exc
    return parse_kpi_config(data, str(file))
