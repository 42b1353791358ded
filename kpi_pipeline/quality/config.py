"""Tolerances of the quality checks, from `config/quality.yaml` (or KPI_QUALITY_CONFIG_FILE)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "config" / "quality.yaml"
ENV_FILE = "KPI_QUALITY_CONFIG_FILE"


@dataclass(frozen=True)
class QualityConfig:
    due_date_slack_working_days: int = 1
    lookback_weeks: int = 8
    min_average: float = 3.0
    min_ratio: float = 0.2
    examples: int = 20


def load_quality_config(path: str | Path | None = None) -> QualityConfig:
    path = Path(path or os.environ.get(ENV_FILE) or DEFAULT_FILE)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        due, rows = raw.get("due_date", {}), raw.get("row_counts", {})
        config = QualityConfig(
            due_date_slack_working_days=int(due.get("slack_working_days", 1)),
            lookback_weeks=int(rows.get("lookback_weeks", 8)),
            min_average=float(rows.get("min_average", 3)),
            min_ratio=float(rows.get("min_ratio", 0.2)),
            examples=int(raw.get("examples", 20)),
        )
    except (OSError, ValueError, TypeError, AttributeError, yaml.YAMLError) as exc:
        raise ValueError(f"quality configuration {path}: {exc}") from exc
    if config.due_date_slack_working_days < 0 or config.lookback_weeks < 1:
        raise ValueError(f"quality configuration {path}: slack >= 0 and lookback_weeks >= 1")
    if not 0 <= config.min_ratio <= 1:
        raise ValueError(f"quality configuration {path}: min_ratio must be within 0..1")
    return config
