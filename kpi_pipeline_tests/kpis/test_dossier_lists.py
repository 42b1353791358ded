"""The per-dossier lists agree with the counts they explain (issue 17 moved work between them):
the overdue periods of a dossier found by `width_bucket` in the sorted window ends are those of
the plain definition at every boundary, and the unpaid list applies the counts' paid-online
rule (`kpi.counts_as_paid_online`) to the latest transaction it looks up itself."""

from datetime import date, timedelta
from itertools import product

import psycopg

from kpi_pipeline.domain.calendar import PERIOD_STEPS
from kpi_pipeline.kpis.assets import overdue_dossiers_weekly, unit_procedure_weekly
from kpi_pipeline.kpis.payments import unpaid_online_dossiers_weekly
from kpi_pipeline_tests.kpis.helpers import query, run, ts

WEEKS = ("2024-01-05", "2024-01-26")  # four Friday weeks: window ends 01-12 .. 02-02
ENDS = [date(2024, 1, 12) + timedelta(weeks=i) for i in range(4)]


def _at(day: date, seconds: int) -> str:
    """Local midnight of `day` shifted by `seconds`, as the seed's local ISO text."""
    moment = ts(day.isoformat()) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _overdue_by_definition(dossiers: dict, ends: list[date]) -> set[tuple[date, str]]:
    """(period start, dossier) where the dossier is received and due before the window's end
    and not closed before it (kpi-tables.md, overdue_open), compared end by end."""
    got = set()
    for code, (received, due, closed) in dossiers.items():
        for end in ends:
            e = ts(end.isoformat())
            if ts(received) < e and ts(due) < e and (closed is None or ts(closed) >= e):
                got.add((end - timedelta(weeks=1), code))
    return got


def test_overdue_periods_at_every_boundary(seed, database_url):
    """Due, received and closed exactly at a window end, a second either side, before and
    after the window; closed before the due time (never overdue); still open."""
    seed.procedure("P3")
    near = [(end, s) for end in (ENDS[0], ENDS[2]) for s in (-1, 0, 1)]
    dues = [_at(d, s) for d, s in near] + [_at(date(2023, 12, 20), 0), _at(ENDS[3], 3600)]
    closes = [None, _at(date(2023, 12, 1), 0), _at(date(2024, 3, 1), 0)]
    closes += [_at(d, s) for d, s in near] + [_at(ENDS[3], 0)]
    dossiers = {}
    for i, (due, closed, received_late) in enumerate(product(dues, closes, (False, True))):
        # received well before its due time, or a second after it (data that says so)
        received = _at(date(2023, 12, 1), 0)
        if received_late:
            received = (ts(due) + timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")
        if closed is not None and ts(closed) < ts(received):
            continue  # closed before it was received: not a dossier
        code = f"D{i:03d}"
        dossiers[code] = (received, due, closed)
        seed.dossier(code, "X1", "P3", received, due, finished=closed)
    expected = _overdue_by_definition(dossiers, ENDS)
    assert len(dossiers) > 100 and 50 < len(expected) < 4 * len(dossiers)  # a real mix

    with psycopg.connect(database_url) as conn:
        events = conn.execute(
            "SELECT period_start, ma_ho_so FROM kpi.dossier_events(%s, %s, %s::interval)"
            " WHERE event = 'overdue'",
            (date(2024, 1, 5), date(2024, 2, 2), PERIOD_STEPS["week"]),
        ).fetchall()
    assert set(events) == expected and len(events) == len(expected)

    run(database_url, [overdue_dossiers_weekly], start=WEEKS[0], end=WEEKS[1])
    listed = query(database_url, "SELECT period_start, ma_ho_so FROM kpi.overdue_dossiers_weekly")
    assert {(r["period_start"], r["ma_ho_so"]) for r in listed} == expected


def test_unpaid_list_is_what_the_counts_do_not_count_as_paid(seed, database_url):
    seed.procedure("PAY", has_fee=True, online_payment=True)
    seed.procedure("FREE")  # no fee: not payment-eligible
    r = dict(received="2024-01-08 08:00:00", due="2024-01-30")
    seed.dossier("PAID", "X1", "PAY", payment_method="TRUC_TUYEN", **r)
    seed.payment("T1", "PAID", "THANH_CONG", "2024-01-08 09:00:00")
    seed.dossier("FAILED_LATER", "X1", "PAY", payment_method="TRUC_TUYEN", **r)
    seed.payment("T2", "FAILED_LATER", "THANH_CONG", "2024-01-08 09:00:00")
    seed.payment("T3", "FAILED_LATER", "THAT_BAI", "2024-01-08 10:00:00")
    seed.dossier("RETRIED", "X1", "PAY", payment_method="TRUC_TUYEN", **r)
    seed.payment("T4", "RETRIED", "THAT_BAI", "2024-01-08 09:00:00")
    seed.payment("T5", "RETRIED", "THANH_CONG", "2024-01-08 10:00:00")
    seed.dossier("NONE", "X2", "PAY", payment_method="TRUC_TIEP", **r)
    seed.dossier("FREE_PAID", "X1", "FREE", payment_method="TRUC_TUYEN", **r)
    seed.payment("T6", "FREE_PAID", "THANH_CONG", "2024-01-08 09:00:00")
    seed.dossier("REFUSED", "X1", "PAY", status=3, **r)  # refused at intake: not received
    run(database_url, [unit_procedure_weekly, unpaid_online_dossiers_weekly], "2024-01-05")

    listed = query(
        database_url,
        "SELECT ma_ho_so, unit_code, procedure_code, national_status, provincial_method"
        " FROM kpi.unpaid_online_dossiers_weekly ORDER BY ma_ho_so",
    )
    assert [(x["ma_ho_so"], x["national_status"], x["provincial_method"]) for x in listed] == [
        ("FAILED_LATER", "THAT_BAI", "TRUC_TUYEN"),
        ("NONE", None, "TRUC_TIEP"),
    ]
    counts = query(
        database_url,
        "SELECT unit_code, procedure_code, payment_eligible - paid_online AS unpaid"
        " FROM kpi.unit_procedure_weekly WHERE payment_eligible > 0",
    )
    per_cell = {}
    for x in listed:
        key = (x["unit_code"], x["procedure_code"])
        per_cell[key] = per_cell.get(key, 0) + 1
    assert {(c["unit_code"], c["procedure_code"]): c["unpaid"] for c in counts} == per_cell
