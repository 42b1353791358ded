-- The national portal's published monthly figures of %(keys)s (months), from raw to staging.
-- Percentages arrive as numbers with one decimal (or null); bad rows are quarantined.
-- A unit's row may be served on two pages (the contract allows repeats): identical copies are
-- one record (the others superseded); copies that differ are versions, and the one served on
-- the later page is the latest (chiso rows carry no NgayCapNhat: the page order is the only
-- clock); two different copies on the same last page are `conflicting_duplicate`.
DELETE FROM staging.chiso WHERE to_char(month, 'YYYY-MM-DD') = ANY(%(keys)s);
DELETE FROM quarantine.records WHERE source = 'national_chiso' AND partition_key = ANY(%(keys)s);

CREATE TEMP TABLE chiso_rows ON COMMIT DROP AS
SELECT
    r.partition_key,
    r.payload,
    r.page,
    md5(r.payload::text) AS content_hash,
    nullif(normalize(btrim(r.payload ->> 'MaDonVi'), NFC), '') AS unit_code,
    r.payload ->> 'TyLeDungHan' AS on_time_text,
    r.payload ->> 'TyLeTrucTuyen' AS online_text,
    r.payload ->> 'TyLeThanhToanTrucTuyen' AS payment_text
FROM raw.national_chiso r
WHERE r.partition_key = ANY(%(keys)s);

CREATE TEMP TABLE chiso_checked ON COMMIT DROP AS
SELECT
    c.*,
    CASE
        WHEN c.unit_code IS NULL THEN 'missing_key'
        WHEN (c.on_time_text IS NOT NULL AND c.on_time_text !~ '^[0-9]{1,3}(\.[0-9]+)?$')
          OR (c.online_text IS NOT NULL AND c.online_text !~ '^[0-9]{1,3}(\.[0-9]+)?$')
          OR (c.payment_text IS NOT NULL AND c.payment_text !~ '^[0-9]{1,3}(\.[0-9]+)?$')
            THEN 'bad_percentage'
    END AS check_rule
FROM chiso_rows c;

-- Among the rows that passed, per month and unit: the copies on the last page that served
-- the unit, and whether they disagree.
CREATE TEMP TABLE chiso_ruled ON COMMIT DROP AS
WITH ranked AS (
    SELECT
        c.*,
        row_number() OVER w_latest AS rn,
        max(c.page) OVER w_key AS last_page,
        min(c.content_hash) OVER w_page <> max(c.content_hash) OVER w_page AS conflict
    FROM chiso_checked c
    WINDOW w_latest AS (PARTITION BY c.partition_key, c.unit_code, c.check_rule IS NULL
                        ORDER BY c.page DESC, c.content_hash),
           w_key AS (PARTITION BY c.partition_key, c.unit_code, c.check_rule IS NULL),
           w_page AS (PARTITION BY c.partition_key, c.unit_code, c.check_rule IS NULL, c.page)
)
SELECT
    k.*,
    coalesce(
        k.check_rule,
        CASE WHEN k.conflict AND k.page = k.last_page THEN 'conflicting_duplicate' END
    ) AS rule,
    k.check_rule IS NULL AND NOT (k.conflict AND k.page = k.last_page) AND k.rn > 1 AS superseded
FROM ranked k;

INSERT INTO quarantine.records (source, partition_key, record_key, rule, detail, payload, run_id)
SELECT 'national_chiso', c.partition_key, c.unit_code, c.rule,
       CASE WHEN c.rule = 'conflicting_duplicate'
            THEN 'two different rows for this unit on page ' || c.page || ': ' ELSE '' END
           || 'TyLeDungHan=' || coalesce(c.on_time_text, 'null') || ' TyLeTrucTuyen=' || coalesce(c.online_text, 'null')
           || ' TyLeThanhToanTrucTuyen=' || coalesce(c.payment_text, 'null'),
       c.payload, %(run_id)s
FROM chiso_ruled c
WHERE c.rule IS NOT NULL;

INSERT INTO staging.chiso (month, unit_code, on_time_pct, online_pct, online_payment_pct, run_id)
SELECT c.partition_key::date, c.unit_code, c.on_time_text::numeric, c.online_text::numeric,
       c.payment_text::numeric, %(run_id)s
FROM chiso_ruled c
WHERE c.rule IS NULL AND NOT c.superseded;
