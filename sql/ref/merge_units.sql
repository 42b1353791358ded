-- Unit versions from `incoming`: a new (MaDonVi, HieuLucTu) adds a version; a known version
-- is updated only where the portal changed it (typically closing it with HieuLucDen).
-- Records that break a rule go to the quarantine instead. Versions the portal no longer lists
-- at all (not even as a broken record) move to ref.units_delisted: the portal's corrected
-- list heals the table (an orphan it stopped serving no longer fails the parent check for
-- ever). An empty list delists nothing: a portal that answers with no units at all is not a
-- correction.
CREATE TEMP TABLE incoming_units ON COMMIT DROP AS
SELECT
    i.payload,
    nullif(normalize(btrim(i.payload ->> 'MaDonVi'), NFC), '') AS unit_code,
    nullif(normalize(btrim(i.payload ->> 'TenDonVi'), NFC), '') AS unit_name,
    upper(btrim(i.payload ->> 'CapDonVi')) AS unit_level,
    nullif(normalize(btrim(i.payload ->> 'MaDonViCha'), NFC), '') AS parent_code,
    nullif(btrim(i.payload ->> 'MaHanhChinh'), '') AS gso_code,
    (staging.parse_portal_ts(i.payload ->> 'HieuLucTu' || '000000') AT TIME ZONE kpi.local_tz())::date
        AS valid_from,
    nullif(i.payload ->> 'HieuLucDen', '') AS valid_to_text,
    (staging.parse_portal_ts(nullif(i.payload ->> 'HieuLucDen', '') || '000000')
        AT TIME ZONE kpi.local_tz())::date AS valid_to
FROM incoming i;

INSERT INTO quarantine.records (source, partition_key, record_key, rule, detail, payload, run_id)
SELECT 'ref_units', 'reference', u.unit_code,
       CASE WHEN u.unit_code IS NULL OR u.unit_name IS NULL THEN 'missing_key'
            WHEN u.unit_level NOT IN ('TINH', 'SO_NGANH', 'HUYEN', 'XA') OR u.unit_level IS NULL
                THEN 'unknown_unit_level'
            ELSE 'unparseable_date' END,
       'MaDonVi=' || coalesce(u.unit_code, 'null') || ' CapDonVi=' || coalesce(u.unit_level, 'null')
           || ' HieuLucTu=' || coalesce(u.payload ->> 'HieuLucTu', 'null'),
       u.payload, %(run_id)s
FROM incoming_units u
WHERE u.unit_code IS NULL OR u.unit_name IS NULL
   OR u.unit_level IS NULL OR u.unit_level NOT IN ('TINH', 'SO_NGANH', 'HUYEN', 'XA')
   OR u.valid_from IS NULL OR (u.valid_to_text IS NOT NULL AND u.valid_to IS NULL);

INSERT INTO ref.units AS t (
    unit_code, valid_from, valid_to, unit_name, unit_level, parent_code, gso_code, first_seen_run)
SELECT DISTINCT ON (u.unit_code, u.valid_from)
    u.unit_code, u.valid_from, u.valid_to, u.unit_name, u.unit_level, u.parent_code, u.gso_code,
    %(run_id)s
FROM incoming_units u
WHERE u.unit_code IS NOT NULL AND u.unit_name IS NOT NULL
  AND u.unit_level IN ('TINH', 'SO_NGANH', 'HUYEN', 'XA')
  AND u.valid_from IS NOT NULL AND (u.valid_to_text IS NULL OR u.valid_to IS NOT NULL)
ORDER BY u.unit_code, u.valid_from
ON CONFLICT (unit_code, valid_from) DO UPDATE SET
    valid_to = EXCLUDED.valid_to,
    unit_name = EXCLUDED.unit_name,
    unit_level = EXCLUDED.unit_level,
    parent_code = EXCLUDED.parent_code,
    gso_code = EXCLUDED.gso_code,
    loaded_at = now()
WHERE (t.valid_to, t.unit_name, t.unit_level, t.parent_code, t.gso_code)
      IS DISTINCT FROM
      (EXCLUDED.valid_to, EXCLUDED.unit_name, EXCLUDED.unit_level, EXCLUDED.parent_code,
       EXCLUDED.gso_code);

-- A version listed again (and valid) leaves the delisted table: it is back in ref.units above.
DELETE FROM ref.units_delisted d
USING ref.units t
WHERE t.unit_code = d.unit_code AND t.valid_from = d.valid_from;

WITH gone AS (
    DELETE FROM ref.units t
    WHERE EXISTS (SELECT 1 FROM incoming_units WHERE unit_code IS NOT NULL AND valid_from IS NOT NULL)
      AND NOT EXISTS (
          SELECT 1 FROM incoming_units u
          WHERE u.unit_code = t.unit_code AND u.valid_from = t.valid_from)
    RETURNING t.*
)
INSERT INTO ref.units_delisted (
    unit_code, valid_from, valid_to, unit_name, unit_level, parent_code, gso_code,
    first_seen_run, loaded_at, delisted_run)
SELECT g.unit_code, g.valid_from, g.valid_to, g.unit_name, g.unit_level, g.parent_code,
       g.gso_code, g.first_seen_run, g.loaded_at, %(run_id)s
FROM gone g;
