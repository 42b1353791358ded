-- Records of one source and partition held in quarantine.
SELECT count(*) FROM quarantine.records
WHERE source = %(source)s AND partition_key = %(partition)s;
