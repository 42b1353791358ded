-- Rejected rows of `conformed` with the rule they broke; the source and its raw table are bound
-- by the caller. The payload is read back from the raw row (`raw_row`, its ctid: the rows are
-- not changed in this transaction) rather than carried through `ruled` and `conformed`, whose
-- window sorts would otherwise move every record's whole JSON for the few rejected ones.
INSERT INTO quarantine.records (source, partition_key, record_key, rule, detail, payload, run_id)
SELECT %(source)s, c.partition_key, c.record_key, c.final_rule, c.final_detail,
    (SELECT r.payload::jsonb FROM {raw} r WHERE r.ctid = c.raw_row), %(run_id)s
FROM conformed c
WHERE c.disposition = 'quarantined'
