"""Counting rules, roll-ups, ranges and reruns of kpi.unit_kpi_weekly / unit_kpi_monthly,
through real materialisations on hand-made staging rows."""

from datetime import date
from decimal import Decimal

from kpi_pipeline.kpis.assets import unit_kpi_monthly, unit_kpi_weekly
from kpi_pipeline_tests.kpis.helpers import COUNTS, counts, kpi_row, query, run

W = "unit_kpi_weekly"
M = "unit_kpi_monthly"
WEEK = "2024-01-05"  # Friday; the week is [2024-01-05 00:00, 2024-01-12 00:00)
NEXT = "2024-01-12"


def _std_procedures(seed):
    seed.procedure("P3")  # level 3, integrated: online-eligible
    seed.procedure("P2", service_level=2)  # not online-eligible
    seed.procedure("P3X", integrated=False)  # level 3 but not integrated
    seed.procedure("P4", service_level=4, has_fee=True, online_payment=True)
    seed.procedure("PFEE", has_fee=True, online_payment=False)


def test_week_boundaries_friday_midnight_opens_the_new_week(seed, database_url):
    _std_procedures(seed)
    seed.dossier("THU", "X1", "P3", "2024-01-11 23:59:59", "2024-01-20")
    seed.dossier("FRI", "X1", "P3", "2024-01-12 00:00:00", "2024-01-20")
    seed.dossier("FIN_THU", "X1", "P3", "2024-01-01", "2024-01-30", finished="2024-01-11 23:59:59")
    seed.dossier("FIN_FRI", "X1", "P3", "2024-01-01", "2024-01-30", finished="2024-01-12 00:00:00")
    run(database_url, [unit_kpi_weekly], WEEK)
    run(database_url, [unit_kpi_weekly], NEXT)
    old, new = kpi_row(database_url, W, WEEK, "X1"), kpi_row(database_url, W, NEXT, "X1")
    assert (old["received"], old["finished"]) == (1, 1)
    assert (new["received"], new["finished"]) == (1, 1)


def test_counting_rules(seed, database_url):
    _std_procedures(seed)
    r = "2024-01-08 09:00:00"
    seed.dossier("ON1", "X1", "P3", r, "2024-01-20", channel=2, digitised=True)
    seed.dossier("OFF1", "X1", "P3", r, "2024-01-20", channel=1)
    seed.dossier("POST1", "X1", "P3", r, "2024-01-20", channel=3, digitised=True)
    seed.dossier("L2ONLINE", "X1", "P2", r, "2024-01-20", channel=2)  # online, not eligible
    seed.dossier("NOTINT", "X1", "P3X", r, "2024-01-20", channel=2)  # online, not eligible
    seed.dossier("REFUSED", "X1", "P3", r, "2024-01-09", status=3, channel=2)  # not received
    seed.dossier("WITHDRAWN", "X1", "P3", r, "2024-01-09", status=7, updated="2024-01-10")
    seed.dossier("SUSPENDED", "X1", "P3", r, "2024-01-09", status=8, updated="2024-01-10")
    seed.dossier("OVERDUE", "X1", "P3", r, "2024-01-09 09:00:00", status=5)  # waiting, open
    # finished at exactly NgayHenTra is on time; one second later is late
    seed.dossier(
        "ONTIME", "X1", "P3", "2024-01-02", "2024-01-10 10:00:00", finished="2024-01-10 10:00:00"
    )
    seed.dossier(
        "LATE",
        "X1",
        "P3",
        "2024-01-02",
        "2024-01-10 10:00:00",
        finished="2024-01-10 10:00:01",
        status=10,
        late_reason="CHU_QUAN",
    )
    # finished date without status 9/10 is not finished
    seed.dossier("STOPPED", "X1", "P3", "2024-01-02", "2024-01-30", finished="2024-01-10", status=7)
    run(database_url, [unit_kpi_weekly], WEEK)
    row = kpi_row(database_url, W, WEEK, "X1")
    assert counts(row) == {
        "received": 8,  # all but REFUSED
        "received_online": 3,  # ON1, L2ONLINE, NOTINT
        "online_eligible": 6,  # P3 dossiers received: ON1 OFF1 POST1 WITHDRAWN SUSPENDED OVERDUE
        "online_eligible_received_online": 1,
        "finished": 2,
        "finished_on_time": 1,
        "payment_eligible": 0,
        "paid_online": 0,
        "digitised": 2,
        "overdue_open": 1,  # only OVERDUE: refused, withdrawn, suspended are not
    }
    assert row["finished_late_subjective"] == 1
    assert row["on_time_rate"] == 0.5
    assert round(row["online_rate"], 12) == round(Decimal(1) / 6, 12)
    assert row["digitisation_rate"] == 0.25
    assert row["online_payment_rate"] is None and row["online_payment_band"] is None
    assert (row["on_time_band"], row["online_band"], row["overall_band"]) == ("red", "red", "red")
    assert row["unit_name"] == "Unit X1" and row["unit_level"] == "XA"
    assert row["parent_code"] == "H1"


