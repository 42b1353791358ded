"""Reconciliation: national sync gaps, online payments, the national monthly figures (chiso)."""

from decimal import Decimal

from kpi_pipeline.kpis.assets import (
    reconciliation_chiso,
    reconciliation_payments_weekly,
    reconciliation_sync_weekly,
    unit_kpi_monthly,
)
from kpi_pipeline_tests.kpis.helpers import query, run

WEEK = "2024-01-05"


def test_sync_gaps(seed, database_url):
    seed.procedure("P3")
    r = dict(received="2024-01-08 08:00:00", due="2024-01-30")
    seed.dossier("OK", "X1", "P3", **r)
    seed.dossier("MISSING", "X1", "P3", **r)
    seed.dossier("STATUS", "X2", "P3", finished="2024-01-10", **r)
    seed.dossier("CHANNEL", "X1", "P3", channel=2, **r)
    seed.dossier("OLD_FIN", "X3", "P3", "2023-12-01", "2024-01-30", finished="2024-01-09")
    seed.dossier("OTHER_WEEK", "X1", "P3", "2024-01-15", "2024-01-30")  # not this week
    seed.dossier("REFUSED", "X1", "P3", status=3, **r)  # not counted, not reconciled
    # withdrawn this week (an end date, status 7): not finished, received long before
    seed.dossier("WITHDRAWN", "X1", "P3", "2023-12-01", "2024-01-30", "2024-01-09", status=7)
    seed.sync_like("OK")
    seed.sync_like("STATUS", status=4, finished=None)
    seed.sync_like("CHANNEL", channel=1)
    run(database_url, [reconciliation_sync_weekly], WEEK)
    listed = query(database_url, "SELECT * FROM kpi.reconciliation_sync_weekly")
    rows = {r["ma_ho_so"]: r for r in listed}
    assert len(listed) == len(rows)  # STATUS, received and finished this week: one row
    assert {k: v["issue"] for k, v in rows.items()} == {
        "MISSING": "missing_from_sync",
        "STATUS": "status_mismatch",
        "CHANNEL": "channel_mismatch",
        "OLD_FIN": "missing_from_sync",  # finished this week: counted, so reconciled
    }
    assert (rows["STATUS"]["provincial_status"], rows["STATUS"]["national_status"]) == (9, 4)
    assert rows["STATUS"]["unit_code"] == "X2" and rows["STATUS"]["parent_code"] == "H1"
    assert rows["MISSING"]["national_synced_at"] is None


def test_payment_mismatches(seed, database_url):
    seed.procedure("PAY", has_fee=True, online_payment=True)
    r = dict(received="2024-01-08 08:00:00", due="2024-01-30")
    seed.dossier("AGREE", "X1", "PAY", payment_method="TRUC_TUYEN", payment_tx="T1", **r)
    seed.payment("T1", "AGREE", "THANH_CONG", "2024-01-08 09:00:00")
    seed.dossier("NO_TX", "X1", "PAY", payment_method="TRUC_TUYEN", payment_tx="TX", **r)
    seed.dossier("FAILED", "X1", "PAY", payment_method="TRUC_TUYEN", payment_tx="T3", **r)
    seed.payment("T2", "FAILED", "THANH_CONG", "2024-01-08 09:00:00")
    seed.payment("T3", "FAILED", "THAT_BAI", "2024-01-08 10:00:00")
    seed.dossier("IN_PERSON", "X1", "PAY", payment_method="TRUC_TIEP", **r)
    seed.payment("T4", "IN_PERSON", "THANH_CONG", "2024-01-08 09:00:00")
    seed.dossier("CASH_OK", "X1", "PAY", payment_method="TRUC_TIEP", **r)  # agrees: no row
    run(database_url, [reconciliation_payments_weekly], WEEK)
    rows = {
        r["ma_ho_so"]: r
        for r in query(database_url, "SELECT * FROM kpi.reconciliation_payments_weekly")
    }
    assert {k: v["issue"] for k, v in rows.items()} == {
        "NO_TX": "no_national_transaction",
        "FAILED": "national_not_successful",
        "IN_PERSON": "not_online_in_provincial",
    }
    failed = rows["FAILED"]
    assert (failed["national_tx"], failed["national_status"]) == ("T3", "THAT_BAI")
    assert failed["national_any_success"] is True and failed["counts_as_paid_online"] is False
    assert rows["IN_PERSON"]["counts_as_paid_online"] is True  # the KPI follows the national side
    assert rows["NO_TX"]["provincial_tx"] == "TX" and rows["NO_TX"]["payment_eligible"]


