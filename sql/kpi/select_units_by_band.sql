-- Units (own dossiers) of one period of {table} by overall band ('no_data' for none).
SELECT coalesce(overall_band, 'no_data') AS band, count(*) AS units
FROM {table}
WHERE period_start = %(period)s AND scope = 'unit'
GROUP BY 1;
