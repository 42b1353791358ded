"""Drill-down: top procedures behind late / not-online dossiers; overdue lists with working days."""

from datetime import date, timedelta

import psycopg

from kpi_pipeline.domain.calendar import WorkingCalendar
from kpi_pipeline.kpis.assets import (
    drilldown_procedures_monthly,
    drilldown_procedures_weekly,
    overdue_dossiers_monthly,
    overdue_dossiers_weekly,
)
from kpi_pipeline_tests.kpis.helpers import query, run

WEEK = "2024-01-05"  # [Fri 2024-01-05, Fri 2024-01-12)


def test_top_procedures_by_late_and_not_online(seed, database_url):
    for p in ("PA", "PB", "PC"):
        seed.procedure(p)
    seed.procedure("P2", service_level=2)
    fin = dict(received="2024-01-02", due="2024-01-08 17:00:00")
    for i in range(3):
        seed.dossier(f"A{i}", "X1", "PA", finished="2024-01-09", **fin)  # late
    seed.dossier("B0", "X1", "PB", finished="2024-01-09", **fin)  # late
    seed.dossier("B1", "X1", "PB", finished="2024-01-08", **fin)  # on time
    seed.dossier("C0", "X2", "PC", finished="2024-01-10", **fin)  # late, other commune
    rcv = dict(received="2024-01-08", due="2024-01-30")
    seed.dossier("N1", "X1", "PB", channel=1, **rcv)
    seed.dossier("N2", "X1", "PB", channel=3, **rcv)
    seed.dossier("N3", "X1", "PC", channel=1, **rcv)
    seed.dossier("N4", "X1", "PC", channel=2, **rcv)  # online: not counted
    seed.dossier("N5", "X1", "P2", channel=1, **rcv)  # not online-eligible
    run(database_url, [drilldown_procedures_weekly], WEEK)
    rows = query(
        database_url,
        "SELECT unit_code, scope, procedure_code, finished_late, late_rank,"
        " online_eligible_not_online, not_online_rank, procedure_name"
        " FROM kpi.drilldown_procedures_weekly ORDER BY unit_code, scope, procedure_code",
    )
    x1 = {r["procedure_code"]: r for r in rows if (r["unit_code"], r["scope"]) == ("X1", "unit")}
    assert set(x1) == {"PA", "PB", "PC"}
    assert (x1["PA"]["finished_late"], x1["PA"]["late_rank"]) == (3, 1)
    assert (x1["PB"]["finished_late"], x1["PB"]["late_rank"]) == (1, 2)
    assert x1["PC"]["late_rank"] is None
    assert (x1["PB"]["online_eligible_not_online"], x1["PB"]["not_online_rank"]) == (2, 1)
    assert (x1["PC"]["online_eligible_not_online"], x1["PC"]["not_online_rank"]) == (1, 2)
    assert x1["PA"]["not_online_rank"] is None
    assert x1["PA"]["procedure_name"] == "Procedure PA"
    h1 = {r["procedure_code"]: r for r in rows if (r["unit_code"], r["scope"]) == ("H1", "rollup")}
    assert (h1["PA"]["finished_late"], h1["PB"]["finished_late"], h1["PC"]["finished_late"]) == (
        3,
        1,
        1,
    )
    assert (h1["PB"]["late_rank"], h1["PC"]["late_rank"]) == (2, 3)  # ties by procedure code
    assert not [r for r in rows if r["unit_code"] == "H2"]  # nothing to show


