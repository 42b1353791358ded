-- Every unit's unit on today's map streamed into ref.unit_current_map.
COPY ref.unit_current_map (unit_code, current_unit_code, lineage_partial) FROM STDIN;
