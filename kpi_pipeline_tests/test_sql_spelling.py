"""One fact, one spelling, on the SQL side too: the timezone, the period lengths and the headline
KPIs are defined in Python (settings.TIMEZONE, domain/calendar.PERIOD_STEPS, domain/headline.py)
and reach the SQL as `kpi.local_tz()`, the bound `step` and `kpi.headline_kpis()`."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime

import pytest

from kpi_pipeline import settings
from kpi_pipeline.domain.calendar import PERIOD_STEPS
from kpi_pipeline.domain.headline import HEADLINE, HeadlineKpi
from kpi_pipeline.kpis.compute import PeriodRange
from kpi_pipeline.warehouse import db

SQL = settings.PROJECT_ROOT / "sql"
# The files that list the headline KPIs' columns no more (they read kpi.headline_kpis()).
HEADLINE_READERS = (
    "quality/unexpected_kpi_rate_mismatch",
    "quality/unexpected_kpi_rollup_below_unit",
)


def _literals() -> re.Pattern:
    steps = "|".join(re.escape(f"'{step}'") for step in PERIOD_STEPS.values())
    return re.compile(rf"{re.escape(settings.TIMEZONE)}|{steps}", re.IGNORECASE)


def test_no_sql_file_spells_the_timezone_or_a_period_length():
    found = []
    for path in sorted(SQL.rglob("*.sql")):
        name = path.relative_to(SQL).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _literals().search(line):
                found.append(f"sql/{name}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_the_quality_checks_read_the_headline_kpis_instead_of_listing_them():
    columns = {c for k in HEADLINE for c in (k.rate, k.numerator, k.denominator)}
    for name in HEADLINE_READERS:
        text = db.sql_text(name)
        assert "kpi.headline_kpis()" in text
        assert not {c for c in columns if re.search(rf"\b{c}\b", text)}, name


def test_the_period_range_binds_its_kind_s_step():
    for kind, step in PERIOD_STEPS.items():
        periods = PeriodRange(date(2024, 1, 5), date(2024, 1, 12), kind)
        assert periods.step == step
    with pytest.raises(ValueError, match="unknown period kind"):
        PeriodRange(date(2024, 1, 5), date(2024, 1, 12), "fortnight")


def test_the_schema_holds_python_s_timezone_and_headline(database_url):
    with db.connect(database_url) as conn:
        assert conn.execute("SELECT kpi.local_tz()").fetchone()[0] == settings.TIMEZONE
        rows = conn.execute("SELECT key, numerator, denominator FROM kpi.headline_kpis()")
        assert [HeadlineKpi(*r) for r in rows] == list(HEADLINE)


def _rate_mismatches(conn) -> set[str]:
    """The KPIs the rate-mismatch check flags on one row whose every rate is wrong."""
    conn.execute(
        "CREATE TEMP TABLE batch AS SELECT date '2024-01-05' AS period_start, 'X1' AS unit_code,"
        " 'unit' AS scope, 0.5::numeric AS on_time_rate, 1::bigint AS finished_on_time,"
        " 4::bigint AS finished, 0.5::numeric AS online_rate,"
        " 1::bigint AS online_eligible_received_online, 4::bigint AS online_eligible,"
        " 0.5::numeric AS online_payment_rate, 1::bigint AS paid_online,"
        " 4::bigint AS payment_eligible, 0.5::numeric AS digitisation_rate,"
        " 1::bigint AS digitised, 4::bigint AS received"
    )
    query = db.sql_text("quality/unexpected_kpi_rate_mismatch").replace("{batch}", "batch")
    return {row[3] for row in conn.execute(query)}


def test_a_changed_timezone_and_headline_reach_the_sql(monkeypatch, pg_server_url):
    url = db.create_database(pg_server_url, f"kpi_facts_{uuid.uuid4().hex[:10]}")
    try:
        with db.connect(url) as conn:  # as defined today: every headline rate is checked
            db.ensure_schema(url)
            assert _rate_mismatches(conn) == {
                "on_time_rate",
                "online_rate",
                "online_payment_rate",
                "digitisation_rate",
            }
        monkeypatch.setattr(db, "TIMEZONE", "Europe/Paris")
        monkeypatch.setattr(db, "HEADLINE", HEADLINE[:1])
        db.ensure_schema(url)  # applied again: CREATE OR REPLACE takes the new values
        with db.connect(url) as conn:
            conn.execute("SET TIME ZONE 'UTC'")
            (start,) = conn.execute(
                "SELECT window_start FROM kpi.periods(%s, %s, %s::interval)",
                (date(2024, 1, 5), date(2024, 1, 12), PERIOD_STEPS["week"]),
            ).fetchone()
            assert start == datetime.fromisoformat("2024-01-04T23:00:00+00:00")
            (parsed,) = conn.execute("SELECT staging.parse_portal_ts('20240105000000')").fetchone()
            assert parsed == start  # staging reads the portals' local times in it too
            assert _rate_mismatches(conn) == {"on_time_rate", "digitisation_rate"}
    finally:
        db.drop_database(pg_server_url, url.rsplit("/", 1)[1])
