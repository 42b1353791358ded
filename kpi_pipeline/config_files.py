"""The `config_files` resource: the YAML configuration files a run reads, typed and validated.

Assets and checks take their KPI, score, quality and recipient configuration from this
resource, never from a file or the environment of their own: `kpi_pipeline/resources.py` sets
each path from its variable (`KPI_CONFIG_FILE`, `KPI_SCORE_CONFIG_FILE`,
`KPI_QUALITY_CONFIG_FILE`, `KPI_ALERT_RECIPIENTS_FILE`) as an `EnvVar` when it is set as the
location loads; an empty field means the variable as it is when the step asks (an in-process
run started after the location loaded), else the packaged file in `kpi_pipeline/config/`. The
files are read when a step asks (a bad file fails that step with the file and key named; the
pre-run checks read them all first).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from dagster import ConfigurableResource, EnvVar
from pydantic import Field

from kpi_pipeline import settings
from kpi_pipeline.domain.alert_recipients import DEFAULT_FILE as RECIPIENTS_FILE
from kpi_pipeline.domain.alert_recipients import Recipients, load_recipients
from kpi_pipeline.domain.kpi_config import DEFAULT_CONFIG_FILE as KPI_FILE
from kpi_pipeline.domain.kpi_config import KpiConfig, load_kpi_config
from kpi_pipeline.domain.quality_config import DEFAULT_CONFIG_FILE as QUALITY_FILE
from kpi_pipeline.domain.quality_config import QualityConfig, load_quality_config
from kpi_pipeline.domain.score_766 import DEFAULT_FILE as SCORE_FILE
from kpi_pipeline.domain.score_766 import ScoreConfig, load_score_config

# resource field -> (variable, packaged file, loader)
FILES = {
    "kpi_file": (settings.KPI_CONFIG_FILE, KPI_FILE, load_kpi_config),
    "score_file": (settings.KPI_SCORE_CONFIG_FILE, SCORE_FILE, load_score_config),
    "quality_file": (settings.KPI_QUALITY_CONFIG_FILE, QUALITY_FILE, load_quality_config),
    "recipients_file": (settings.KPI_ALERT_RECIPIENTS_FILE, RECIPIENTS_FILE, load_recipients),
}


class ConfigFilesResource(ConfigurableResource):
    """Paths of the configuration files; empty = the packaged file."""

    kpi_file: str = Field(default="", description="KPI targets, bands, peak months (kpi.yaml)")
    score_file: str = Field(default="", description="766-style score (score_766.yaml)")
    quality_file: str = Field(default="", description="quality tolerances (quality.yaml)")
    recipients_file: str = Field(
        default="", description="alert recipients per unit (packaged: nobody)"
    )

    def kpi(self) -> KpiConfig:
        return load_kpi_config(self.path("kpi_file"))

    def score(self) -> ScoreConfig:
        return load_score_config(self.path("score_file"))

    def quality(self) -> QualityConfig:
        return load_quality_config(self.path("quality_file"))

    def recipients(self) -> Recipients:
        return load_recipients(self.path("recipients_file"))

    def path(self, field: str) -> str:
        """The file `field` reads: its value, else its variable's, else the packaged file."""
        var, default, _ = FILES[field]
        return getattr(self, field) or settings.configured_path(var) or str(default)

    def paths(self) -> dict[str, str]:
        """The file each field reads (for run metadata and messages)."""
        return {f: self.path(f) for f in FILES}


def build_config_files(env: Mapping[str, str] | None = None) -> ConfigFilesResource:
    """The resource with an `EnvVar` for each variable that is set (read when a run starts)."""
    env = os.environ if env is None else env
    return ConfigFilesResource(
        **{f: EnvVar(var) for f, (var, _, _) in FILES.items() if env.get(var)}
    )


def config_file_problems(env: Mapping[str, str]) -> list[str]:
    """Each file loaded as the runs will load it: one line per bad file, naming the variable
    that points at it (the pre-run checks)."""
    problems = []
    for var, default, load in FILES.values():
        try:
            load(env.get(var) or default)
        except ValueError as exc:  # every loader's error class is a ValueError
            text = " ".join(str(exc).split())
            where = f"{var} ({env[var]})" if env.get(var) else f"the packaged file ({var} unset)"
            problems.append(f"{text}; correct {where} or point {var} at a valid file")
    return problems
