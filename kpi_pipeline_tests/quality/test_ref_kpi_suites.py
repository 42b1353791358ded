"""The reference and KPI-table suites: every expectation fails on crafted bad rows and all
pass on good ones; KPI suites read only the checked period."""

from __future__ import annotations

from decimal import Decimal

from kpi_pipeline.quality.gx_runner import run_suite
from kpi_pipeline.quality.suites import suite_for
from kpi_pipeline_tests.kpis.helpers import COUNTS
from kpi_pipeline_tests.quality.rows import (
    insert_kpi,
    kpi_row,
    kpi_rows_for,
    month_params,
    relax,
    week_params,
)


def failed(result) -> dict[str, list[str]]:
    return {f.name: f.examples for f in result.failures}


def names(result) -> set[str]:
    return {o.name for o in result.outcomes}


def test_ref_units(conn, db):
    suite = suite_for(("ref", "units"), "valid")
    # a versioned unit: closed, then reopened after a merger (valid_to is inclusive)
    conn.execute(
        "INSERT INTO ref.units (unit_code, valid_from, valid_to, unit_name, unit_level,"
        " parent_code) VALUES ('519', '2022-01-01', '2024-12-31', 'Nông Sơn', 'HUYEN', '49')"
    )
    assert run_suite(db, suite, build_docs=False).success

    relax(conn, "ref.units")
    bad = [
        (None, "2022-01-01", None, "XA", "H1"),
        ("DUP", "2022-01-01", None, "XA", "H1"),
        ("DUP", "2022-01-01", None, "XA", "H1"),
        ("LEVEL", "2022-01-01", None, "THON", "H1"),
        ("BACKWARDS", "2023-01-01", "2022-06-30", "XA", "H1"),
        ("ORPHAN", "2022-01-01", None, "XA", "H404"),
        ("ROOTLESS", "2022-01-01", None, "XA", None),
        ("519", "2024-06-01", None, "HUYEN", "49"),  # overlaps the version above
        ("CYC-A", "2022-01-01", None, "XA", "CYC-B"),  # each other's parent
        ("CYC-B", "2022-01-01", None, "XA", "CYC-A"),
    ]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO ref.units (unit_code, valid_from, valid_to, unit_name, unit_level,"
            " parent_code) VALUES (%s, %s, %s, 'x', %s, %s)",
            bad,
        )
    result = run_suite(db, suite, build_docs=False)
    got = failed(result)
    assert set(got) == names(result)
    assert got["version_unique"] == ["DUP/2022-01-01"]
    assert got["unit_level_in_set"] == ["LEVEL/2022-01-01"]
    assert got["valid_from_before_valid_to"] == ["BACKWARDS/2023-01-01"]
    assert got["parent_known"] == ["ORPHAN/2022-01-01"]
    assert "ROOTLESS/2022-01-01" in got["only_province_without_parent"]
    assert got["versions_do_not_overlap"] == ["519/2022-01-01"]
    assert got["parents_without_cycle"] == ["CYC-A/2022-01-01", "CYC-B/2022-01-01"]


def test_ref_procedures(conn, db):
    suite = suite_for(("ref", "procedures"), "valid")
    assert run_suite(db, suite, build_docs=False).success

    relax(conn, "ref.procedures")
    bad = [
        (None, "TINH", 3, 5),
        ("DUP", "TINH", 3, 5),
        ("DUP", "TINH", 3, 5),
        ("LEVEL", "SO_NGANH", 3, 5),
        ("SERVICE", "XA", 5, 5),
        ("DAYS", "XA", 3, 3650),
    ]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO ref.procedures (procedure_code, procedure_name, unit_level,"
            " service_level, fully_online, integrated, has_fee, online_payment, processing_days)"
            " VALUES (%s, 'x', %s, %s, false, false, false, false, %s)",
            bad,
        )
    got = failed(run_suite(db, suite, build_docs=False))
    assert set(got) == {
        "key_not_null",
        "key_unique",
        "unit_level_in_set",
        "service_level_in_set",
        "processing_days_plausible",
    }
    assert got["processing_days_plausible"] == ["DAYS"]


WEEK, NEXT = "2024-04-26", "2024-05-03"


def test_kpi_weekly_valid_and_complete_on_good_rows(conn, db):
    insert_kpi(conn, "unit_kpi_weekly", kpi_rows_for(WEEK))
    for check in ("valid", "complete"):
        result = run_suite(db, suite_for(("kpi", "unit_kpi_weekly"), check), week_params(),
                           build_docs=False)  # fmt: skip
        assert result.success, (check, result.failures)
    assert result.rows == {} and len(result.outcomes) == 1