def test_overdue_follows_the_status_at_the_window_end(seed, database_url):
    """Open while overdue counts in every period; a later withdrawal does not erase that."""
    seed.procedure("P3")
    seed.dossier("D", "X1", "P3", "2024-01-02", "2024-01-08", status=7, updated="2024-01-16")
    seed.dossier("LATE", "X1", "P3", "2024-01-02", "2024-01-08", finished="2024-01-23")
    run(database_url, [unit_kpi_weekly], start="2024-01-05", end="2024-01-19")
    got = {
        r["period_start"].isoformat(): (r["overdue_open"], r["finished"])
        for r in query(
            database_url,
            "SELECT * FROM kpi.unit_kpi_weekly WHERE unit_code = 'X1' AND scope = 'unit'",
        )
    }
    assert got == {
        "2024-01-05": (2, 0),  # both open and overdue at 2024-01-12 00:00
        "2024-01-12": (1, 0),  # D withdrawn on the 16th; LATE still open
        "2024-01-19": (0, 1),  # LATE finished (late) this week
    }


def test_latest_version_counts(seed, database_url):
    seed.procedure("P3")
    seed.dossier("D", "X1", "P3", "2024-01-08", "2024-01-10", channel=1)
    run(database_url, [unit_kpi_weekly], WEEK)
    before = kpi_row(database_url, W, WEEK, "X1")
    assert (before["online_eligible_received_online"], before["overdue_open"]) == (0, 1)
    # a later version (changed after the week) says: received online, finished late
    seed.dossier(
        "D",
        "X1",
        "P3",
        "2024-01-08",
        "2024-01-10",
        channel=2,
        finished="2024-01-11",
        updated="2024-02-01",
    )
    run(database_url, [unit_kpi_weekly], WEEK)
    after = kpi_row(database_url, W, WEEK, "X1")
    assert (after["online_eligible_received_online"], after["finished"]) == (1, 1)
    assert (after["finished_on_time"], after["overdue_open"]) == (0, 0)


def test_unit_without_dossiers_has_rows_with_zeros_and_no_colour(seed, database_url):
    seed.procedure("P3")
    seed.dossier("D", "X1", "P3", "2024-01-08", "2024-01-20")
    run(database_url, [unit_kpi_weekly], WEEK)
    units = query(database_url, "SELECT unit_code, scope FROM kpi.unit_kpi_weekly")
    assert len(units) == 2 * 8  # every valid unit, both scopes
    for scope in ("unit", "rollup"):
        row = kpi_row(database_url, W, WEEK, "EMPTY", scope)
        assert all(row[k] == 0 for k in COUNTS)
        for k in (
            "on_time_rate",
            "online_rate",
            "online_payment_rate",
            "digitisation_rate",
            "level4_share",
            "on_time_band",
            "online_band",
            "online_payment_band",
            "overall_band",
            "level4_band",
            "digitisation_band",
        ):
            assert row[k] is None, k


