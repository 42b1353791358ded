-- Wait for, then hold until unlock_session.sql, the advisory lock named %(name)s: a pull that
-- commits in chunks keeps its source's lock across them.
SELECT pg_advisory_lock(hashtext(%(name)s))
