"""The due-date expectation: working days between receipt and NgayHenTra, counted in SQL on
ref.holidays, against the procedure's processing time plus the configured slack. Due dates
come from the Python `WorkingCalendar`, so the SQL calendar is checked against it."""

from __future__ import annotations

import pytest

from kpi_pipeline.domain.quality_config import QualityConfig
from kpi_pipeline.quality.gx_runner import run_suite
from kpi_pipeline.quality.suites import suite_for
from kpi_pipeline_tests.quality.rows import CALENDAR, dossier, insert_dossiers, ts, week_params

VALID = suite_for(("staging", "dossiers"), "valid")

# (received, procedure): weekends, LE and BU days off, a LAM_BU Saturday, Tet, 0-day procedures.
CASES = [
    ("2024-04-26 10:00:00", "P3"),  # Fri; Mon BU, Tue-Wed LE: due on the LAM_BU Saturday
    ("2024-04-27 11:00:00", "P5"),  # received online on a Saturday
    ("2024-04-28 08:00:00", "P0"),  # Sunday, 0 days: 17:00 the same day
    ("2024-04-30 14:00:00", "P3"),  # received on a holiday
    ("2024-05-02 08:00:00", "P15"),  # across the LAM_BU Saturday
    ("2024-02-07 16:30:00", "P5"),  # across Tet (BU 8 Feb, LE 9-14 Feb)
    ("2024-04-17 09:00:00", "P3"),  # across Hung Kings' day (LE 18 Apr)
]


def _due_ids(result) -> list[str]:
    return next(o.examples for o in result.outcomes if o.name == "due_date_within_slack")


def test_sql_calendar_agrees_with_working_calendar_to_the_day(conn, db):
    """Slack 0: a due date from `WorkingCalendar.due_at` passes, one working day more fails."""
    exact = [dossier(f"E{i}", r, p) for i, (r, p) in enumerate(CASES)]
    pushed = [dossier(f"P{i}", r, p, push_working_days=1) for i, (r, p) in enumerate(CASES)]
    insert_dossiers(conn, exact + pushed)

    result = run_suite(
        db, VALID, week_params(), config=QualityConfig(slack_working_days=0), build_docs=False
    )

    assert sorted(_due_ids(result)) == sorted(d["ma_ho_so"] for d in pushed)
    # the LAM_BU case really lands on the working Saturday
    assert exact[0]["due_at"] == ts("2024-05-04 10:00:00")


def test_due_date_pushed_out_by_five_working_days_is_caught(conn, db):
    rows = [
        dossier("EXACT", procedure="P5"),  # spans BU 29 Apr, LE 30 Apr and 1 May
        dossier("WITHIN-SLACK", procedure="P5", push_working_days=2),
        dossier("PUSHED-5", procedure="P5", push_working_days=5),
        dossier("PUSHED-5-OVER-TET", "2024-02-07 16:30:00", "P3", push_working_days=5),
        # ignoring the holidays gives an earlier date: never an inflated one
        dossier("NAIVE", procedure="P5", due_at=ts("2024-05-03 09:30:00")),
    ]
    insert_dossiers(conn, rows)

    result = run_suite(db, VALID, week_params(), build_docs=False)  # default slack: 2

    assert QualityConfig().slack_working_days == 2
    assert _due_ids(result) == ["PUSHED-5", "PUSHED-5-OVER-TET"]
    assert {f.name for f in result.failures} == {"due_date_within_slack"}


@pytest.mark.parametrize("slack, flagged", [(0, {"S1", "S3"}), (1, {"S3"}), (3, set())])
def test_slack_is_configurable(conn, db, slack, flagged):
    insert_dossiers(
        conn,
        [dossier("S0"), dossier("S1", push_working_days=1), dossier("S3", push_working_days=3)],
    )
    result = run_suite(
        db, VALID, week_params(), config=QualityConfig(slack_working_days=slack), build_docs=False
    )
    assert set(_due_ids(result)) == flagged


def test_calendar_fixture_is_what_the_tests_say():
    from datetime import date

    assert not CALENDAR.is_working_day(date(2024, 4, 29))  # BU
    assert CALENDAR.is_working_day(date(2024, 5, 4))  # LAM_BU Saturday
