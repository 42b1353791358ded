-- The procedure catalogue from `incoming`, upserted by MaTTHC; bad records are quarantined.
CREATE TEMP TABLE incoming_procedures ON COMMIT DROP AS
SELECT
    i.payload,
    nullif(normalize(btrim(i.payload ->> 'MaTTHC'), NFC), '') AS procedure_code,
    nullif(normalize(btrim(i.payload ->> 'TenTTHC'), NFC), '') AS procedure_name,
    nullif(normalize(btrim(i.payload ->> 'MaLinhVuc'), NFC), '') AS field_code,
    nullif(normalize(btrim(i.payload ->> 'TenLinhVuc'), NFC), '') AS field_name,
    upper(btrim(i.payload ->> 'CapThucHien')) AS unit_level,
    CASE WHEN (i.payload ->> 'MucDo') ~ '^[0-9]$' THEN (i.payload ->> 'MucDo')::smallint END AS service_level,
    CASE WHEN jsonb_typeof(i.payload -> 'ToanTrinh') = 'boolean' THEN (i.payload ->> 'ToanTrinh')::boolean END AS fully_online,
    CASE WHEN jsonb_typeof(i.payload -> 'TichHopDVCQG') = 'boolean' THEN (i.payload ->> 'TichHopDVCQG')::boolean END AS integrated,
    CASE WHEN jsonb_typeof(i.payload -> 'CoPhiLePhi') = 'boolean' THEN (i.payload ->> 'CoPhiLePhi')::boolean END AS has_fee,
    CASE WHEN jsonb_typeof(i.payload -> 'ThanhToanTrucTuyen') = 'boolean' THEN (i.payload ->> 'ThanhToanTrucTuyen')::boolean END AS online_payment,
    CASE WHEN (i.payload ->> 'ThoiHanGiaiQuyet') ~ '^[0-9]{1,4}$' THEN (i.payload ->> 'ThoiHanGiaiQuyet')::int END AS processing_days,
    -- optional: the day the item's current values took effect (yyyyMMdd); bad when unparseable
    nullif(btrim(i.payload ->> 'HieuLucTu'), '') AS effective_text,
    (staging.parse_portal_ts(nullif(btrim(i.payload ->> 'HieuLucTu'), '') || '000000')
        AT TIME ZONE kpi.local_tz())::date AS effective_day
FROM incoming i;

INSERT INTO quarantine.records (source, partition_key, record_key, rule, detail, payload, run_id)
SELECT 'ref_procedures', 'reference', p.procedure_code,
       CASE WHEN p.procedure_code IS NULL OR p.procedure_name IS NULL THEN 'missing_key'
            WHEN p.service_level NOT IN (2, 3, 4) OR p.service_level IS NULL THEN 'unknown_service_level'
            WHEN p.unit_level IS NULL OR p.unit_level NOT IN ('TINH', 'HUYEN', 'XA') THEN 'unknown_unit_level'
            ELSE 'bad_field' END,
       'MaTTHC=' || coalesce(p.procedure_code, 'null') || ' MucDo=' || coalesce(p.payload ->> 'MucDo', 'null')
           || ' CapThucHien=' || coalesce(p.unit_level, 'null'),
       p.payload, %(run_id)s
FROM incoming_procedures p
WHERE p.procedure_code IS NULL OR p.procedure_name IS NULL
   OR p.service_level IS NULL OR p.service_level NOT IN (2, 3, 4)
   OR p.unit_level IS NULL OR p.unit_level NOT IN ('TINH', 'HUYEN', 'XA')
   OR p.fully_online IS NULL OR p.integrated IS NULL OR p.has_fee IS NULL
   OR p.online_payment IS NULL OR p.processing_days IS NULL
   OR (p.effective_text IS NOT NULL AND p.effective_day IS NULL);

INSERT INTO ref.procedures AS t (
    procedure_code, procedure_name, field_code, field_name, unit_level, service_level,
    fully_online, integrated, has_fee, online_payment, processing_days)
SELECT DISTINCT ON (p.procedure_code)
    p.procedure_code, p.procedure_name, p.field_code, p.field_name, p.unit_level, p.service_level,
    p.fully_online, p.integrated, p.has_fee, p.online_payment, p.processing_days
