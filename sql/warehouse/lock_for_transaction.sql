-- Wait for, then hold until the transaction ends, the advisory lock named %(name)s: runs that
-- write the same thing (a KPI table's windows, a source's coverage, the schema) take turns.
SELECT pg_advisory_xact_lock(hashtext(%(name)s))
