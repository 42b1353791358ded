-- ... and those this run stages: `touched`, each key once.
CREATE TEMP TABLE touched ON COMMIT DROP AS
SELECT key FROM touched_before
UNION
SELECT record_key FROM conformed WHERE disposition = 'staged';
ANALYZE touched;
