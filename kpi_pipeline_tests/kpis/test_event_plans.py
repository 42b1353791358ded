"""`kpi.dossier_events` computes only what its caller reads (issue 17): the payment look-up
behind `paid_online` (one index probe per payment-eligible dossier) runs for the statements
that count payments, not for a caller that does not read it (the unpaid list and the payment
reconciliation, which read `payment_eligible` and look up the latest transaction themselves)."""

from datetime import date

import psycopg

from kpi_pipeline.domain.calendar import PERIOD_STEPS

WINDOW = (date(2025, 11, 28), date(2026, 11, 27), PERIOD_STEPS["week"])


def _plan(conn, select: str) -> str:
    rows = conn.execute(
        f"EXPLAIN {select} FROM kpi.dossier_events(%s, %s, %s::interval) e", WINDOW
    ).fetchall()
    return "\n".join(r[0] for r in rows)


def test_the_payment_look_up_runs_only_for_a_caller_that_reads_paid_online(database_url):
    with psycopg.connect(database_url) as conn:
        assert "SubPlan" in _plan(conn, "SELECT sum(e.paid_online)")
        for select in (
            "SELECT sum(e.finished_late), sum(e.online_eligible)",  # counts without payments
            "SELECT e.period_start, e.ma_ho_so, e.payment_eligible",  # the unpaid list
        ):
            assert "SubPlan" not in _plan(conn, select), select
