-- Conform the national payment transactions of %(keys)s into `ruled` (see conform_dossiers.sql,
-- also for the OFFSET 0 that ends each CTE, and for the
-- records the loader typed).
CREATE TEMP TABLE ruled ON COMMIT DROP AS
WITH untyped AS (  -- the records the loader did not type: their JSON, parsed once
    SELECT r.partition_key, r.ctid, r.run_id, r.payload::jsonb AS payload, r.content_hash
    FROM raw.national_payments r
    WHERE r.partition_key = ANY(%(keys)s) AND r.typed IS NOT TRUE
    OFFSET 0
),
parsed AS (
    SELECT
        r.partition_key,
        r.ctid AS raw_row,  -- the payload stays in raw: insert_quarantined.sql reads it back
        r.payload ->> 'MaGiaoDich' AS key_text,
        r.run_id,
        coalesce(r.content_hash, md5(r.payload::text)) AS content_hash,  -- jsonb's own text
        nullif(normalize(btrim(r.payload ->> 'MaGiaoDich'), NFC), '') AS transaction_id,
        nullif(normalize(btrim(r.payload ->> 'MaHoSo'), NFC), '') AS ma_ho_so,
        nullif(btrim(r.payload ->> 'SoTien'), '') AS amount_text,
        nullif(r.payload ->> 'NgayThanhToan', '') AS paid_text,
        upper(nullif(normalize(btrim(r.payload ->> 'TrangThai'), NFC), '')) AS status,
        r.payload ->> 'NgayCapNhat' AS updated_text
    FROM untyped r
    OFFSET 0
),
typed AS (
    SELECT
        p.*,
        staging.parse_portal_ts(p.paid_text) AS paid_at,
        staging.parse_portal_ts(p.updated_text) AS updated_at,
        CASE WHEN p.amount_text ~ '^[0-9]{1,18}$' THEN p.amount_text::bigint END AS amount
    FROM parsed p
    UNION ALL
    -- the records the loader typed (typed_fields.py): they break no rule here, so the texts
    -- only the details read stay null
    SELECT
        r.partition_key, r.ctid, NULL, r.run_id, r.content_hash, r.transaction_id, r.ma_ho_so,
        NULL, NULL, r.status, NULL,
        r.paid_local AT TIME ZONE kpi.local_tz(),
        r.updated_local AT TIME ZONE kpi.local_tz(),
        r.amount
    FROM raw.national_payments r
    WHERE r.partition_key = ANY(%(keys)s) AND r.typed
    OFFSET 0
),
rules AS (
    SELECT
        t.*,
        CASE
            WHEN t.transaction_id IS NULL OR t.ma_ho_so IS NULL THEN 'missing_key'
            WHEN t.updated_at IS NULL OR (t.paid_text IS NOT NULL AND t.paid_at IS NULL)
                THEN 'unparseable_date'
            WHEN t.status IS NULL OR t.status NOT IN ('THANH_CONG', 'THAT_BAI', 'HOAN_TIEN')
                THEN 'unknown_payment_status'
            WHEN t.amount_text IS NOT NULL AND t.amount IS NULL THEN 'bad_amount'
        END AS rule
    FROM typed t
    OFFSET 0
)
SELECT
    r.*,
    coalesce(r.transaction_id, r.key_text) AS record_key,
    CASE r.rule
        WHEN 'missing_key' THEN 'MaGiaoDich or MaHoSo is empty'
        WHEN 'unparseable_date' THEN 'a timestamp is not a valid yyyyMMddHHmmss: NgayCapNhat='
            || coalesce(r.updated_text, 'null') || ', NgayThanhToan=' || coalesce(r.paid_text, 'null')
        WHEN 'unknown_payment_status' THEN 'TrangThai=' || coalesce(r.status, 'null')
            || ' is not THANH_CONG, THAT_BAI or HOAN_TIEN'
        WHEN 'bad_amount' THEN 'SoTien=' || r.amount_text || ' is not a whole number of VND'
    END AS detail
FROM rules r
