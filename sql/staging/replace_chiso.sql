-- The national portal's published monthly figures of %(keys)s (months), from raw to staging.
-- Percentages arrive as numbers with one decimal (or null); bad rows are quarantined.
DELETE FROM staging.chiso WHERE to_char(month, 'YYYY-MM-DD') = ANY(%(keys)s);
DELETE FROM quarantine.records WHERE source = 'national_chiso' AND partition_key = ANY(%(keys)s);

CREATE TEMP TABLE chiso_rows ON COMMIT DROP AS
SELECT
    r.partition_key,
    r.payload,
    nullif(normalize(btrim(r.payload ->> 'MaDonVi'), NFC), '') AS unit_code,
    r.payload ->> 'TyLeDungHan' AS on_time_text,
    r.payload ->> 'TyLeTrucTuyen' AS online_text,
    r.payload ->> 'TyLeThanhToanTrucTuyen' AS payment_text
FROM raw.national_chiso r
WHERE r.partition_key = ANY(%(keys)s);

CREATE TEMP TABLE chiso_ruled ON COMMIT DROP AS
SELECT
    c.*,
    CASE
        WHEN c.unit_code IS NULL THEN 'missing_key'
        WHEN (c.on_time_text IS NOT NULL AND c.on_time_text !~ '^[0-9]{1,3}(\.[0-9]+)?$')
          OR (c.online_text IS NOT NULL AND c.online_text !~ '^[0-9]{1,3}(\.[0-9]+)?$')
          OR (c.payment_text IS NOT NULL AND c.payment_text !~ '^[0-9]{1,3}(\.[0-9]+)?$')
            THEN 'bad_percentage'
        WHEN count(*) OVER (PARTITION BY c.partition_key, c.unit_code) > 1 THEN 'duplicate_key'
    END AS rule
FROM chiso_rows c;

INSERT INTO quarantine.records (source, partition_key, record_key, rule, detail, payload, run_id)
SELECT 'national_chiso', c.partition_key, c.unit_code, c.rule,
       'TyLeDungHan=' || coalesce(c.on_time_text, 'null') || ' TyLeTrucTuyen=' || coalesce(c.online_text, 'null')
           || ' TyLeThanhToanTrucTuyen=' || coalesce(c.payment_text, 'null'),
       c.payload, %(run_id)s
FROM chiso_ruled c
WHERE c.rule IS NOT NULL;

INSERT INTO staging.chiso (month, unit_code, on_time_pct, online_pct, online_payment_pct, run_id)
SELECT c.partition_key::date, c.unit_code, c.on_time_text::numeric, c.online_text::numeric,
       c.payment_text::numeric, %(run_id)s
FROM chiso_ruled c
WHERE c.rule IS NULL;
