"""kpi-pipeline: per-unit KPIs of a province's online public services (DVC)."""

import warnings

from dagster import BetaWarning, PreviewWarning

# `backfill_policy=` on assets is beta in Dagster 1.13 (shared/docs/dagster-gx-notes.md); the
# project relies on it knowingly for single-run backfills, so the warning is not repeated.
warnings.filterwarnings("ignore", category=BetaWarning)
warnings.filterwarnings("ignore", category=PreviewWarning)
