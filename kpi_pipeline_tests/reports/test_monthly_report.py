"""The monthly report through Dagster: the month, the quarter and the year to date against the
same periods a year before (kpi.unit_kpi_cumulative), the project's 766-style score labelled
as an approximation, and the fields, in HTML and XLSX; one materialisation for the module."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from kpi_pipeline import settings
from kpi_pipeline.kpis.assets import unit_kpi_monthly
from kpi_pipeline.kpis.catalogue import procedure_catalogue_monthly
from kpi_pipeline.kpis.cumulative import unit_kpi_cumulative
from kpi_pipeline.kpis.fields import unit_kpi_field_monthly
from kpi_pipeline.reports.monthly_assets import monthly_report
from kpi_pipeline.reports.render_xlsx import (
    SHEET_CATALOGUE,
    SHEET_FIELDS,
    SHEET_PERIODS,
    SHEET_SCORE,
)
from kpi_pipeline.scores.assets import unit_score_monthly
from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.kpis.helpers import Seed, run

MAY = "2024-05-01"


@pytest.fixture(scope="module")
def published(pg_server_url, template_database, tmp_path_factory):
    home = tmp_path_factory.mktemp("kpi_home")
    mp = pytest.MonkeyPatch()
    mp.setenv(settings.KPI_HOME, str(home))
    url = db.create_database(pg_server_url, "kpi_monthly_report", template=template_database)
    try:
        seed = Seed(url)
        seed.province()
        seed.procedure("P3")
        seed.conn.execute(
            "UPDATE ref.procedures SET field_code = 'DAT_DAI', field_name = 'Đất đai'"
        )
        seed.conn.execute(  # the catalogue's versions, as the reference merge keeps them
            "INSERT INTO ref.procedure_versions (procedure_code, valid_from, procedure_name,"
            " field_code, unit_level, service_level, fully_online, integrated, has_fee,"
            " online_payment, first_seen_run) SELECT procedure_code, date '2022-01-01',"
            " procedure_name, field_code, unit_level, service_level, fully_online, integrated,"
            " has_fee, online_payment, 'test' FROM ref.procedures"
        )
        # 2024: received in January, finished on time in April; received in May, open;
        # 2023: one online dossier in May, finished at once
        seed.dossier("A", "X1", "P3", "2024-01-10", "2024-04-20", finished="2024-04-15")
        seed.dossier("B", "X2", "P3", "2024-05-02", "2024-05-30", channel=2)
        seed.dossier("D", "X3", "P3", "2023-05-05", "2023-05-10", finished="2023-05-06", channel=2)
        seed.close()
        run(url, [unit_kpi_monthly], "2023-05-01")
        run(
            url,
            [
                unit_kpi_monthly,
                unit_kpi_cumulative,
                unit_kpi_field_monthly,
                unit_score_monthly,
                procedure_catalogue_monthly,
                monthly_report,
            ],
            MAY,
        )
        folder = home / "reports" / "monthly" / "2024-05"
        html = next(folder.glob("bao-cao-thang-2024-05*.html")).read_text("utf-8")
        xlsx = load_workbook(
            io.BytesIO(next(folder.glob("bao-cao-thang-2024-05*.xlsx")).read_bytes())
        )
        yield html, xlsx
    finally:
        mp.undo()
        db.drop_database(pg_server_url, "kpi_monthly_report")


def test_periods_against_the_year_before(published):
    html, _ = published
    for kind in ("month", "quarter", "year_to_date"):
        assert f'data-kind="{kind}" data-which="current"' in html
    # the year to date 2024 (Jan-May) and its comparison, Jan-May 2023
    assert f'data-kind="year_to_date" data-which="current" data-start="{date(2024, 1, 1)}"' in html
    assert f'data-kind="year_to_date" data-which="previous" data-start="{date(2023, 1, 1)}"' in html
    assert "Quý 2" not in html and "Q2/2024 (đến hết tháng 5/2024)" in html
    assert 'data-on-current-map="false"' in html and 'data-on-current-map="true"' not in html


def test_score_is_labelled_as_the_projects_approximation(published):
    html, _ = published
    assert 'id="score-766"' in html and "gần đúng" in html
    assert "KHÔNG phải điểm chính thức của Cổng Dịch vụ công quốc gia" in html
    assert "hồ sơ giải quyết đúng hạn 20 điểm (đủ điểm từ 80%)" in html  # from the config


def test_fields_and_workbook(published):
    html, xlsx = published
    assert 'data-field="DAT_DAI"' in html and "Đất đai" in html
    periods = list(xlsx[SHEET_PERIODS].iter_rows(min_row=2, values_only=True))
    ytd = next(r for r in periods if r[0].startswith("Lũy kế từ đầu năm"))
    assert ytd[3:5] == (2, 1)  # received A and B; finished A
    prev = next(r for r in periods if r[0] == "Cùng kỳ: Tháng 1/2023 – tháng 5/2023")
    assert prev[3:5] == (1, 1) and prev[6] == 1  # D, online
    assert xlsx[SHEET_SCORE].cell(2, 2).value  # the province's score row first
    fields = list(xlsx[SHEET_FIELDS].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[4]) for r in fields] == [("49", "DAT_DAI", 1), ("H1", "DAT_DAI", 1)]


def test_catalogue_share(published):
    html, xlsx = published
    assert 'id="catalogue"' in html and 'data-level="XA"' in html
    rows = list(xlsx[SHEET_CATALOGUE].iter_rows(min_row=2, max_row=2, values_only=True))
    assert rows == [("Cấp xã", 1, 0, 0, 1)]  # P3: level 3, integrated
