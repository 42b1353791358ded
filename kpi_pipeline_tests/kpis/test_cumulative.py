"""kpi.unit_kpi_cumulative against hand counts: a quarter and a year to date are each one
period (a dossier received in one month and finished in another counts once; the backlog is
the period end's; procedures are distinct over the period), beside the same period a year
before; and the pure rule of which periods and maps a month holds."""

from datetime import date

import pytest

from kpi_pipeline.domain.cumulative import cumulative_periods, months_of
from kpi_pipeline.domain.provinces import REFORM_DAY
from kpi_pipeline.kpis.assets import unit_kpi_monthly
from kpi_pipeline.kpis.compute import PeriodRange
from kpi_pipeline.kpis.cumulative import unit_kpi_cumulative, window_periods
from kpi_pipeline_tests.kpis.helpers import COUNTS, query, run

MAY = "2024-05-01"


def _rows(url: str) -> dict:
    rows = query(
        url,
        "SELECT * FROM kpi.unit_kpi_cumulative WHERE unit_code = '49' AND scope = 'rollup'"
        " AND unit_map = 'as_then'",
    )
    return {(r["period_kind"], r["year_offset"]): r for r in rows}


def test_quarter_and_year_to_date_against_hand_counts(seed, database_url):
    seed.procedure("P3")
    seed.procedure("P4", service_level=4, has_fee=True, online_payment=True)
    # 2024: A received in January, finished on time in April; B received in May, open and
    # overdue at 1 June; C received and finished late (subjective) in Q1; F after May
    seed.dossier("A", "X1", "P3", "2024-01-10", "2024-04-20", finished="2024-04-15")
    seed.dossier("B", "X2", "P3", "2024-05-02", "2024-05-10", status=4)
    seed.dossier(
        "C",
        "X1",
        "P3",
        "2024-02-01",
        "2024-02-10",
        finished="2024-03-01",
        status=10,
        late_reason="CHU_QUAN",
    )
    seed.dossier("F", "X1", "P3", "2024-06-03", "2024-06-10")
    # 2023: D online in Q2, finished at once; E paid online in February, still open (overdue
    # at the end of every period since)
    seed.dossier("D", "X3", "P3", "2023-04-05", "2023-04-10", finished="2023-04-06", channel=2)
    seed.dossier("E", "SO1", "P4", "2023-02-01", "2023-02-10", payment_method="TRUC_TUYEN")
    seed.payment("T1", "E", "THANH_CONG", "2023-02-02")

    run(database_url, [unit_kpi_cumulative], MAY)
    got = _rows(database_url)
    assert set(got) == {("quarter", 0), ("quarter", -1), ("year_to_date", 0), ("year_to_date", -1)}
    zero = dict.fromkeys(COUNTS, 0)
    expected = {
        ("year_to_date", 0): {
            **zero,
            "received": 3,
            "online_eligible": 3,
            "finished": 2,
            "finished_on_time": 1,
            "overdue_open": 2,
        },
        ("quarter", 0): {
            **zero,
            "received": 1,
            "online_eligible": 1,
            "finished": 1,
            "finished_on_time": 1,
            "overdue_open": 2,
        },
        ("year_to_date", -1): {
            **zero,
            "received": 2,
            "received_online": 1,
            "online_eligible": 2,
            "online_eligible_received_online": 1,
            "finished": 1,
            "finished_on_time": 1,
            "payment_eligible": 1,
            "paid_online": 1,
            "overdue_open": 1,
        },
        ("quarter", -1): {
            **zero,
            "received": 1,
            "received_online": 1,
            "online_eligible": 1,
            "online_eligible_received_online": 1,
            "finished": 1,
            "finished_on_time": 1,
            "overdue_open": 1,
        },
    }
    assert {k: {c: r[c] for c in COUNTS} for k, r in got.items()} == expected
    ytd, q = got[("year_to_date", 0)], got[("quarter", 0)]
    assert (ytd["period_start"], ytd["period_end"], ytd["complete"]) == (
        date(2024, 1, 1),
        date(2024, 6, 1),
        False,
    )
    assert (q["period_start"], q["period_end"]) == (date(2024, 4, 1), date(2024, 6, 1))
    assert got[("quarter", -1)]["period_start"] == date(2023, 4, 1)
    assert ytd["finished_late_subjective"] == 1 and ytd["on_time_rate"] == 0.5
    # X1 received two P3 dossiers in two months: one distinct procedure over the period
    x1 = query(
        database_url,
        "SELECT procedures_received FROM kpi.unit_kpi_cumulative WHERE unit_code = 'X1'"
        " AND scope = 'unit' AND period_kind = 'year_to_date' AND year_offset = 0",
    )
    assert x1 == [{"procedures_received": 1}]

    # the flows of the quarter equal the sum of its months' (same rules), the backlog the last's
    run(database_url, [unit_kpi_monthly], start="2024-04-01", end=MAY)
    months = query(
        database_url,
        "SELECT sum(received) AS received, sum(finished) AS finished,"
        " sum(overdue_open) FILTER (WHERE period_start = %s) AS overdue_open"
        " FROM kpi.unit_kpi_monthly WHERE unit_code = '49' AND scope = 'rollup'",
        (date(2024, 5, 1),),
    )[0]
    assert months == {k: q[k] for k in ("received", "finished", "overdue_open")}

    # a rerun replaces the month's rows with the same ones
    before = query(database_url, "SELECT count(*) AS n FROM kpi.unit_kpi_cumulative")
    run(database_url, [unit_kpi_cumulative], MAY)
    assert query(database_url, "SELECT count(*) AS n FROM kpi.unit_kpi_cumulative") == before
    assert {k: {c: r[c] for c in COUNTS} for k, r in _rows(database_url).items()} == expected