FROM incoming_procedures p
WHERE p.procedure_code IS NOT NULL AND p.procedure_name IS NOT NULL
  AND p.service_level IN (2, 3, 4) AND p.unit_level IN ('TINH', 'HUYEN', 'XA')
  AND p.fully_online IS NOT NULL AND p.integrated IS NOT NULL AND p.has_fee IS NOT NULL
  AND p.online_payment IS NOT NULL AND p.processing_days IS NOT NULL
  AND (p.effective_text IS NULL OR p.effective_day IS NOT NULL)
ORDER BY p.procedure_code
ON CONFLICT (procedure_code) DO UPDATE SET
    procedure_name = EXCLUDED.procedure_name, field_code = EXCLUDED.field_code,
    field_name = EXCLUDED.field_name, unit_level = EXCLUDED.unit_level,
    service_level = EXCLUDED.service_level, fully_online = EXCLUDED.fully_online,
    integrated = EXCLUDED.integrated, has_fee = EXCLUDED.has_fee,
    online_payment = EXCLUDED.online_payment, processing_days = EXCLUDED.processing_days,
    loaded_at = now()
WHERE (t.procedure_name, t.field_code, t.field_name, t.unit_level, t.service_level,
       t.fully_online, t.integrated, t.has_fee, t.online_payment, t.processing_days)
      IS DISTINCT FROM
      (EXCLUDED.procedure_name, EXCLUDED.field_code, EXCLUDED.field_name, EXCLUDED.unit_level,
       EXCLUDED.service_level, EXCLUDED.fully_online, EXCLUDED.integrated, EXCLUDED.has_fee,
       EXCLUDED.online_payment, EXCLUDED.processing_days);

-- Versions (ref.procedure_versions): a procedure whose level, integration, fee or payment
-- differs from its open version gets a new version from its effective day (HieuLucTu, else
-- today in local time; never on or before the open version's first day), the open one
-- closing the day before. A procedure's first version: from its HieuLucTu, else from the first
-- day of the data (2022-01-01) on the first catalogue load - the catalogue as first seen stands
-- for the past - and from today for a procedure that appears on a later load.
CREATE TEMP TABLE procedure_changes ON COMMIT DROP AS
SELECT n.*, o.valid_from AS open_from,
       CASE
           WHEN o.procedure_code IS NOT NULL
               THEN greatest(coalesce(n.effective_day,
                                      (now() AT TIME ZONE kpi.local_tz())::date),
                             o.valid_from + 1)
           WHEN n.effective_day IS NOT NULL THEN n.effective_day
           WHEN NOT EXISTS (SELECT 1 FROM ref.procedure_versions) THEN date '2022-01-01'
           ELSE (now() AT TIME ZONE kpi.local_tz())::date
       END AS new_from
FROM (
    SELECT r.*, e.effective_day
    FROM ref.procedures r
    LEFT JOIN (SELECT DISTINCT ON (procedure_code) procedure_code, effective_day
               FROM incoming_procedures ORDER BY procedure_code) e
           ON e.procedure_code = r.procedure_code
) n
LEFT JOIN ref.procedure_versions o
       ON o.procedure_code = n.procedure_code AND o.valid_to IS NULL
WHERE o.procedure_code IS NULL
   OR (o.unit_level, o.service_level, o.fully_online, o.integrated, o.has_fee, o.online_payment)
      IS DISTINCT FROM
      (n.unit_level, n.service_level, n.fully_online, n.integrated, n.has_fee, n.online_payment);

UPDATE ref.procedure_versions v
SET valid_to = c.new_from - 1
FROM procedure_changes c
WHERE v.procedure_code = c.procedure_code AND v.valid_to IS NULL AND c.open_from IS NOT NULL;

INSERT INTO ref.procedure_versions (
    procedure_code, valid_from, procedure_name, field_code, unit_level, service_level,
    fully_online, integrated, has_fee, online_payment, first_seen_run)
SELECT c.procedure_code, c.new_from, c.procedure_name, c.field_code, c.unit_level,
       c.service_level, c.fully_online, c.integrated, c.has_fee, c.online_payment, %(run_id)s
FROM procedure_changes c;
