-- The window's conformed records by disposition and deciding rule (temp table `conformed`).
SELECT disposition, final_rule, count(*) FROM conformed GROUP BY 1, 2;
