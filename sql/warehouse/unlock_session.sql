-- Release the session lock lock_for_session.sql took.
SELECT pg_advisory_unlock(hashtext(%(name)s))
