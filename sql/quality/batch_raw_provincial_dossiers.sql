-- Raw provincial records of the checked weeks: the fields staging cannot do without, as text.
-- Missing fields become '' so that a renamed or dropped field fails the set and format rules.
SELECT
    r.partition_key,
    r.page,
    nullif(btrim(r.payload ->> 'MaHoSo'), '') AS ma_ho_so,
    coalesce(btrim(r.payload ->> 'TrangThaiHoSo'), '') AS trang_thai_ho_so,
    coalesce(btrim(r.payload ->> 'KenhThucHien'), '') AS kenh_thuc_hien,
    coalesce(r.payload ->> 'NgayTiepNhan', '') AS ngay_tiep_nhan,
    coalesce(r.payload ->> 'NgayCapNhat', '') AS ngay_cap_nhat
FROM (
    SELECT partition_key, page, payload::jsonb AS payload  -- the JSON is kept as text
    FROM raw.provincial_dossiers
    WHERE partition_key BETWEEN %(first_key)s AND %(last_key)s
    OFFSET 0
) r