def _chiso_data(seed):
    seed.procedure("P3")
    seed.procedure("PAY", has_fee=True, online_payment=True)
    # X1, January: 10 finished, 9 on time with us = 90.0%; nationally one on-time dossier is
    # missing and one is judged late, so the portal publishes 87.5 (7/8): flagged
    for i in range(10):
        late = i == 0
        seed.dossier(
            f"F{i}",
            "X1",
            "P3",
            "2023-12-28",
            "2024-01-10 17:00:00",
            finished="2024-01-11" if late else "2024-01-09",
        )
        if i == 1:
            continue  # not synced
        if i == 2:
            seed.sync_like(f"F{i}", finished="2024-01-12")  # late nationally
        else:
            seed.sync_like(f"F{i}")
    # X1 online: 3 of 5 online (60%), the portal says 60.5: within 0.5 pp, not flagged
    for i in range(5):
        seed.dossier(f"O{i}", "X1", "P3", "2024-01-15", "2024-02-15", channel=2 if i < 3 else 1)
        seed.sync_like(f"O{i}")
    # X2 payment: 1 of 2 paid online with us (50%); the portal says 100.0
    seed.dossier("Y1", "X2", "PAY", "2024-01-15", "2024-02-15", payment_method="TRUC_TUYEN")
    seed.payment("TY1", "Y1", "THANH_CONG", "2024-01-15 10:00:00")
    seed.dossier("Y2", "X2", "PAY", "2024-01-15", "2024-02-15", payment_method="TRUC_TUYEN")
    seed.payment("TY2", "Y2", "THAT_BAI", "2024-01-15 10:00:00")
    for d in ("Y1", "Y2"):
        seed.sync_like(d)
    # finished in January only per the national record
    seed.dossier("NAT", "X3", "P3", "2024-01-02", "2024-02-20")
    seed.sync_like("NAT", status=9, finished="2024-01-20")
    seed.chiso("2024-01-01", "X1", on_time=Decimal("87.5"), online=Decimal("60.5"))
    seed.chiso("2024-01-01", "X2", online_payment=Decimal("100.0"))
    seed.chiso("2024-01-01", "X3", on_time=Decimal("100.0"))
    seed.chiso("2024-01-01", "UNKNOWN", on_time=Decimal("50.0"))


def test_chiso_differences_flagged_and_explained(seed, database_url):
    _chiso_data(seed)
    run(database_url, [unit_kpi_monthly], "2024-01-01")
    result = run(database_url, [reconciliation_chiso], "2024-01-01")
    summary = {
        (r["unit_code"], r["kpi"]): r
        for r in query(database_url, "SELECT * FROM kpi.reconciliation_chiso_monthly")
    }
    x1_on_time = summary[("X1", "on_time")]
    assert (x1_on_time["numerator"], x1_on_time["denominator"]) == (9, 10)
    assert x1_on_time["own_pct"] == Decimal("90.0000")
    assert x1_on_time["diff_pp"] == Decimal("2.5000")
    assert x1_on_time["flagged"] is True and x1_on_time["scope"] == "unit"  # the default
    x1_online = summary[("X1", "online")]
    assert (x1_online["diff_pp"], x1_online["flagged"]) == (Decimal("-0.5000"), False)
    assert summary[("X2", "online_payment")]["flagged"] is True
    assert summary[("X3", "on_time")]["flagged"] is False  # no finished dossier with us: no rate
    assert summary[("X3", "on_time")]["own_pct"] is None
    assert summary[("UNKNOWN", "on_time")]["unit_name"] is None
    assert summary[("H2", "online")]["chiso_pct"] is None  # not published: not flagged
    assert not summary[("H2", "online")]["flagged"]
    # the province and H1 roll-ups include X1's dossiers, but nothing was published for them
    flagged = {(u, k) for (u, k), r in summary.items() if r["flagged"]}
    assert flagged == {("X1", "on_time"), ("X2", "online_payment")}

    explained = {
        (r["unit_code"], r["kpi"], r["ma_ho_so"]): r
        for r in query(database_url, "SELECT * FROM kpi.reconciliation_chiso_dossiers_monthly")
    }
    assert {k: v["reason"] for k, v in explained.items()} == {
        ("X1", "on_time", "F1"): "missing_from_sync",
        ("X1", "on_time", "F2"): "on_time_mismatch",
        ("X2", "online_payment", "Y2"): "payment_mismatch",
    }
    assert explained[("X1", "on_time", "F2")]["national_value"].startswith("status=9 finished=")
    meta = result.asset_materializations_for_node("kpi__reconciliation_chiso")
    by_key = {m.asset_key.path[-1]: m.metadata for m in meta}
    assert by_key["reconciliation_chiso_monthly"]["flagged"].value == 2
    assert by_key["reconciliation_chiso_monthly"]["flagged_unexplained"].value == 0
    assert by_key["reconciliation_chiso_dossiers_monthly"]["rows"].value == 3


def test_chiso_explains_national_only_finishes(seed, database_url):
    _chiso_data(seed)
    query(
        database_url, "UPDATE staging.chiso SET on_time_pct = 0 WHERE unit_code = 'X3' RETURNING 1"
    )
    # give X3 one finished dossier with us, on time, so that it has a rate to compare
    seed.dossier("X3F", "X3", "P3", "2024-01-02", "2024-01-30", finished="2024-01-05")
    seed.sync_like("X3F", status=5, finished=None)
    run(database_url, [unit_kpi_monthly], "2024-01-01")
    run(database_url, [reconciliation_chiso], "2024-01-01")
    got = {
        r["ma_ho_so"]: r["reason"]
        for r in query(
            database_url,
            "SELECT * FROM kpi.reconciliation_chiso_dossiers_monthly WHERE unit_code = 'X3'",
        )
    }
    assert got == {"X3F": "status_mismatch", "NAT": "finished_only_nationally"}
