"""Each expectation passes on good data and fails on a crafted bad partition (real GX, real
PostgreSQL); the due-date rule catches a due date pushed out by 5 working days."""

from datetime import datetime, timedelta

import pytest

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.quality.config import QualityConfig
from kpi_pipeline.quality.gx_runner import run_suite
from kpi_pipeline.quality.suites import SUITES
from kpi_pipeline.warehouse import db

WEEK = "2024-02-09"  # holds Tết 2024 (8-14 Feb off)
SUITE = {s.name: s for s in SUITES}
CFG = QualityConfig()


def _seed(conn):
    conn.execute(
        "INSERT INTO ref.units (unit_code, valid_from, unit_name, unit_level, parent_code) VALUES"
        " ('49', '2022-01-01', 'Tỉnh Quảng Nam', 'TINH', NULL),"
        " ('SO1', '2022-01-01', 'Sở Tư pháp', 'SO_NGANH', '49')"
    )
    conn.execute(
        "INSERT INTO ref.procedures (procedure_code, procedure_name, unit_level, service_level,"
        " fully_online, integrated, has_fee, online_payment, processing_days)"
        " VALUES ('P3', 'Thủ tục 3 ngày', 'TINH', 3, false, true, false, false, 3)"
    )
    for day, kind in [("2024-02-08", "LE"), ("2024-02-09", "LE"), ("2024-02-12", "LE"),
                      ("2024-02-13", "LE"), ("2024-02-14", "BU")]:  # fmt: skip
        conn.execute(
            "INSERT INTO ref.holidays (day, year, name, kind) VALUES (%s, 2024, 'Tết', %s)",
            (day, kind),
        )


def _dossier(conn, key, received, due, finished=None, status=9, channel=2, unit="SO1", proc="P3"):
    conn.execute(
        "INSERT INTO staging.dossier_versions (partition_key, ma_ho_so, procedure_code, unit_code,"
        " channel, digitised, received_at, due_at, finished_at, status, updated_at, run_id)"
        " VALUES (%s, %s, %s, %s, %s, true, %s, %s, %s, %s, %s, 'r')",
        (WEEK, key, proc, unit, channel, received, due, finished, status, received),
    )


def at(*args):
    return datetime(*args, tzinfo=TZ)


# Received Wednesday 7 Feb 2024, 09:00; 3 working days across Tết -> due Mon 19 Feb 09:00.
RECEIVED = at(2024, 2, 7, 9)
DUE = at(2024, 2, 19, 9)


def _validate(url, suite_name, tmp_path, monkeypatch, config=CFG):
    monkeypatch.setenv("KPI_HOME", str(tmp_path))
    suite = SUITE[suite_name]
    with db.connect(url) as conn:
        query = suite.batch_query(conn, [WEEK])
    return run_suite(url, suite.name, query, suite.expectations(config), "test-run",
                     suite.key_column, config.examples)  # fmt: skip


def test_good_partition_passes_and_renders_data_docs(database_url, tmp_path, monkeypatch):
    with db.connect(database_url) as conn:
        _seed(conn)
        _dossier(conn, "OK-1", RECEIVED, DUE, finished=at(2024, 2, 16, 10))
        _dossier(conn, "OK-2", RECEIVED, DUE, finished=None, status=4)
        conn.commit()
    outcome = _validate(database_url, "staged_dossiers_valid", tmp_path, monkeypatch)
    assert outcome.success, [(o.description, o.error) for o in outcome.failed]
    assert outcome.rows == 2
    assert outcome.docs_index is not None and outcome.docs_index.name == "index.html"
    assert "staged_dossiers_valid" in outcome.docs_index.read_text(encoding="utf-8")