def _rollup_data(seed):
    _std_procedures(seed)
    n = 0
    for unit, k in (("49", 1), ("SO1", 2), ("H1", 3), ("X1", 4), ("X2", 2), ("H2", 1), ("X3", 5)):
        for i in range(k):
            n += 1
            seed.dossier(
                f"{unit}-{i}",
                unit,
                ("P3", "P4", "P2")[i % 3],
                "2024-01-06 08:00:00",
                "2024-01-09 17:00:00",
                channel=1 + i % 2,
                finished="2024-01-09 17:00:00" if i % 2 else "2024-01-10",
                digitised=bool(i % 3),
            )
            if i % 3 == 1:
                seed.payment(f"T{n}", f"{unit}-{i}", "THANH_CONG", "2024-01-06 09:00:00")


def test_rollups_sum_their_units(seed, database_url):
    _rollup_data(seed)
    run(database_url, [unit_kpi_weekly], WEEK)
    own = {
        r["unit_code"]: counts(r)
        for r in query(database_url, "SELECT * FROM kpi.unit_kpi_weekly WHERE scope = 'unit'")
    }

    def total(*units):
        return {k: sum(own[u][k] for u in units) for k in COUNTS}

    h1 = kpi_row(database_url, W, WEEK, "H1", "rollup")
    assert counts(h1) == total("H1", "X1", "X2")
    assert round(h1["on_time_rate"], 12) == round(
        Decimal(h1["finished_on_time"]) / h1["finished"], 12
    )
    assert counts(kpi_row(database_url, W, WEEK, "X1", "rollup")) == own["X1"]
    province = kpi_row(database_url, W, WEEK, "49", "rollup")
    assert counts(province) == total(*own)  # everything, departments included
    assert province["received"] == 18
    assert province["paid_online"] > 0
    # procedures: a roll-up sums (unit, procedure) pairs
    assert province["procedures_received"] == sum(
        r["procedures_received"]
        for r in query(database_url, "SELECT * FROM kpi.unit_kpi_weekly WHERE scope = 'unit'")
    )


def test_level4_share_counts_distinct_procedures_of_the_unit(seed, database_url):
    _std_procedures(seed)
    seed.procedure("PTT", service_level=3, fully_online=True)  # ToanTrinh counts as level 4
    for i, p in enumerate(["P4", "P4", "P3", "PTT", "P2"]):
        seed.dossier(f"D{i}", "X1", p, "2024-01-08", "2024-01-20")
    seed.dossier("REF", "X1", "P4", "2024-01-08", "2024-01-20", status=3)  # refused: ignored
    run(database_url, [unit_kpi_weekly], WEEK)
    row = kpi_row(database_url, W, WEEK, "X1")
    assert (row["procedures_received"], row["procedures_level4"]) == (4, 2)
    assert row["level4_share"] == 0.5
    assert row["level4_band"] == "red"  # 50% against the default 80% target


