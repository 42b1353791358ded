-- Chiso records of the given months held in quarantine.
SELECT count(*) FROM quarantine.records
WHERE source = 'national_chiso' AND partition_key = ANY(%(keys)s);
