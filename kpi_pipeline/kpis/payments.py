"""The drill-down behind a red online payment rate: per week and unit, the procedures whose
dossiers were payable online but not paid online (`kpi.drilldown_payments_weekly`), and those
dossiers (`kpi.unpaid_online_dossiers_weekly`); counted by the weekly KPIs' own rules."""

from kpi_pipeline.kpis.assets import REF, WEEK_COUNTS, WEEK_STAGING, _deps, _rows, _window_asset
from kpi_pipeline.partitions import weekly_partitions

drilldown_payments_weekly = _window_asset(
    "drilldown_payments_weekly",
    weekly_partitions,
    "Per unit and week, the procedures with payment-eligible dossiers and how many were not paid online.",
    WEEK_COUNTS,
    _rows,
)
unpaid_online_dossiers_weekly = _window_asset(
    "unpaid_online_dossiers_weekly",
    weekly_partitions,
    "Payment-eligible dossiers received in the week that were not paid online, per unit.",
    _deps(WEEK_STAGING, REF),
    _rows,
)

ASSETS = [drilldown_payments_weekly, unpaid_online_dossiers_weekly]