def test_paid_online_follows_the_latest_national_transaction(seed, database_url):
    seed.procedure("PAY", has_fee=True, online_payment=True)
    seed.procedure("FREE")
    r = "2024-01-08 08:00:00"
    for d in ("OK", "OK_THEN_FAIL", "FAIL_THEN_OK", "NONE", "REFUNDED"):
        seed.dossier(d, "X1", "PAY", r, "2024-01-20", payment_method="TRUC_TUYEN")
    seed.dossier("NOFEE", "X1", "FREE", r, "2024-01-20", payment_method="TRUC_TUYEN")
    seed.payment("T1", "OK", "THANH_CONG", "2024-01-08 09:00:00")
    seed.payment("T2", "OK_THEN_FAIL", "THANH_CONG", "2024-01-08 09:00:00")
    seed.payment("T3", "OK_THEN_FAIL", "THAT_BAI", "2024-01-08 10:00:00")
    seed.payment("T4", "FAIL_THEN_OK", "THAT_BAI", "2024-01-08 09:00:00")
    seed.payment("T5", "FAIL_THEN_OK", "THANH_CONG", "2024-01-08 10:00:00")
    seed.payment("T6", "REFUNDED", "HOAN_TIEN", "2024-01-09 10:00:00")
    seed.payment("T7", "NOFEE", "THANH_CONG", "2024-01-08 09:00:00")
    # a successful payment that arrives after the week still counts (latest known state)
    seed.dossier("LATE_PAY", "X1", "PAY", r, "2024-01-20")
    seed.payment("T8", "LATE_PAY", "THANH_CONG", "2024-02-08 09:00:00")
    run(database_url, [unit_kpi_weekly], WEEK)
    row = kpi_row(database_url, W, WEEK, "X1")
    assert (row["payment_eligible"], row["paid_online"]) == (6, 3)  # OK, FAIL_THEN_OK, LATE_PAY
    assert row["online_payment_rate"] == 0.5
    assert row["online_payment_band"] == "green"


def test_range_run_equals_week_by_week_runs(seed, database_url):
    _rollup_data(seed)
    seed.dossier("W2", "X2", "P3", "2024-01-15", "2024-01-16")  # overdue in week 3
    seed.dossier("W3", "X3", "P4", "2024-01-20", "2024-01-30", finished="2024-01-22", channel=2)
    run(database_url, [unit_kpi_weekly], start="2024-01-05", end="2024-01-19")
    ranged = _snapshot(database_url, W)
    assert sorted({r[0] for r in ranged}) == [
        date(2024, 1, 5),
        date(2024, 1, 12),
        date(2024, 1, 19),
    ]
    assert len(ranged) == 3 * 2 * 8
    query(database_url, "DELETE FROM kpi.unit_kpi_weekly RETURNING 1")
    for week in ("2024-01-05", "2024-01-12", "2024-01-19"):
        run(database_url, [unit_kpi_weekly], week)
    assert _snapshot(database_url, W) == ranged


def test_rerun_is_identical_and_replaces_only_its_partition(seed, database_url):
    _rollup_data(seed)
    run(database_url, [unit_kpi_weekly], WEEK)
    run(database_url, [unit_kpi_weekly], NEXT)
    first = _snapshot(database_url, W)
    other_at = query(
        database_url,
        "SELECT DISTINCT computed_at FROM kpi.unit_kpi_weekly WHERE period_start = %s",
        (date(2024, 1, 12),),
    )
    run(database_url, [unit_kpi_weekly], WEEK)
    assert _snapshot(database_url, W) == first
    assert (
        query(
            database_url,
            "SELECT DISTINCT computed_at FROM kpi.unit_kpi_weekly WHERE period_start = %s",
            (date(2024, 1, 12),),
        )
        == other_at
    )
    stamps = query(
        database_url,
        "SELECT DISTINCT computed_at FROM kpi.unit_kpi_weekly WHERE period_start = %s",
        (date(2024, 1, 5),),
    )
    assert len(stamps) == 1 and stamps != other_at


def test_month_reads_staging_not_weeks(seed, database_url):
    seed.procedure("P3")
    seed.dossier("FEB", "X1", "P3", "2024-02-29 23:59:59", "2024-03-20")  # week of 2024-02-23
    seed.dossier(
        "MAR1", "X1", "P3", "2024-03-01 00:00:00", "2024-03-20", finished="2024-03-31 23:59:59"
    )  # week of 2024-03-01
    seed.dossier("MAR31", "X1", "P3", "2024-03-31 10:00:00", "2024-04-20")  # week of 03-29
    seed.dossier("APR", "X1", "P3", "2024-04-01 00:00:00", "2024-04-20")  # same week
    run(database_url, [unit_kpi_monthly], "2024-03-01")
    row = kpi_row(database_url, M, "2024-03-01", "X1")
    assert (row["received"], row["finished"], row["finished_on_time"]) == (2, 1, 0)
    assert row["peak_month"] is True
    assert row["peak_online_band"] == "red"  # 0 of 2 online against 100%
    assert row["peak_late_subjective_ok"] is True
    run(database_url, [unit_kpi_monthly], "2024-02-01")
    feb = kpi_row(database_url, M, "2024-02-01", "X1")
    assert feb["received"] == 1
    assert feb["peak_month"] is False and feb["peak_online_band"] is None
    assert feb["peak_late_subjective_ok"] is None


