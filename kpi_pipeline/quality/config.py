"""Tolerances of the data-quality checks, from `kpi_pipeline/config/quality.yaml` or the file
named by `KPI_QUALITY_CONFIG_FILE`.

Validated on load so that a typo fails the check with the file and key named, instead of
silently validating against a default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import yaml

from kpi_pipeline.domain.config_values import integer, mapping

DEFAULT_CONFIG_FILE = Path(__file__).resolve().parent.parent / "config" / "quality.yaml"
CONFIG_ENV = "KPI_QUALITY_CONFIG_FILE"


class QualityConfigError(ValueError):
    """The quality configuration file is missing, unreadable or invalid."""


_mapping = partial(mapping, error=QualityConfigError)
_int = partial(integer, error=QualityConfigError)


@dataclass(frozen=True)
class VolumeConfig:
    history_weeks: int = 8
    min_expected: float = 5.0
    low_ratio: float = 0.25
    high_ratio: float = 4.0


@dataclass(frozen=True)
class QualityConfig:
    slack_working_days: int = 2
    min_readable_share: float = 0.99
    volume: VolumeConfig = VolumeConfig()
    max_processing_days: int = 365
    max_examples: int = 20
    # Record-level rules: a share of the checked rows above this is systemic (blocks).
    max_record_share: float = 0.01
    source: str = "<defaults>"


def _number(value: object, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise QualityConfigError(f"{where}: expected a number in {low}..{high}, got {value!r}")
    return float(value)


def parse_quality_config(data: object, source: str = "<memory>") -> QualityConfig:
    """A validated `QualityConfig` from the parsed YAML; errors name `source` and the key."""
    try:
        top = _mapping(
            data, "top level", {"due_date", "raw", "volume", "procedures", "report", "records"}
        )
        due = _mapping(top["due_date"], "due_date", {"slack_working_days"})
        raw = _mapping(top["raw"], "raw", {"min_readable_share"})
        vol = _mapping(
            top["volume"], "volume", {"history_weeks", "min_expected", "low_ratio", "high_ratio"}
        )
        proc = _mapping(top["procedures"], "procedures", {"max_processing_days"})
        rep = _mapping(top["report"], "report", {"max_examples"})
        records = _mapping(top["records"], "records", {"max_share"})
        volume = VolumeConfig(
            history_weeks=_int(vol["history_weeks"], "volume.history_weeks", 1, 104),
            min_expected=_number(vol["min_expected"], "volume.min_expected", 0, 1e9),
            low_ratio=_number(vol["low_ratio"], "volume.low_ratio", 0, 1),
            high_ratio=_number(vol["high_ratio"], "volume.high_ratio", 1, 1e6),
        )
        return QualityConfig(
            slack_working_days=_int(
                due["slack_working_days"], "due_date.slack_working_days", 0, 365
            ),
            min_readable_share=_number(raw["min_readable_share"], "raw.min_readable_share", 0, 1),
            volume=volume,
            max_processing_days=_int(
                proc["max_processing_days"], "procedures.max_processing_days", 0, 10_000
            ),
            max_examples=_int(rep["max_examples"], "report.max_examples", 0, 200),
            max_record_share=_number(records["max_share"], "records.max_share", 0, 1),
            source=source,
        )
    except QualityConfigError as exc:
        raise QualityConfigError(f"{source}: {exc}") from None


def load_quality_config(path: str | os.PathLike | None = None) -> QualityConfig:
    """`path`, else $KPI_QUALITY_CONFIG_FILE, else the packaged quality.yaml."""
    file = Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_FILE)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise QualityConfigError(f"{file}: cannot read the quality configuration ({exc})") from exc
    except yaml.YAMLError as exc:
        raise QualityConfigError(f"{file}: not valid YAML ({exc})") from exc
    return parse_quality_config(data, str(file))
