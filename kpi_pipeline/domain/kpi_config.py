"""The KPI configuration (targets, band widths, peak months, drill-down and reconciliation
options), from `kpi_pipeline/config/kpi.yaml` or the deployment's file (`KPI_CONFIG_FILE`,
passed by the `config_files` resource; this module reads no environment).

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
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from kpi_pipeline.domain.bands import BandWidths, Target, band
from kpi_pipeline.domain.config_values import (
    Bool,
    FileModel,
    exact_decimal,
    integer_in,
    one_of,
    read_yaml,
    validated,
)
from kpi_pipeline.domain.headline import HEADLINE_KPIS
from kpi_pipeline.domain.volume import is_low_volume

DEFAULT_CONFIG_FILE = Path(__file__).resolve().parent.parent / "config" / "kpi.yaml"
TARGET_KPIS = (*HEADLINE_KPIS, "level4_share", "digitisation")
CHISO_SCOPES = ("unit", "rollup")
DEFAULT_MIN_VOLUME = 5  # dossiers in a KPI's denominator (issue 15); `min_volume` is optional


class KpiConfigError(ValueError):
    """The KPI configuration file is missing, unreadable or invalid."""


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


def _percent(value: object) -> Decimal:
    result = exact_decimal(value)
    if not (0 <= result <= 100):
        raise ValueError(f"{result} is outside 0..100")
    return result


Percent = Annotated[Decimal, BeforeValidator(_percent)]
Month = integer_in(1, 12)
LateCount = integer_in(0, 10**9)
TopCount = integer_in(1, 10_000)
ChisoScope = one_of(*CHISO_SCOPES)


class TargetModel(FileModel):
    percent: Percent
    strict: Bool

    def target(self) -> Target:
        return Target(self.percent, self.strict)


class BandsModel(FileModel):
    yellow_within_pp: Percent
    orange_within_pp: Percent

    @model_validator(mode="after")
    def _ordered(self):
        if self.yellow_within_pp > self.orange_within_pp:
            raise ValueError(
                f"yellow_within_pp ({self.yellow_within_pp}) must not exceed orange_within_pp"
                f" ({self.orange_within_pp})"
            )
        return self


class TargetsModel(FileModel):
    on_time: TargetModel
    online: TargetModel
    online_payment: TargetModel
    level4_share: TargetModel
    digitisation: TargetModel


def _first_of_month(value: object) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date") from None
    if not isinstance(value, date) or value.day != 1:
        raise ValueError(f"expected the 1st of a month, got {value!r}")
    return value


class PeakTargetsModel(FileModel):
    online: TargetModel
    max_late_subjective: LateCount


class PeakMonthsModel(FileModel):
    model_config = ConfigDict(populate_by_name=True)

    months: Annotated[list[Month], Field(min_length=1)]
    start: Annotated[date, BeforeValidator(_first_of_month)] = Field(alias="from")
    targets: PeakTargetsModel


class DrilldownModel(FileModel):
    top_procedures: TopCount


class ReconciliationModel(FileModel):
    chiso_tolerance_pp: Percent
    chiso_scope: ChisoScope


class MinVolumeModel(FileModel):
    dossiers: LateCount  # 0 turns the rule off


class KpiFile(FileModel):
    """`kpi.yaml`, key by key (`min_volume` optional: older files load unchanged)."""

    bands: BandsModel
    targets: TargetsModel
    peak_months: PeakMonthsModel
    drilldown: DrilldownModel
    reconciliation: ReconciliationModel
    min_volume: MinVolumeModel = MinVolumeModel(dossiers=DEFAULT_MIN_VOLUME)


def parse_kpi_config(data: object, source: str = "<memory>") -> KpiConfig:
    """A validated `KpiConfig` from the parsed YAML document; errors name `source` and the key."""
    f = validated(KpiFile, data, source, KpiConfigError)
    p = f.peak_months
    return KpiConfig(
        widths=BandWidths(f.bands.yellow_within_pp, f.bands.orange_within_pp),
        targets={k: getattr(f.targets, k).target() for k in TARGET_KPIS},
        peak=PeakMonths(
            months=tuple(p.months),
            start=p.start,
            online=p.targets.online.target(),
            max_late_subjective=p.targets.max_late_subjective,
        ),
        top_procedures=f.drilldown.top_procedures,
        chiso_tolerance_pp=f.reconciliation.chiso_tolerance_pp,
        chiso_scope=f.reconciliation.chiso_scope,
        min_volume=f.min_volume.dossiers,
        source=source,
    )


def load_kpi_config(path: str | os.PathLike | None = None) -> KpiConfig:
    """The KPI configuration in `path`, else the packaged kpi.yaml (the resource
    `ConfigFilesResource` passes the deployment's file)."""
    file = Path(path or DEFAULT_CONFIG_FILE)
    return parse_kpi_config(read_yaml(file, "KPI configuration", KpiConfigError), str(file))
