-- Raw chiso records of this load and how many a later record superseded (temp table chiso_ruled).
SELECT count(*), count(*) FILTER (WHERE superseded) FROM chiso_ruled;
