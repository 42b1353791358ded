"""Data quality with Great Expectations (GX Core 1.x), run as Dagster asset checks."""
