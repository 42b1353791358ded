"""Jobs, schedules, the run/sync/backfill plans and the runner that executes them (the
commands that call them live in the shell)."""