def test_periods_of_a_month():
    june = {(p.kind, p.year_offset): p for p in cumulative_periods(date(2024, 6, 1), REFORM_DAY)}
    assert (june[("quarter", 0)].start, june[("quarter", 0)].end) == (
        date(2024, 4, 1),
        date(2024, 7, 1),
    )
    assert june[("quarter", 0)].complete and not june[("year_to_date", 0)].complete
    assert june[("year_to_date", -1)].start == date(2023, 1, 1)
    assert {p.unit_map for p in june.values()} == {"as_then"}
    assert cumulative_periods(date(2024, 12, 1), REFORM_DAY)[2].complete  # the whole year


def test_a_comparison_across_the_reform_is_on_todays_map_too():
    def maps(anchor):
        out = {}
        for p in cumulative_periods(anchor, REFORM_DAY):
            out.setdefault(p.kind, set()).add(p.unit_map)
        return out

    # Aug 2025: the year to date crosses 1 July; the quarter (Jul-Aug) compared with 2024's
    assert maps(date(2025, 8, 1)) == {
        "quarter": {"as_then", "current"},
        "year_to_date": {"as_then", "current"},
    }
    # May 2026 against May 2025: Q2 2025 was before the reform
    assert maps(date(2026, 5, 1))["quarter"] == {"as_then", "current"}
    # Q3 2026 against Q3 2025: both on the new map
    assert maps(date(2026, 9, 1))["quarter"] == {"as_then"}
    assert maps(date(2025, 3, 1)) == {"quarter": {"as_then"}, "year_to_date": {"as_then"}}


def test_periods_before_the_history_start_are_skipped():
    window = PeriodRange(date(2022, 2, 1), date(2022, 4, 1), "month")
    kept, skipped = window_periods(window, date(2021, 12, 31))
    assert months_of(window.start, window.end) == [date(2022, 2, 1), date(2022, 3, 1)]
    assert {(p.anchor_month, p.year_offset) for p in kept} == {
        (date(2022, 2, 1), 0),
        (date(2022, 3, 1), 0),
    }
    assert all(p.year_offset == -1 for p in skipped) and len(skipped) == 4


def test_an_unknown_kind_or_a_mid_month_anchor_is_refused():
    with pytest.raises(ValueError, match="not a 1st"):
        cumulative_periods(date(2024, 5, 2), REFORM_DAY)