def test_top_n_is_configurable(seed, database_url, tmp_path):
    import yaml

    from kpi_pipeline.domain.kpi_config import DEFAULT_CONFIG_FILE

    data = yaml.safe_load(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"))
    data["drilldown"]["top_procedures"] = 1
    path = tmp_path / "kpi.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    for p in ("PA", "PB"):
        seed.procedure(p)
        seed.dossier(f"{p}1", "X1", p, "2024-01-02", "2024-01-08", finished="2024-01-09")
    seed.dossier("PB2", "X1", "PB", "2024-01-02", "2024-01-08", finished="2024-01-09")
    run(database_url, [drilldown_procedures_monthly], "2024-01-01", kpi_file=str(path))
    got = query(
        database_url,
        "SELECT procedure_code, late_rank FROM kpi.drilldown_procedures_monthly"
        " WHERE unit_code = 'X1' AND scope = 'unit'",
    )
    assert got == [{"procedure_code": "PB", "late_rank": 1}]


def test_overdue_days_are_working_days(seed, database_url):
    """Week ends Fri 2024-01-12 00:00: last day Thu 11. Due Fri 5: Sat 6, Sun 7 off, Mon 8 a
    holiday, then Tue 9, Wed 10, Thu 11 = 3 working days overdue."""
    seed.procedure("P3")
    seed.holiday("2024-01-08", "LE")
    seed.dossier("D1", "X1", "P3", "2024-01-02", "2024-01-05 10:00:00")
    seed.dossier("D2", "X3", "P3", "2024-01-02", "2024-01-11 08:00:00", status=6)  # 0 days
    seed.dossier("D3", "X1", "P3", "2024-01-02", "2024-01-05", status=7, updated="2024-01-06")
    seed.dossier("D4", "X1", "P3", "2024-01-02", "2024-01-12 00:00:00")  # due at the end: not yet
    seed.dossier("D5", "X1", "P3", "2024-01-02", "2024-01-05", finished="2024-01-12")  # open at end
    run(database_url, [overdue_dossiers_weekly], WEEK)
    rows = {
        r["ma_ho_so"]: r for r in query(database_url, "SELECT * FROM kpi.overdue_dossiers_weekly")
    }
    assert set(rows) == {"D1", "D2", "D5"}
    assert rows["D1"]["days_overdue"] == 3
    assert rows["D2"]["days_overdue"] == 0
    assert (rows["D1"]["parent_code"], rows["D2"]["parent_code"]) == ("H1", "H2")
    assert rows["D2"]["status"] == 6 and rows["D1"]["procedure_name"] == "Procedure P3"


def test_working_saturday_counts(seed, database_url):
    seed.procedure("P3")
    seed.holiday("2024-01-06", "LAM_BU")
    seed.holiday("2024-01-08", "BU")
    seed.dossier("D1", "X1", "P3", "2024-01-02", "2024-01-05 10:00:00")
    run(database_url, [overdue_dossiers_monthly], "2024-01-01")  # to Wed 2024-01-31
    (row,) = query(database_url, "SELECT * FROM kpi.overdue_dossiers_monthly")
    cal = WorkingCalendar({date(2024, 1, 6): "LAM_BU", date(2024, 1, 8): "BU"})
    assert row["days_overdue"] == cal.working_days_between(date(2024, 1, 5), date(2024, 1, 31))
    assert row["days_overdue"] == 18  # 6, 9-12, 15-19, 22-26, 29-31


def test_sql_working_days_agree_with_the_calendar(seed, database_url):
    days = {
        date(2024, 2, 8): "LE",
        date(2024, 2, 9): "LE",
        date(2024, 2, 12): "BU",
        date(2024, 2, 17): "LAM_BU",
        date(2024, 4, 29): "BU",
        date(2024, 4, 30): "LE",
    }
    for d, kind in days.items():
        seed.holiday(d.isoformat(), kind)
    cal = WorkingCalendar(days)
    start = date(2024, 2, 1)
    pairs = [
        (start + timedelta(days=a), start + timedelta(days=a + n))
        for a in range(0, 90, 7)
        for n in (-1, 0, 1, 3, 6, 13, 40)
    ]
    with psycopg.connect(database_url) as conn:
        for a, b in pairs:
            (got,) = conn.execute("SELECT kpi.working_days_between(%s, %s)", (a, b)).fetchone()
            assert got == cal.working_days_between(a, b), (a, b)
