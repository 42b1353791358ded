DELETE FROM quarantine.records WHERE source = %(source)s AND partition_key = ANY(%(keys)s)
