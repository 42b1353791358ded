-- The rebuilt lineage rows streamed into ref.unit_lineage.
COPY ref.unit_lineage (old_unit_code, new_unit_code, share, is_default, effective_date, source)
FROM STDIN;
