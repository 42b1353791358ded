-- Rejected rows of `conformed` with the rule they broke; the source is bound by the caller.
INSERT INTO quarantine.records (source, partition_key, record_key, rule, detail, payload, run_id)
SELECT %(source)s, c.partition_key, c.record_key, c.final_rule, c.final_detail, c.payload, %(run_id)s
FROM conformed c
WHERE c.disposition = 'quarantined'
