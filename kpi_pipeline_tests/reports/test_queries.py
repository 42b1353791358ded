"""The query layer on hand-made rows in a real PostgreSQL database."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_pipeline.reports.model import MET, MISSED, NO_DATA
from kpi_pipeline.reports.queries import (
    MissingKpiData,
    peak_month_report_data,
    weekly_report_data,
)
from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.reports import scenario as S
from kpi_pipeline_tests.reports.warehouse_rows import at, ensure_kpi_tables

NOW = at(2024, 7, 1, 6)


@pytest.fixture
def weekly_db(database_url):
    with db.connect(database_url) as conn:
        S.load_weekly(conn)
        conn.commit()
        yield conn


@pytest.fixture
def peak_db(database_url):
    with db.connect(database_url) as conn:
        S.load_peak_months(conn)
        conn.commit()
        yield conn


def test_weekly_report_from_the_kpi_tables(weekly_db):
    r = weekly_report_data(weekly_db, S.WEEK, generated_at=NOW)
    assert r.province_name == "Tỉnh Quảng Nam" and r.province.unit_level == "TINH"
    # every unit but the province itself, worst first; the unit's own figures (scope unit)
    assert [(u.unit_code, u.overall_band) for u in r.units] == [
        (S.D[0], "red"),
        (S.C[0], "orange"),
        (S.SO[0], "green"),
        (S.E[0], None),
    ]
    d = r.units[0]
    assert (d.finished, d.finished_on_time, d.on_time_rate) == (10, 5, 0.5)
    assert r.units[1].parent_name == "Huyện Nam Trà My"
    assert r.province.received == 15 + 12 + 5  # the roll-up of every unit


def test_trend_has_12_weeks_with_gaps_where_no_data(weekly_db):
    r = weekly_report_data(weekly_db, S.WEEK, generated_at=NOW)
    assert [p.week_start for p in r.trend] == S.WEEKS[1:]
    assert [p.on_time_rate is None for p in r.trend] == [True, True] + [False] * 10
    assert r.trend[-1].on_time_rate == pytest.approx(r.province.on_time_rate)


def test_heatmap_is_units_by_13_weeks_in_hierarchy_order(weekly_db):
    r = weekly_report_data(weekly_db, S.WEEK, generated_at=NOW)
    assert r.heatmap_weeks == tuple(S.WEEKS)
    assert [h.unit_code for h in r.heatmap] == [S.SO[0], S.D[0], S.C[0], S.E[0]]
    rows = {h.unit_code: h.bands for h in r.heatmap}
    assert rows[S.D[0]] == tuple(["yellow", "green"] * 6) + ("red",)
    assert rows[S.C[0]] == (None, None, None) + ("green",) * 9 + ("orange",)
    assert rows[S.E[0]] == (None,) * 13
    assert rows[S.SO[0]] == ("green",) * 13


def test_drill_down_of_red_units_from_the_kpi_drilldown_tables(weekly_db):
    # the drill-down tables were computed from the scenario's staging dossiers by the KPI SQL
    r = weekly_report_data(weekly_db, S.WEEK, generated_at=NOW)
    assert [d.unit_code for d in r.drilldowns] == [S.D[0]]  # the orange unit is not drilled
    d = r.drilldowns[0]
    assert [(p.procedure_code, p.count, p.total) for p in d.late_procedures] == [
        (S.PROC_A[0], 3, 4),
        (S.PROC_B[0], 1, 1),
    ]
    assert d.late_procedures[0].procedure_name == "Đăng ký khai sinh"
    # received in the week for level-3/4 integrated procedures (not L); refused (status 3) is
    # not received; channel 2 is online. B: B1, B2, over-2, due-at-end in person, B3 online.
    assert [(p.procedure_code, p.count, p.total) for p in d.non_online_procedures] == [
        (S.PROC_B[0], 4, 5),
        (S.PROC_A[0], 1, 1),
    ]
    # open at Friday 14 June 00:00 and due before it; withdrawn excluded; due at the end is not
    # overdue; days overdue in working days to the week's last day, Thursday 13 June:
    # 15 weekdays - 3 June (BU) + 8 June (LAM_BU)
    assert [(o.ma_ho_so, o.days_overdue) for o in d.overdue_dossiers] == [
        ("D-over-1", 15),
        ("D-over-2", 1),
    ]
    assert d.overdue_total == 2


def test_a_week_without_kpi_rows_is_an_error_not_an_empty_report(weekly_db):
    with pytest.raises(MissingKpiData, match="2024-06-14"):
        weekly_report_data(weekly_db, date(2024, 6, 14), generated_at=NOW)


def test_june_against_march(peak_db):
    r = peak_month_report_data(peak_db, date(2024, 6, 1), generated_at=NOW)
    assert r.previous_month == date(2024, 3, 1)
    units = {row.unit_code: row for row in r.units}
    so, d, c = units[S.SO[0]], units[S.D[0]], units[S.C[0]]
    assert (so.current.online_target, so.current.late_target, so.current.overall) == (MET, MET, MET)
    assert so.current.finished_late == 1  # late for an objective reason: the target holds
    assert (so.previous.online_target, so.previous.late_target) == (MISSED, MISSED)
    assert so.online_rate_change == pytest.approx(2 / 20)
    assert (d.current.online_target, d.current.late_subjective) == (MISSED, 2)
    assert d.late_subjective_change == 2 and d.online_rate_change == pytest.approx(1 / 40)
    # nothing online-eligible, nothing finished late
    assert (c.current.online_target, c.current.late_target, c.current.overall) == (
        NO_DATA,
        MET,
        MET,
    )
    assert (r.province.late_subjective, r.province.finished_late) == (2, 3)
    assert r.province.online_eligible == 60 and r.previous_province.online_eligible == 60
    assert r.summary()["all"] == {"met": 2, "missed": 1, "previous_met": 1}


@pytest.mark.parametrize(
    "month, previous",
    [(date(2024, 12, 1), date(2024, 9, 1)), (date(2024, 3, 1), date(2023, 12, 1))],
)
def test_previous_peak_month_figures(peak_db, month, previous):
    r = peak_month_report_data(peak_db, month, generated_at=NOW)
    assert r.previous_month == previous
    so = next(row for row in r.units if row.unit_code == S.SO[0])
    assert so.previous.online_eligible_received_online == S.so_online(previous)
    assert r.previous_province.online_eligible_received_online == (
        S.so_online(previous) + S.d_online(previous)
    )


def test_first_peak_month_has_nothing_to_compare(database_url):
    with db.connect(database_url) as conn:
        S.load_peak_months(conn)
        conn.execute("DELETE FROM kpi.unit_kpi_monthly WHERE period_start = '2023-12-01'")
        r = peak_month_report_data(conn, date(2024, 3, 1), generated_at=NOW)
    assert r.previous_province is None and all(row.previous is None for row in r.units)
    assert r.summary()["online"]["previous_met"] is None


def test_missing_month_is_an_error(database_url):
    with db.connect(database_url) as conn:
        ensure_kpi_tables(conn)
        with pytest.raises(MissingKpiData):
            peak_month_report_data(conn, date(2024, 6, 1), generated_at=NOW)
