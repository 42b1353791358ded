"""Pure domain logic (calendar, bands, KPI rules): no Dagster, no database."""
