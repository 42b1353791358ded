-- Typed chiso rows of the given months (partition keys 'YYYY-MM-DD').
SELECT count(*) FROM staging.chiso WHERE to_char(month, 'YYYY-MM-DD') = ANY(%(keys)s);
