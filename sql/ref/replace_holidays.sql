-- The calendar of the pulled years is replaced by what the portal says now.
DELETE FROM ref.holidays WHERE year = ANY(%(years)s);

INSERT INTO ref.holidays (day, year, name, kind)
SELECT DISTINCT ON (d.day) d.day, extract(year FROM d.day)::int, d.name, d.kind
FROM (
    SELECT
        (staging.parse_portal_ts(i.payload ->> 'Ngay' || '000000') AT TIME ZONE kpi.local_tz())::date AS day,
        normalize(btrim(i.payload ->> 'TenNgayNghi'), NFC) AS name,
        upper(btrim(i.payload ->> 'Loai')) AS kind
    FROM incoming i
) d
WHERE d.day IS NOT NULL AND d.kind IN ('LE', 'BU', 'LAM_BU') AND d.name IS NOT NULL
ORDER BY d.day, d.kind;

INSERT INTO quarantine.records (source, partition_key, record_key, rule, detail, payload, run_id)
SELECT 'ref_holidays', 'reference', i.payload ->> 'Ngay', 'bad_holiday',
       'Ngay must be yyyyMMdd, Loai one of LE, BU, LAM_BU, TenNgayNghi not empty', i.payload, %(run_id)s
FROM incoming i
WHERE staging.parse_portal_ts(i.payload ->> 'Ngay' || '000000') IS NULL
   OR upper(btrim(i.payload ->> 'Loai')) NOT IN ('LE', 'BU', 'LAM_BU') OR i.payload ->> 'Loai' IS NULL
   OR nullif(btrim(i.payload ->> 'TenNgayNghi'), '') IS NULL
