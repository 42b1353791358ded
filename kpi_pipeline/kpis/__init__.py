"""KPI tables, roll-ups, bands, drill-down and reconciliation (schema `kpi`)."""
