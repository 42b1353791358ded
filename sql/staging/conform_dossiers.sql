-- Conform the raw provincial dossiers of %(keys)s into the temp table `ruled`: one row per raw
-- record, typed, with the first rule it breaks (null when it passes). Text is NFC-normalised,
-- codes trimmed, timestamps parsed in local time (kpi.local_tz()). rank_conformed.sql takes it from there.
-- A record the loader typed (`typed`: kpi_pipeline/ingestion/typed_fields.py, plain fields that
-- break none of the rules below that read the record alone) brings its typed columns; the
-- others are read from the JSON here, as every record was before. The rules run on both.
-- Each CTE ends in OFFSET 0, which keeps it a subquery of its own: inlined, every reference
-- to one of its columns would evaluate the expression again (a timestamp parsed from the
-- jsonb up to four times, each parse reading the field eleven times): 4x the work.
CREATE TEMP TABLE ruled ON COMMIT DROP AS
WITH untyped AS (  -- the records the loader did not type: their JSON, parsed once
    SELECT r.partition_key, r.ctid, r.run_id, r.payload::jsonb AS payload, r.content_hash
    FROM raw.provincial_dossiers r
    WHERE r.partition_key = ANY(%(keys)s) AND r.typed IS NOT TRUE
    OFFSET 0
),
parsed AS (
    SELECT
        r.partition_key,
        r.ctid AS raw_row,  -- the payload stays in raw: insert_quarantined.sql reads it back
        r.payload ->> 'MaHoSo' AS key_text,
        CASE WHEN jsonb_typeof(r.payload -> 'ThanhToan') NOT IN ('object', 'null')
             THEN left(r.payload ->> 'ThanhToan', 40) END AS payment_text,
        r.run_id,
        coalesce(r.content_hash, md5(r.payload::text)) AS content_hash,  -- jsonb's own text
        nullif(normalize(btrim(r.payload ->> 'MaHoSo'), NFC), '') AS ma_ho_so,
        nullif(normalize(btrim(r.payload ->> 'MaTTHC'), NFC), '') AS procedure_code,
        nullif(normalize(btrim(r.payload ->> 'MaDonVi'), NFC), '') AS unit_code,
        btrim(r.payload ->> 'KenhThucHien') AS channel_text,
        btrim(r.payload ->> 'TrangThaiHoSo') AS status_text,
        r.payload ->> 'SoHoa' AS digitised_text,
        r.payload ->> 'NgayTiepNhan' AS received_text,
        r.payload ->> 'NgayHenTra' AS due_text,
        nullif(r.payload ->> 'NgayKetThucXuLy', '') AS finished_text,
        nullif(r.payload ->> 'NgayTra', '') AS returned_text,
        r.payload ->> 'NgayCapNhat' AS updated_text,
        CASE WHEN length(r.payload ->> 'LyDoTreHan') <= 500
             THEN nullif(normalize(btrim(r.payload ->> 'LyDoTreHan'), NFC), '') END AS late_reason,
        length(r.payload ->> 'LyDoTreHan') AS late_reason_length,
        jsonb_typeof(r.payload -> 'ThanhToan') AS payment_type,
        CASE WHEN jsonb_typeof(r.payload -> 'ThanhToan') = 'object' THEN r.payload -> 'ThanhToan' END
            AS payment
    FROM untyped r
    OFFSET 0
),
typed AS (
    SELECT
        p.*,
        staging.parse_portal_ts(p.received_text) AS received_at,
        staging.parse_portal_ts(p.due_text) AS due_at,
        staging.parse_portal_ts(p.finished_text) AS finished_at,
        staging.parse_portal_ts(p.returned_text) AS returned_at,
        staging.parse_portal_ts(p.updated_text) AS updated_at,
        staging.parse_portal_ts(nullif(p.payment ->> 'NgayThanhToan', '')) AS paid_at,
        CASE WHEN p.channel_text ~ '^[0-9]{1,2}$' THEN p.channel_text::smallint END AS channel,
        CASE WHEN p.status_text ~ '^[0-9]{1,2}$' THEN p.status_text::smallint END AS status,
        CASE lower(p.digitised_text) WHEN 'true' THEN true WHEN 'false' THEN false END AS digitised,
        nullif(normalize(btrim(p.payment ->> 'HinhThuc'), NFC), '') AS payment_method,
        CASE WHEN (p.payment ->> 'SoTien') ~ '^[0-9]{1,18}$' THEN (p.payment ->> 'SoTien')::bigint
            END AS payment_amount,
        nullif(normalize(btrim(p.payment ->> 'MaGiaoDich'), NFC), '') AS payment_tx
    FROM parsed p
    UNION ALL
    -- the typed records: the texts only the rules' details read stay null (the details of the
    -- rules that can still fire read them back from the payload, below)
    SELECT
        r.partition_key, r.ctid, NULL, NULL, r.run_id, r.content_hash, r.ma_ho_so,
        r.procedure_code, r.unit_code, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        r.late_reason, NULL, NULL, NULL,
        r.received_local AT TIME ZONE kpi.local_tz(),
        r.due_local AT TIME ZONE kpi.local_tz(),
        r.finished_local AT TIME ZONE kpi.local_tz(),
        r.returned_local AT TIME ZONE kpi.local_tz(),
        r.updated_local AT TIME ZONE kpi.local_tz(),
        r.paid_local AT TIME ZONE kpi.local_tz(),
        r.channel, r.status, r.digitised, r.payment_method, r.payment_amount, r.payment_tx
    FROM raw.provincial_dossiers r
    WHERE r.partition_key = ANY(%(keys)s) AND r.typed
    OFFSET 0
),
rules AS (
    SELECT
        t.*,
        CASE
            WHEN t.ma_ho_so IS NULL THEN 'missing_key'
            WHEN t.received_at IS NULL OR t.due_at IS NULL OR t.updated_at IS NULL
              OR (t.finished_text IS NOT NULL AND t.finished_at IS NULL)
              OR (t.returned_text IS NOT NULL AND t.returned_at IS NULL)
              OR (nullif(t.payment ->> 'NgayThanhToan', '') IS NOT NULL AND t.paid_at IS NULL)
                THEN 'unparseable_date'
            WHEN t.status IS NULL OR t.status NOT BETWEEN 1 AND 10 THEN 'unknown_status'
            WHEN t.channel IS NULL OR t.channel NOT IN (1, 2, 3) THEN 'unknown_channel'
            WHEN t.digitised IS NULL THEN 'bad_flag'
            -- no field is coerced out of sight: a wrongly typed payment or amount, or a late
            -- reason beyond any code's length, rejects the record with the field named
            WHEN t.payment_type NOT IN ('object', 'null') THEN 'bad_payment'
            WHEN t.payment ? 'SoTien' AND jsonb_typeof(t.payment -> 'SoTien') <> 'null'
             AND (t.payment ->> 'SoTien') !~ '^[0-9]{1,18}$' THEN 'bad_amount'
            WHEN t.late_reason_length > 500 THEN 'oversized_field'
            WHEN NOT EXISTS (SELECT 1 FROM ref.units u WHERE u.unit_code = t.unit_code)
                THEN 'unknown_unit'
            WHEN NOT EXISTS (SELECT 1 FROM ref.procedures pr WHERE pr.procedure_code = t.procedure_code)
                THEN 'unknown_procedure'
            WHEN t.finished_at < t.received_at THEN 'finished_before_received'
            WHEN t.due_at < t.received_at THEN 'due_before_received'
        END AS rule
    FROM typed t
    OFFSET 0
)
SELECT
    r.*,
    coalesce(r.ma_ho_so, r.key_text) AS record_key,
    CASE r.rule
        WHEN 'missing_key' THEN 'MaHoSo is empty'
        WHEN 'unparseable_date' THEN 'a timestamp is not a valid yyyyMMddHHmmss: NgayTiepNhan='
            || coalesce(r.received_text, 'null') || ', NgayHenTra=' || coalesce(r.due_text, 'null')
            || ', NgayKetThucXuLy=' || coalesce(r.finished_text, 'null')
            || ', NgayCapNhat=' || coalesce(r.updated_text, 'null')
        WHEN 'unknown_status' THEN 'TrangThaiHoSo=' || coalesce(r.status_text, 'null') || ' is not 1..10'
        WHEN 'unknown_channel' THEN 'KenhThucHien=' || coalesce(r.channel_text, 'null') || ' is not 1, 2 or 3'
        WHEN 'bad_flag' THEN 'SoHoa=' || coalesce(r.digitised_text, 'null') || ' is not a boolean'
        WHEN 'bad_payment' THEN 'ThanhToan is a ' || r.payment_type || ' ('
            || r.payment_text || '), not an object or null'
        WHEN 'bad_amount' THEN 'ThanhToan.SoTien=' || left(r.payment ->> 'SoTien', 40)
            || ' is not a whole, non-negative number of VND'
        WHEN 'oversized_field' THEN 'LyDoTreHan is ' || r.late_reason_length
            || ' characters long (at most 500)'
        WHEN 'unknown_unit' THEN 'MaDonVi ' || coalesce(r.unit_code, 'null') || ' is not in ref.units'
        WHEN 'unknown_procedure' THEN 'MaTTHC ' || coalesce(r.procedure_code, 'null') || ' is not in ref.procedures'
        WHEN 'finished_before_received' THEN 'NgayKetThucXuLy '
            || coalesce(r.finished_text, (SELECT x.payload::jsonb ->> 'NgayKetThucXuLy' FROM raw.provincial_dossiers x WHERE x.ctid = r.raw_row))
            || ' is before NgayTiepNhan '
            || coalesce(r.received_text, (SELECT x.payload::jsonb ->> 'NgayTiepNhan' FROM raw.provincial_dossiers x WHERE x.ctid = r.raw_row))
        WHEN 'due_before_received' THEN 'NgayHenTra '
            || coalesce(r.due_text, (SELECT x.payload::jsonb ->> 'NgayHenTra' FROM raw.provincial_dossiers x WHERE x.ctid = r.raw_row))
            || ' is before NgayTiepNhan '
            || coalesce(r.received_text, (SELECT x.payload::jsonb ->> 'NgayTiepNhan' FROM raw.provincial_dossiers x WHERE x.ctid = r.raw_row))
    END AS detail
FROM rules r
