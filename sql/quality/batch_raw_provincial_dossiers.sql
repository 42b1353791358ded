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
FROM raw.provincial_dossiers r
WHERE r.partition_key BETWEEN %(first_key)s AND %(last_key)s