def test_every_period_counted_from_its_months_equals_its_dossiers_counted_at_once(
    seed, database_url
):
    """The table sums each period's events from its months; the row function over the whole
    period (its dossiers read at once) must give the same rows, on both maps, including a
    unit whose only event in the period was being overdue at an earlier month's end."""
    from kpi_pipeline.config_files import ConfigFilesResource

    seed.unit("H9", "HUYEN", "49", valid_to="2025-06-30")
    seed.unit("X8", "XA", "H9", valid_to="2025-06-30")
    seed.unit("X9", "XA", "H9", valid_to="2025-06-30")
    seed.unit("W9", "XA", "49", valid_from="2025-07-01")
    seed.conn.execute(
        "INSERT INTO ref.unit_current_map (unit_code, current_unit_code, lineage_partial)"
        " VALUES ('H9', 'W9', false), ('X8', 'W9', true), ('X9', 'W9', false)"
    )
    seed.procedure("P3")
    seed.procedure("P4", service_level=4, has_fee=True, online_payment=True)
    # H: received in 2024, overdue at the end of January and February 2025, withdrawn in
    # March (no finished event): no event in the year to date through August 2025
    seed.dossier("H", "X8", "P4", "2024-12-10", "2024-12-20", status=7, updated="2025-03-05")
    # G: received in April, overdue at the end of April, finished late in May
    seed.dossier("G", "X9", "P3", "2025-04-02", "2025-04-20", finished="2025-05-10")
    # K: received in June, open and overdue at the end of every month since
    seed.dossier("K", "X9", "P4", "2025-06-03", "2025-06-10", payment_method="TRUC_TUYEN")
    seed.payment("T2", "K", "THANH_CONG", "2025-06-04")
    # L, M: after the reform, received online at the new ward, one finished in the quarter
    seed.dossier("L", "W9", "P3", "2025-07-02", "2025-07-20", finished="2025-07-10", channel=2)
    seed.dossier("M", "W9", "P4", "2025-08-05", "2025-08-25", digitised=True)
    # the year before: N received in February 2024 and finished in July 2024
    seed.dossier("N", "X8", "P3", "2024-02-05", "2024-03-01", finished="2024-07-03")

    run(database_url, [unit_kpi_cumulative], "2025-08-01")
    cfg = ConfigFilesResource().kpi().sql_json()
    columns = (
        "unit_map, unit_code, unit_name, unit_level, parent_code, scope, "
        + ", ".join(COUNTS)
        + ", on_time_rate, online_rate, online_payment_rate, digitisation_rate, on_time_band,"
        " online_band, online_payment_band, overall_band, finished_late_subjective,"
        " procedures_received, procedures_level4, level4_share, level4_band,"
        " digitisation_band, lineage_partial"
    )
    periods = query(
        database_url,
        "SELECT DISTINCT period_kind, year_offset, unit_map, period_start, period_end"
        " FROM kpi.unit_kpi_cumulative",
    )
    assert {p["unit_map"] for p in periods} == {"as_then", "current"}  # crosses the reform
    assert len(periods) == 8
    for p in periods:
        stored = query(
            database_url,
            f"SELECT {columns} FROM kpi.unit_kpi_cumulative WHERE period_kind = %s"
            " AND year_offset = %s AND unit_map = %s ORDER BY unit_code, scope",
            (p["period_kind"], p["year_offset"], p["unit_map"]),
        )
        direct = query(
            database_url,
            f"SELECT {columns} FROM kpi.unit_kpi_event_map_rows(%s, %s,"
            " make_interval(days => %s::date - %s::date), %s::jsonb, ARRAY[%s], NULL)"
            " ORDER BY unit_code, scope",
            (
                p["period_start"],
                p["period_end"],
                p["period_end"],
                p["period_start"],
                cfg,
                p["unit_map"],
            ),
        )
        assert stored == direct, p
        assert any(r["received"] or r["finished"] or r["overdue_open"] for r in stored), p
    # W9 on today's map over the year to date: partial only through X8, whose dossier H had
    # no event in the period
    w1 = query(
        database_url,
        "SELECT lineage_partial, overdue_open FROM kpi.unit_kpi_cumulative WHERE unit_code = 'W9'"
        " AND scope = 'unit' AND unit_map = 'current' AND period_kind = 'year_to_date'"
        " AND year_offset = 0",
    )
    assert w1 == [{"lineage_partial": False, "overdue_open": 2}]