BAD = {
    "status in 1..10": dict(status=11),
    "channel in 1, 2, 3": dict(channel=4),
    "received <= finished": dict(finished=RECEIVED - timedelta(hours=1)),
    "received <= due": dict(due=RECEIVED - timedelta(days=1)),
    "unit known": dict(unit="NOPE"),
    "procedure known": dict(proc="NOPE"),
    "due date inflated by 5 working days": dict(due=at(2024, 2, 26, 9)),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_each_expectation_fails_on_its_crafted_bad_row(database_url, tmp_path, monkeypatch, case):
    with db.connect(database_url) as conn:
        _seed(conn)
        _dossier(conn, "OK-1", RECEIVED, DUE, finished=at(2024, 2, 16, 10))
        args = {"received": RECEIVED, "due": DUE, **BAD[case]}
        _dossier(conn, "BAD-1", **args)
        conn.commit()
    outcome = _validate(database_url, "staged_dossiers_valid", tmp_path, monkeypatch)
    assert not outcome.success
    failed = outcome.failed
    assert len(failed) == 1, [o.description for o in failed]
    assert failed[0].unexpected_count == 1
    assert "BAD-1" in failed[0].examples or any("BAD-1" in str(e) for e in failed[0].examples)


def test_due_date_slack_and_holidays(database_url, tmp_path, monkeypatch):
    with db.connect(database_url) as conn:
        _seed(conn)
        # One working day late is within the default slack of 1; Tết days are not counted,
        # so 20 Feb (1 working day after 19 Feb) passes while 26 Feb (5 days) fails.
        _dossier(conn, "WITHIN-SLACK", RECEIVED, at(2024, 2, 20, 9))
        _dossier(conn, "PUSHED-5", RECEIVED, at(2024, 2, 26, 9))
        conn.commit()
    outcome = _validate(database_url, "staged_dossiers_valid", tmp_path, monkeypatch)
    (failed,) = outcome.failed
    assert "processing time" in failed.description
    assert failed.examples == ["PUSHED-5"]
    strict = QualityConfig(due_date_slack_working_days=0)
    outcome = _validate(database_url, "staged_dossiers_valid", tmp_path, monkeypatch, strict)
    assert sorted(outcome.failed[0].examples) == ["PUSHED-5", "WITHIN-SLACK"]


def test_silent_unit_is_a_warning(database_url, tmp_path, monkeypatch):
    with db.connect(database_url) as conn:
        _seed(conn)
        conn.execute(
            "INSERT INTO ref.units VALUES ('SO2', '2022-01-01', NULL, 'Sở Y tế', 'SO_NGANH', '49')"
        )
        # SO1 received 5 a week for 8 weeks, then nothing in WEEK; SO2 keeps its pace.
        for w in range(1, 9):
            for unit in ("SO1", "SO2"):
                for i in range(5):
                    day = at(2024, 2, 9, 10) - timedelta(weeks=w) + timedelta(hours=i)
                    conn.execute(
                        "INSERT INTO staging.dossiers (ma_ho_so, procedure_code, unit_code,"
                        " channel, digitised, received_at, due_at, status, updated_at,"
                        " source_partition, run_id) VALUES (%s, 'P3', %s, 2, true, %s, %s, 4,"
                        " %s, 'x', 'r')",
                        (f"{unit}-{w}-{i}", unit, day, day + timedelta(days=5), day),
                    )
        for i in range(4):
            _dossier(conn, f"SO2-now-{i}", at(2024, 2, 15, 9), at(2024, 2, 20, 9), unit="SO2")
            conn.execute(
                "INSERT INTO staging.dossiers SELECT ma_ho_so, procedure_code, unit_code, channel,"
                " digitised, received_at, due_at, finished_at, returned_at, status, late_reason,"
                " payment_method, payment_amount, paid_at, payment_tx, updated_at, partition_key,"
                " run_id FROM staging.dossier_versions WHERE ma_ho_so = %s",
                (f"SO2-now-{i}",),
            )
        conn.commit()
    outcome = _validate(database_url, "weekly_row_counts", tmp_path, monkeypatch)
    (failed,) = outcome.failed
    assert failed.unexpected_count == 1 and failed.examples == ["SO1"]


def test_kpi_suite_catches_numerator_above_denominator(database_url, tmp_path, monkeypatch):
    from datetime import date

    from kpi_pipeline_tests.reports.warehouse_rows import insert_kpi_rows, kpi_row

    unit = ("SO1", "Sở Tư pháp", "SO_NGANH", "49")
    good = kpi_row(date(2024, 2, 9), unit, finished=2, finished_on_time=2, received=3)
    bad = {**kpi_row(date(2024, 2, 9), unit, "rollup", finished=2, finished_on_time=2,
                     received=3), "finished_on_time": 3}  # fmt: skip
    with db.connect(database_url) as conn:
        insert_kpi_rows(conn, "unit_kpi_weekly", [good])
        conn.commit()
    assert _validate(database_url, "unit_kpi_weekly_valid", tmp_path, monkeypatch).success
    with db.connect(database_url) as conn:
        insert_kpi_rows(conn, "unit_kpi_weekly", [bad])
        conn.commit()
    outcome = _validate(database_url, "unit_kpi_weekly_valid", tmp_path, monkeypatch)
    assert [o.description for o in outcome.failed] == ["finished_on_time <= finished"]
