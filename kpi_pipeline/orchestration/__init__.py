"""Jobs, schedules and the backfill command."""
