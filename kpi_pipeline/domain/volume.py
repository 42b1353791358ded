"""The minimum-volume rule (issue 15): too few dossiers to colour a KPI.

A KPI whose denominator has dossiers but fewer than the configured minimum (kpi.yaml
`min_volume`, default 5) is "low volume": the reports show "ít hồ sơ" instead of its colour,
and a unit none of whose headline KPIs is rated is left out of reds, rankings and alerts. The
contract bands are untouched; the KPI tables carry the rule in added columns, computed by the
SQL twins `kpi.low_volume` and `kpi.rated_overall_band` (sql/kpi/create_kpi_functions.sql).
"""

from __future__ import annotations

from kpi_pipeline.domain.bands import worst_band


def is_low_volume(denominator: int, minimum: int) -> bool:
    """0 < denominator < minimum: a zero denominator is "no data", not "low volume"."""
    return 0 < denominator < minimum


def rated_overall_band(*bands_and_flags: tuple[str | None, bool | None]) -> str | None:
    """The worst band of the (band, low_volume) pairs that are not low volume; None if none.

    A flag of None (a row computed before the rule existed) counts as rated.
    """
    return worst_band(*(b for b, low in bands_and_flags if not low))
