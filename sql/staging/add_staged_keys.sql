-- ... and those this run stages.
INSERT INTO touched SELECT DISTINCT record_key FROM conformed WHERE disposition = 'staged'
ON CONFLICT DO NOTHING;
