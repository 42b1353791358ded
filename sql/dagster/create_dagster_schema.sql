-- Dagster's own run, event and schedule storage, apart from the warehouse's tables, when it
-- shares the warehouse database (DAGSTER_PG_URL derived from KPI_DATABASE_URL).
CREATE SCHEMA IF NOT EXISTS {schema}
