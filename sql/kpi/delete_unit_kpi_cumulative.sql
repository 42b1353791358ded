DELETE FROM kpi.unit_kpi_cumulative
WHERE anchor_month >= %(start)s::date AND anchor_month < %(end)s::date;
