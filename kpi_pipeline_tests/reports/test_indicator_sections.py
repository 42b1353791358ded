"""The Friday report's indicator sections (issue 15): late for subjective reasons, and the
drill-down behind a red online payment rate, from the KPI tables (the payment tables computed
from staging by their own SQL), in the HTML and the workbook."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from kpi_pipeline.domain.calendar import week_window
from kpi_pipeline.domain.kpi_config import load_kpi_config
from kpi_pipeline.kpis.compute import PeriodRange, replace_table
from kpi_pipeline.reports.queries import weekly_report_data
from kpi_pipeline.reports.render_html import weekly_html
from kpi_pipeline.reports.render_xlsx import (
    SHEET_LATE_SUBJECTIVE,
    SHEET_PAYMENT,
    weekly_xlsx,
)
from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.reports import scenario as S
from kpi_pipeline_tests.reports.warehouse_rows import at

NOW = at(2024, 7, 1, 6)
PAYABLE = ["D-over-2", "D-rcv-B1", "D-rcv-B2", "D-rcv-B3", "D-due-at-end"]  # PROC_B, in the week


@pytest.fixture(scope="module")
def report(pg_server_url, template_database):
    """The scenario's week with D's online payment red (0 of 5 paid) and late dossiers for
    subjective reasons at D and C; the payment tables computed by their KPI SQL."""
    url = db.create_database(pg_server_url, "kpi_ind_sections", template=template_database)
    try:
        with db.connect(url) as conn:
            S.load_weekly(conn)
            conn.execute(
                "INSERT INTO staging.payments (transaction_id, ma_ho_so, amount, paid_at, status,"
                " updated_at, source_partition, run_id) VALUES"
                " ('TX1', 'D-rcv-B1', 50000, %(t)s, 'THAT_BAI', %(t)s, 'test', 'test'),"
                " ('TX0', 'C-late', 50000, %(t)s, 'THANH_CONG', %(t)s, 'test', 'test')",
                {"t": at(2024, 6, 10, 10)},
            )
            conn.execute(
                "UPDATE kpi.unit_kpi_weekly SET payment_eligible = 5, paid_online = 0,"
                " online_payment_rate = 0, online_payment_band = 'red'"
                " WHERE period_start = %s AND unit_code = %s AND scope = 'unit'",
                (S.WEEK, S.D[0]),
            )
            for code, scope, late in (
                (S.D[0], "unit", 2),
                (S.C[0], "unit", 1),
                (S.P[0], "rollup", 3),
            ):
                conn.execute(
                    "UPDATE kpi.unit_kpi_weekly SET finished_late_subjective = %s"
                    " WHERE period_start = %s AND unit_code = %s AND scope = %s",
                    (late, S.WEEK, code, scope),
                )
            w = week_window(S.WEEK)
            periods = PeriodRange.from_window(w.start, w.end, "week")
            tables = ("unit_procedure_weekly", "drilldown_payments_weekly",
                      "unpaid_online_dossiers_weekly")  # fmt: skip
            for table in tables:
                replace_table(conn, table, periods, load_kpi_config())
            tables = {
                "procedures": conn.execute(
                    "SELECT unit_code, procedure_code, payment_eligible, paid_online,"
                    " not_paid_online, not_paid_rank FROM kpi.drilldown_payments_weekly"
                    " ORDER BY unit_code, procedure_code"
                ).fetchall(),
                "dossiers": conn.execute(
                    "SELECT ma_ho_so, unit_code, parent_code, national_status"
                    " FROM kpi.unpaid_online_dossiers_weekly ORDER BY ma_ho_so"
                ).fetchall(),
            }
            conn.commit()
            data = weekly_report_data(conn, S.WEEK, generated_at=NOW)
        yield data, tables
    finally:
        db.drop_database(pg_server_url, "kpi_ind_sections")


def test_payment_tables_count_by_the_weekly_rules(report):
    _, tables = report
    # every PROC_B dossier received in the week but the refused one; C-late was received the
    # week before (its successful payment counts there, not here)
    assert tables["procedures"] == [(S.D[0], S.PROC_B[0], 5, 0, 5, 1)]
    assert [r[0] for r in tables["dossiers"]] == sorted(PAYABLE)
    status = {r[0]: r[3] for r in tables["dossiers"]}
    assert status["D-rcv-B1"] == "THAT_BAI" and status["D-rcv-B2"] is None
    assert {r[2] for r in tables["dossiers"]} == {S.P[0]}  # D's parent, the province


def test_report_model_holds_late_subjective_and_the_payment_drilldown(report):
    data, _ = report
    ind = data.indicators
    assert ind.province_late_subjective == 3
    assert [(u.unit_code, u.late_subjective) for u in ind.late_subjective] == [
        (S.D[0], 2),
        (S.C[0], 1),
    ]
    (d,) = ind.payment_drilldowns
    assert (d.unit_code, d.paid_online, d.payment_eligible, d.dossiers_total) == (S.D[0], 0, 5, 5)
    assert [(p.procedure_code, p.count, p.total) for p in d.procedures] == [(S.PROC_B[0], 5, 5)]
    assert [o.ma_ho_so for o in d.dossiers][0] == "D-over-2"  # by reception time


def test_html_and_workbook_show_the_sections(report):
    data, _ = report
    html = weekly_html(data, b"png")
    assert 'id="late-subjective"' in html and 'data-late-subjective="3"' in html
    assert 'id="payment-drilldown"' in html and 'class="drilldown payment"' in html
    assert "D-rcv-B2" in html and "không có giao dịch" in html
    wb = load_workbook(io.BytesIO(weekly_xlsx(data)))
    late = [r for r in wb[SHEET_LATE_SUBJECTIVE].iter_rows(min_row=2, values_only=True)]
    assert [r[3] for r in late] == [3, 2, 1]
    pay = [r for r in wb[SHEET_PAYMENT].iter_rows(min_row=2, values_only=True)]
    assert sum(1 for r in pay if r[2] == "Hồ sơ chưa thanh toán trực tuyến") == 5
