"""Tolerances of the data-quality checks, from `kpi_pipeline/config/quality.yaml` or the file
named by `KPI_QUALITY_CONFIG_FILE` (passed by the `config_files` resource).

Validated on load so that a typo fails the check with the file and key named, instead of
silently validating against a default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kpi_pipeline.domain.config_values import (
    FileModel,
    integer_in,
    number_in,
    read_yaml,
    validated,
)

DEFAULT_CONFIG_FILE = Path(__file__).resolve().parent.parent / "config" / "quality.yaml"


class QualityConfigError(ValueError):
    """The quality configuration file is missing, unreadable or invalid."""


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


class _DueDate(FileModel):
    slack_working_days: integer_in(0, 365)


class _Raw(FileModel):
    min_readable_share: number_in(0, 1)


class _Volume(FileModel):
    history_weeks: integer_in(1, 104)
    min_expected: number_in(0, 1e9)
    low_ratio: number_in(0, 1)
    high_ratio: number_in(1, 1e6)


class _Procedures(FileModel):
    max_processing_days: integer_in(0, 10_000)


class _Report(FileModel):
    max_examples: integer_in(0, 200)


class _Records(FileModel):
    max_share: number_in(0, 1)


class QualityFile(FileModel):
    """`quality.yaml`, key by key."""

    due_date: _DueDate
    raw: _Raw
    volume: _Volume
    procedures: _Procedures
    report: _Report
    records: _Records


def parse_quality_config(data: object, source: str = "<memory>") -> QualityConfig:
    """A validated `QualityConfig` from the parsed YAML; errors name `source` and the key."""
    f = validated(QualityFile, data, source, QualityConfigError)
    return QualityConfig(
        slack_working_days=f.due_date.slack_working_days,
        min_readable_share=f.raw.min_readable_share,
        volume=VolumeConfig(**f.volume.model_dump()),
        max_processing_days=f.procedures.max_processing_days,
        max_examples=f.report.max_examples,
        max_record_share=f.records.max_share,
        source=source,
    )


def load_quality_config(path: str | os.PathLike | None = None) -> QualityConfig:
    """`path`, else the packaged quality.yaml (the `config_files` resource passes the
    deployment's file, `KPI_QUALITY_CONFIG_FILE`)."""
    file = Path(path or DEFAULT_CONFIG_FILE)
    return parse_quality_config(
        read_yaml(file, "quality configuration", QualityConfigError), str(file)
    )
