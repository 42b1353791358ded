"""kpi-pipeline: per-unit KPIs of a province's online public services (DVC)."""
