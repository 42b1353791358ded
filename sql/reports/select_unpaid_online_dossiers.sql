-- The dossiers behind a red online payment rate: for each given unit, the first N
-- dossiers received in the week, payable online and not paid online, and how many there are.
SELECT x.unit_code, x.ma_ho_so, x.procedure_code,
       coalesce(x.procedure_name, x.procedure_code) AS procedure_name,
       x.received_at, x.provincial_method, x.national_status, x.total
FROM (
    SELECT u.*,
           row_number() OVER (PARTITION BY u.unit_code ORDER BY u.received_at, u.ma_ho_so) AS n,
           count(*) OVER (PARTITION BY u.unit_code) AS total
    FROM kpi.unpaid_online_dossiers_weekly u
    WHERE u.period_start = %(period_start)s AND u.unit_code = ANY(%(units)s)
) x
WHERE x.n <= %(top)s
ORDER BY x.unit_code, x.n;
