-- The raw provincial dossiers of the partitions, the fields checked before conforming.
SELECT r.partition_key,
       r.payload ->> 'MaHoSo' AS ma_ho_so,
       r.payload ->> 'TrangThaiHoSo' AS status_text,
       r.payload ->> 'KenhThucHien' AS channel_text,
       r.payload ->> 'NgayCapNhat' AS updated_text
FROM raw.provincial_dossiers r
WHERE r.partition_key = ANY({keys})
