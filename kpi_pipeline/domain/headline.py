"""The headline KPIs, once: their keys in report order and the count columns behind each rate.

Every unit and province row (kpi.unit_kpi_weekly/monthly, kpi-tables.md) carries, per headline
KPI, `<key>_rate`, `<key>_band` and the numerator/denominator counts named here; the reports,
the alert e-mails and the quality checks read this table instead of spelling the list again.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HeadlineKpi:
    key: str
    numerator: str  # count column: the dossiers that meet the KPI
    denominator: str  # count column: the dossiers the KPI is judged on

    @property
    def rate(self) -> str:
        return f"{self.key}_rate"

    @property
    def band(self) -> str:
        return f"{self.key}_band"


HEADLINE = (
    HeadlineKpi("on_time", "finished_on_time", "finished"),
    HeadlineKpi("online", "online_eligible_received_online", "online_eligible"),
    HeadlineKpi("online_payment", "paid_online", "payment_eligible"),
)
HEADLINE_KPIS = tuple(k.key for k in HEADLINE)


def headline_figures(row: object) -> list[tuple[str, object, object, object, object]]:
    """(key, rate, band, numerator, denominator) of each headline KPI of a unit/province row."""
    return [
        (
            k.key,
            getattr(row, k.rate),
            getattr(row, k.band),
            getattr(row, k.numerator),
            getattr(row, k.denominator),
        )
        for k in HEADLINE
    ]
