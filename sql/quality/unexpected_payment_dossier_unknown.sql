-- National payment transactions for a dossier the provincial data does not (yet) hold.
WITH b AS (
    SELECT * FROM {batch}
)
SELECT b.transaction_id, b.ma_ho_so
FROM b
LEFT JOIN staging.dossiers d ON d.ma_ho_so = b.ma_ho_so
WHERE d.ma_ho_so IS NULL
ORDER BY b.transaction_id
