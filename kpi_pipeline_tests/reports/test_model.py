from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.reports.model import (
    MET,
    MISSED,
    NO_DATA,
    PeakMonthReportData,
    PeakUnitResult,
    previous_peak_month,
)
from kpi_pipeline_tests.reports import samples


@pytest.mark.parametrize(
    "month, previous",
    [
        (date(2024, 6, 1), date(2024, 3, 1)),
        (date(2024, 9, 1), date(2024, 6, 1)),
        (date(2024, 12, 1), date(2024, 9, 1)),
        (date(2024, 3, 1), date(2023, 12, 1)),
        (date(2022, 3, 1), date(2021, 12, 1)),
    ],
)
def test_previous_peak_month(month, previous):
    assert previous_peak_month(month) == previous


def test_units_are_kept_in_report_order_whatever_the_input():
    report = samples.weekly_report()
    shuffled = replace(report, units=tuple(reversed(report.units)))
    assert [u.overall_band for u in shuffled.units] == [
        "red",
        "red",
        "orange",
        "orange",
        "yellow",
        "yellow",
        "green",
        "green",
        "green",
        None,
    ]
    # within a band: departments, districts, communes
    assert [u.unit_name for u in shuffled.units[:2]] == ["Huyện Nam Trà My", "Xã Trà Mai"]


def test_week_end_is_the_thursday_and_report_date_the_next_friday():
    report = samples.weekly_report()
    assert report.week_end == date(2024, 6, 13) and report.report_date == date(2024, 6, 14)


def test_heatmap_rows_must_cover_every_week():
    report = samples.weekly_report()
    bad = (replace(report.heatmap[0], bands=report.heatmap[0].bands[:-1]), *report.heatmap[1:])
    with pytest.raises(ValueError):
        replace(report, heatmap=bad)


def test_fingerprint_ignores_when_the_report_was_made():
    report = samples.weekly_report()
    later = replace(report, generated_at=datetime(2025, 1, 1, tzinfo=TZ))
    assert later.fingerprint() == report.fingerprint()
    changed = replace(
        report, units=tuple(replace(u, received=u.received + 1) for u in report.units)
    )
    assert changed.fingerprint() != report.fingerprint()


def test_peak_targets():
    def r(eligible, online, finished, late, subjective):
        return PeakUnitResult("X", "Xã X", "XA", None, eligible, online, finished, late, subjective)

    assert r(10, 10, 5, 0, 0).overall == MET
    assert r(10, 9, 5, 0, 0).online_target == MISSED
    assert r(10, 10, 5, 2, 0).late_target == MET  # late, but not for subjective reasons
    assert r(10, 10, 5, 2, 1).late_target == MISSED
    assert r(0, 0, 0, 0, 0).overall == NO_DATA
    assert r(0, 0, 3, 0, 0).overall == MET  # nothing online-eligible: the other target decides
    assert r(0, 0, 3, 1, 1).overall == MISSED


def test_peak_summary_counts_now_and_before():
    s = samples.peak_report().summary()
    assert s["online"] == {"met": 2, "missed": 2, "previous_met": 1}
    assert s["late"] == {"met": 2, "missed": 2, "previous_met": 1}
    assert s["all"] == {"met": 1, "missed": 3, "previous_met": 1}


def test_peak_report_is_only_for_peak_months():
    report = samples.peak_report()
    with pytest.raises(ValueError):
        PeakMonthReportData(date(2024, 5, 1), "49", "Tỉnh Quảng Nam", report.province, ())


def test_vietnamese_alphabetical_order():
    from kpi_pipeline.reports.labels import vi_sort_key

    names = [
        "Xã Đại Hiệp",
        "Xã Ân Phước",
        "Xã Duy Sơn",
        "Xã An Hòa",
        "Xã Ấp Bắc",
        "Xã Ăn Tân",
        "Xã Ea Tu",
        "Xã Ê Ban",
        "Xã Zơ Ngây",
        "Xã A",
    ]
    assert sorted(names, key=vi_sort_key) == [
        "Xã A",
        "Xã An Hòa",
        "Xã Ăn Tân",
        "Xã Ân Phước",
        "Xã Ấp Bắc",
        "Xã Duy Sơn",
        "Xã Đại Hiệp",
        "Xã Ea Tu",
        "Xã Ê Ban",
        "Xã Zơ Ngây",
    ]