def test_kpi_weekly_valid_fails_each_rule(conn, db):
    suite = suite_for(("kpi", "unit_kpi_weekly"), "valid")
    relax(conn, "kpi.unit_kpi_weekly")  # the real table refuses rates outside 0..1 itself
    rows = kpi_rows_for(WEEK)
    rows.append(dict(rows[0]))  # duplicate key (49, unit)

    def row(unit: str, scope: str = "unit") -> dict:
        return next(r for r in rows if r["unit_code"] == unit and r["scope"] == scope)

    row("X1").update(scope="own", unit_level="COMMUNE")
    row("X2").update(finished_on_time=5, on_time_rate=Decimal("1.25"), online_band="blue")
    row("H1").update(received=100, digitisation_rate=Decimal("0.07"))  # its roll-up has 30
    row("SO1", "rollup").update(online_rate=Decimal("0.5"))  # 5/8 really
    zero = dict.fromkeys(COUNTS, 0)
    rows += [
        kpi_row(WEEK, "Z1", **zero) | {"on_time_rate": Decimal(0)},  # 0/0 is null, not 0
        kpi_row(WEEK, "Z2", received_online=11, online_eligible=11, payment_eligible=12)
        | {"overall_band": "grey"},
        kpi_row(WEEK, "Z3", paid_online=3) | {"online_payment_band": "purple"},  # 3 of 2
        kpi_row(WEEK, "Z4", digitised=11) | {"on_time_band": "purple"},
        kpi_row(WEEK, "Z5", online_eligible_received_online=9),  # 9 of 8
    ]
    insert_kpi(conn, "unit_kpi_weekly", rows)
    insert_kpi(conn, "unit_kpi_weekly", [kpi_row(NEXT, "X1", "own")])  # another week

    result = run_suite(db, suite, week_params(), build_docs=False)

    got = failed(result)
    assert set(got) == names(result), "every expectation has a crafted failure"
    assert got["key_unique"] == ["2024-04-26/49/unit"]
    assert got["scope_in_set"] == ["2024-04-26/X1/own"]
    assert got["unit_level_in_set"] == ["2024-04-26/X1/own"]
    assert got["on_time_rate_within_0_1"] == ["2024-04-26/X2/unit"]
    assert got["online_rate_within_0_1"] == ["2024-04-26/Z5/unit"]
    assert got["online_payment_rate_within_0_1"] == ["2024-04-26/Z3/unit"]
    assert got["digitisation_rate_within_0_1"] == ["2024-04-26/Z4/unit"]
    assert got["finished_on_time_not_above_finished"] == ["2024-04-26/X2/unit"]
    assert got["online_eligible_received_online_not_above_online_eligible"] == [
        "2024-04-26/Z5/unit"
    ]
    assert got["paid_online_not_above_payment_eligible"] == ["2024-04-26/Z3/unit"]
    assert got["digitised_not_above_received"] == ["2024-04-26/Z4/unit"]
    assert got["received_online_not_above_received"] == ["2024-04-26/Z2/unit"]
    assert got["online_eligible_not_above_received"] == ["2024-04-26/Z2/unit"]
    assert got["payment_eligible_not_above_received"] == ["2024-04-26/Z2/unit"]
    assert got["online_band_in_set"] == ["2024-04-26/X2/unit"]
    assert got["overall_band_in_set"] == ["2024-04-26/Z2/unit"]
    assert got["on_time_band_in_set"] == ["2024-04-26/Z4/unit"]
    assert got["online_payment_band_in_set"] == ["2024-04-26/Z3/unit"]
    assert set(got["rates_match_counts"]) == {
        "2024-04-26/SO1/rollup/online_rate",
        "2024-04-26/Z1/unit/on_time_rate",
    }
    assert got["rollup_not_below_unit"] == ["2024-04-26/H1", "2024-04-26/X2"]


def test_kpi_complete_warns_about_missing_units(conn, db):
    suite = suite_for(("kpi", "unit_kpi_weekly"), "complete")
    rows = [r for r in kpi_rows_for(WEEK) if r["unit_code"] != "X2"]
    rows = [r for r in rows if not (r["unit_code"] == "H1" and r["scope"] == "rollup")]
    insert_kpi(conn, "unit_kpi_weekly", rows)
    result = run_suite(db, suite, week_params(), build_docs=False)
    assert suite.severity == "warning"
    assert failed(result) == {
        "every_unit_has_rows": [
            "2024-04-26/H1/rollup",
            "2024-04-26/X2/rollup",
            "2024-04-26/X2/unit",
        ]
    }


def test_kpi_monthly_reads_the_month(conn, db):
    valid = suite_for(("kpi", "unit_kpi_monthly"), "valid")
    complete = suite_for(("kpi", "unit_kpi_monthly"), "complete")
    insert_kpi(conn, "unit_kpi_monthly", kpi_rows_for("2024-04-01"))
    relax(conn, "kpi.unit_kpi_monthly")
    insert_kpi(conn, "unit_kpi_monthly", [kpi_row("2024-05-01", "X1", "own")])
    assert run_suite(db, valid, month_params("2024-04-01"), build_docs=False).success
    assert run_suite(db, complete, month_params("2024-04-01"), build_docs=False).success
    may = run_suite(db, valid, month_params("2024-05-01"), build_docs=False)
    assert failed(may)["scope_in_set"] == ["2024-05-01/X1/own"]
    missing = run_suite(db, complete, month_params("2024-05-01"), build_docs=False)
    assert len(failed(missing)["every_unit_has_rows"]) == 10  # 5 units x 2 scopes ("own" is none)