def test_hierarchy_valid_in_the_period_nong_son_into_que_son(database_url):
    from kpi_pipeline_tests.kpis.helpers import Seed

    seed = Seed(database_url)
    seed.unit("49", "TINH")
    seed.unit("NS", "HUYEN", "49", name="Huyện Nông Sơn", valid_to="2024-12-31")
    seed.unit("QS", "HUYEN", "49", name="Huyện Quế Sơn")
    seed.unit("XN", "XA", "NS", valid_to="2024-12-31")
    seed.unit("XN", "XA", "QS", valid_from="2025-01-01")
    seed.procedure("P3")
    seed.dossier("DEC", "XN", "P3", "2024-12-10", "2024-12-30")
    seed.dossier("JAN", "XN", "P3", "2025-01-10", "2025-01-30")
    run(database_url, [unit_kpi_monthly], start="2024-12-01", end="2025-01-01")
    run(database_url, [unit_kpi_weekly], "2024-12-06")
    run(database_url, [unit_kpi_weekly], "2025-01-10")
    assert kpi_row(database_url, M, "2024-12-01", "NS", "rollup")["received"] == 1
    assert kpi_row(database_url, M, "2024-12-01", "QS", "rollup")["received"] == 0
    assert kpi_row(database_url, M, "2024-12-01", "XN")["parent_code"] == "NS"
    jan_units = {
        r["unit_code"]
        for r in query(
            database_url,
            "SELECT unit_code FROM kpi.unit_kpi_monthly WHERE period_start = '2025-01-01'",
        )
    }
    assert jan_units == {"49", "QS", "XN"}  # Nông Sơn no longer exists
    assert kpi_row(database_url, M, "2025-01-01", "QS", "rollup")["received"] == 1
    assert kpi_row(database_url, M, "2025-01-01", "XN")["parent_code"] == "QS"
    assert kpi_row(database_url, W, "2024-12-06", "NS", "rollup")["received"] == 1
    assert kpi_row(database_url, W, "2025-01-10", "QS", "rollup")["received"] == 1
    for period in ("2024-12-01", "2025-01-01"):
        assert kpi_row(database_url, M, period, "49", "rollup")["received"] == 1
    seed.close()


def test_province_rollup_covers_dossiers_of_units_outside_the_hierarchy(seed, database_url):
    """A unit whose parent has no version in the period, and an old unit's open dossier."""
    seed.procedure("P3")
    seed.unit("OLD", "HUYEN", "49", valid_to="2023-12-31")
    seed.unit("LOST", "XA", "GONE")  # parent never loaded
    seed.dossier("A", "LOST", "P3", "2024-01-08", "2024-01-20")
    seed.dossier("B", "OLD", "P3", "2023-12-01", "2023-12-20")  # still open: overdue
    run(database_url, [unit_kpi_weekly], WEEK)
    province = kpi_row(database_url, W, WEEK, "49", "rollup")
    assert (province["received"], province["overdue_open"]) == (1, 1)
    assert kpi_row(database_url, W, WEEK, "LOST")["received"] == 1
    assert not query(database_url, "SELECT 1 FROM kpi.unit_kpi_weekly WHERE unit_code = 'OLD'")


def _snapshot(url, table):
    rows = query(url, f"SELECT * FROM kpi.{table} ORDER BY period_start, unit_code, scope")
    return [tuple(v for k, v in r.items() if k != "computed_at") for r in rows]
