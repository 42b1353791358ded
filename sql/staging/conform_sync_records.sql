-- Conform the national sync records of %(keys)s into `ruled` (see conform_dossiers.sql,
-- also for the OFFSET 0 that ends each CTE, and for the
-- records the loader typed).
-- The national copy may reference units or procedures the province does not know: that is
-- for reconciliation to report, not a reason to reject the record.
CREATE TEMP TABLE ruled ON COMMIT DROP AS
WITH untyped AS (  -- the records the loader did not type: their JSON, parsed once
    SELECT r.partition_key, r.ctid, r.run_id, r.payload::jsonb AS payload, r.content_hash
    FROM raw.national_sync r
    WHERE r.partition_key = ANY(%(keys)s) AND r.typed IS NOT TRUE
    OFFSET 0
),
parsed AS (
    SELECT
        r.partition_key,
        r.ctid AS raw_row,  -- the payload stays in raw: insert_quarantined.sql reads it back
        r.payload ->> 'MaHoSo' AS key_text,
        r.run_id,
        coalesce(r.content_hash, md5(r.payload::text)) AS content_hash,  -- jsonb's own text
        nullif(normalize(btrim(r.payload ->> 'MaHoSo'), NFC), '') AS ma_ho_so,
        nullif(normalize(btrim(r.payload ->> 'MaTTHC'), NFC), '') AS procedure_code,
        nullif(normalize(btrim(r.payload ->> 'MaDonVi'), NFC), '') AS unit_code,
        nullif(btrim(r.payload ->> 'TrangThaiHoSo'), '') AS status_text,
        nullif(btrim(r.payload ->> 'KenhThucHien'), '') AS channel_text,
        nullif(r.payload ->> 'NgayTiepNhan', '') AS received_text,
        nullif(r.payload ->> 'NgayHenTra', '') AS due_text,
        nullif(r.payload ->> 'NgayKetThucXuLy', '') AS finished_text,
        nullif(r.payload ->> 'NgayDongBo', '') AS synced_text,
        r.payload ->> 'NgayCapNhat' AS updated_text
    FROM untyped r
    OFFSET 0
),
typed AS (
    SELECT
        p.*,
        staging.parse_portal_ts(p.received_text) AS received_at,
        staging.parse_portal_ts(p.due_text) AS due_at,
        staging.parse_portal_ts(p.finished_text) AS finished_at,
        staging.parse_portal_ts(p.synced_text) AS synced_at,
        staging.parse_portal_ts(p.updated_text) AS updated_at,
        CASE WHEN p.status_text ~ '^[0-9]{1,2}$' THEN p.status_text::smallint END AS status,
        CASE WHEN p.channel_text ~ '^[0-9]{1,2}$' THEN p.channel_text::smallint END AS channel
    FROM parsed p
    UNION ALL
    -- the records the loader typed (typed_fields.py): they break no rule here, so the texts
    -- only the details read stay null
    SELECT
        r.partition_key, r.ctid, NULL, r.run_id, r.content_hash, r.ma_ho_so, r.procedure_code,
        r.unit_code, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        r.received_local AT TIME ZONE kpi.local_tz(),
        r.due_local AT TIME ZONE kpi.local_tz(),
        r.finished_local AT TIME ZONE kpi.local_tz(),
        r.synced_local AT TIME ZONE kpi.local_tz(),
        r.updated_local AT TIME ZONE kpi.local_tz(),
        r.status, r.channel
    FROM raw.national_sync r
    WHERE r.partition_key = ANY(%(keys)s) AND r.typed
    OFFSET 0
),
rules AS (
    SELECT
        t.*,
        CASE
            WHEN t.ma_ho_so IS NULL THEN 'missing_key'
            WHEN t.updated_at IS NULL
              OR (t.received_text IS NOT NULL AND t.received_at IS NULL)
              OR (t.due_text IS NOT NULL AND t.due_at IS NULL)
              OR (t.finished_text IS NOT NULL AND t.finished_at IS NULL)
              OR (t.synced_text IS NOT NULL AND t.synced_at IS NULL)
                THEN 'unparseable_date'
            WHEN t.status_text IS NOT NULL AND (t.status IS NULL OR t.status NOT BETWEEN 1 AND 10)
                THEN 'unknown_status'
            WHEN t.channel_text IS NOT NULL AND (t.channel IS NULL OR t.channel NOT IN (1, 2, 3))
                THEN 'unknown_channel'
        END AS rule
    FROM typed t
    OFFSET 0
)
SELECT
    r.*,
    coalesce(r.ma_ho_so, r.key_text) AS record_key,
    CASE r.rule
        WHEN 'missing_key' THEN 'MaHoSo is empty'
        WHEN 'unparseable_date' THEN 'a timestamp is not a valid yyyyMMddHHmmss: NgayCapNhat='
            || coalesce(r.updated_text, 'null') || ', NgayDongBo=' || coalesce(r.synced_text, 'null')
        WHEN 'unknown_status' THEN 'TrangThaiHoSo=' || r.status_text || ' is not 1..10'
        WHEN 'unknown_channel' THEN 'KenhThucHien=' || r.channel_text || ' is not 1, 2 or 3'
    END AS detail
FROM rules r
