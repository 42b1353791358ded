"""The staging suites on crafted weeks: each expectation fails on a bad partition, all pass
on good data, and only the checked partition is read."""

from __future__ import annotations

from kpi_pipeline.quality.gx_runner import run_suite
from kpi_pipeline.quality.suites import suite_for
from kpi_pipeline_tests.quality.rows import (
    dossier,
    insert_dossiers,
    insert_payments,
    insert_raw,
    insert_sync_records,
    payment,
    raw_record,
    relax,
    sync_record,
    ts,
    volume_scenario,
    week_params,
)

VALID = suite_for(("staging", "dossiers"), "valid")


def good_week() -> list[dict]:
    return [
        dossier("G-P5", procedure="P5"),
        dossier("G-P0", procedure="P0", received="2024-04-26 15:00:00"),
        dossier("G-P3-HOLIDAYS", procedure="P3", received="2024-04-26 10:00:00"),
        dossier("G-P15", procedure="P15", received="2024-05-02 08:00:00"),
        dossier(
            "G-FINISHED",
            received="2024-04-26 08:00:00",
            status=10,
            finished_at=ts("2024-05-02 16:00:00"),
            returned_at=ts("2024-05-03 09:00:00"),
        ),
        dossier("G-SLACK", push_working_days=2, unit="X2", channel=1),
    ]


def names(result) -> set[str]:
    return {o.name for o in result.outcomes}


def failed(result) -> dict[str, list[str]]:
    return {f.name: f.examples for f in result.failures}


def test_dossiers_valid_passes_on_a_good_week(conn, db):
    insert_dossiers(conn, good_week())
    result = run_suite(db, VALID, week_params(), build_docs=False)
    assert result.success, result.failures
    assert result.rows == {"batch_staging_dossier_versions": 6}
    print(f"\nstaging/dossiers valid, 6 rows: {result.seconds:.2f} s")


def test_dossiers_valid_fails_each_rule_on_a_crafted_bad_week(conn, db):
    relax(conn, "staging.dossier_versions")
    bad = [
        dossier(None),
        dossier("DUP"),
        dossier("DUP"),
        dossier("BAD-STATUS", status=11),
        dossier("BAD-CHANNEL", channel=4),
        dossier("FINISHED-FIRST", status=9, finished_at=ts("2024-04-25 08:00:00")),
        dossier("DUE-FIRST", due_at=ts("2024-04-25 08:00:00")),
        dossier("UNKNOWN-UNIT", unit="NOPE"),
        dossier("UNKNOWN-PROC", procedure="NOPE"),
        dossier("PUSHED", push_working_days=5),
    ]
    insert_dossiers(conn, good_week() + bad)
    # another week's bad rows are not this partition's business
    insert_dossiers(conn, [dossier("OTHER-WEEK", status=99)], partition_key="2024-05-03")

    result = run_suite(db, VALID, week_params(), build_docs=False)

    assert not result.success
    got = failed(result)
    assert set(got) == names(result), "every expectation has a crafted failure"
    assert got["key_not_null"] == ["None"]
    assert got["key_unique"] == ["DUP"]
    assert got["status_in_set"] == ["BAD-STATUS"]
    assert got["channel_in_set"] == ["BAD-CHANNEL"]
    assert got["received_before_finished"] == ["FINISHED-FIRST"]
    assert got["received_before_due"] == ["DUE-FIRST"]
    assert got["unit_known"] == ["UNKNOWN-UNIT"]
    assert got["procedure_known"] == ["UNKNOWN-PROC"]
    assert got["due_date_within_slack"] == ["PUSHED"]
    counts = {f.name: f.unexpected_count for f in result.failures}
    assert counts["key_unique"] == 2 and counts["due_date_within_slack"] == 1


# -- staging.dossiers: plausibility warnings -------------------------------------------------

PLAUSIBLE = suite_for(("staging", "dossiers"), "plausible")


def test_dossiers_plausible_passes_on_a_normal_week(conn, db):
    volume_scenario(conn, silent_unit=False, spike=False)
    insert_dossiers(conn, good_week())
    result = run_suite(db, PLAUSIBLE, week_params(), build_docs=False)
    assert result.success, result.failures
    assert PLAUSIBLE.severity == "warning" and not PLAUSIBLE.blocking


def test_dossiers_plausible_warns_on_a_silent_unit_a_spike_and_odd_codes(conn, db):
    volume_scenario(conn, silent_unit=True, spike=True)
    insert_dossiers(
        conn,
        [
            dossier("ODD-LATE", unit="H1", late_reason="LAZY"),
            dossier("ODD-PAY", unit="H1", payment_method="CASH"),
            dossier("NO-FINISH-DATE", unit="H1", status=9),
        ],
    )
    result = run_suite(db, PLAUSIBLE, week_params(), build_docs=False)
    got = failed(result)
    assert set(got) == names(result)
    assert got["unit_weekly_volume_plausible"] == ["SO1/2024-04-26/high", "X1/2024-04-26/silent"]
    assert got["late_reason_in_set"] == ["ODD-LATE"]
    assert got["payment_method_in_set"] == ["ODD-PAY"]
    assert got["finished_has_date"] == ["NO-FINISH-DATE"]


def test_volume_baseline_needs_history(conn, db):
    """A unit seen for the first time, or with too little history, is not judged."""
    insert_dossiers(conn, [dossier(f"NEW-{i}", unit="X2") for i in range(30)])
    result = run_suite(db, PLAUSIBLE, week_params(), build_docs=False)
    assert result.success, result.failures


# -- staging.sync_records and staging.payments -----------------------------------------------


def test_sync_records_valid(conn, db):
    suite = suite_for(("staging", "sync_records"), "valid")
    insert_sync_records(conn, [sync_record("S-OK"), sync_record("S-OK2", status=10)])
    assert run_suite(db, suite, week_params(), build_docs=False).success

    relax(conn, "staging.sync_record_versions")
    insert_sync_records(
        conn,
        [
            sync_record(None),
            sync_record("S-DUP"),
            sync_record("S-DUP"),
            sync_record("S-STATUS", status=0),
            sync_record("S-CHANNEL", channel=9),
            sync_record("S-FIN", finished_at=ts("2024-04-01 08:00:00")),
            sync_record("S-DUE", due_at=ts("2024-04-01 08:00:00")),
        ],
    )
    result = run_suite(db, suite, week_params(), build_docs=False)
    got = failed(result)
    assert set(got) == names(result)
    assert got["key_unique"] == ["S-DUP"] and got["status_in_set"] == ["S-STATUS"]
    assert got["received_before_due"] == ["S-DUE"]


def test_payments_valid_and_plausible(conn, db):
    valid = suite_for(("staging", "payments"), "valid")
    plausible = suite_for(("staging", "payments"), "plausible")
    insert_dossiers(conn, good_week())
    insert_payments(conn, [payment("T1"), payment("T2", "G-P0", status="HOAN_TIEN")])
    assert run_suite(db, valid, week_params(), build_docs=False).success
    assert run_suite(db, plausible, week_params(), build_docs=False).success

    relax(conn, "staging.payment_versions")
    insert_payments(
        conn,
        [
            payment(None),
            payment("T-DUP"),
            payment("T-DUP"),
            payment("T-NO-DOSSIER", None),
            payment("T-STATUS", status="PAID"),
            payment("T-NEGATIVE", amount=-1),
            payment("T-ORPHAN", "NOT-A-DOSSIER"),
        ],
    )
    result = run_suite(db, valid, week_params(), build_docs=False)
    got = failed(result)
    assert set(got) == names(result)
    assert got["dossier_key_not_null"] == ["T-NO-DOSSIER"]
    assert got["status_in_set"] == ["T-STATUS"]
    assert got["amount_not_negative"] == ["T-NEGATIVE"]
    warn = run_suite(db, plausible, week_params(), build_docs=False)
    assert failed(warn) == {"dossier_known": ["T-NO-DOSSIER", "T-ORPHAN"]}


# -- raw.provincial_dossiers -----------------------------------------------------------------

READABLE = suite_for(("raw", "provincial_dossiers"), "readable")


def test_raw_readable_tolerates_a_few_bad_records(conn, db):
    """One bad record in 200 is the quarantine's business (99% readable by default)."""
    good = [raw_record(f"R{i}") for i in range(199)]
    insert_raw(conn, [*good, raw_record("R-BAD", TrangThaiHoSo=42)])
    result = run_suite(db, READABLE, week_params(), build_docs=False)
    assert result.success, result.failures
    assert result.rows == {"batch_raw_provincial_dossiers": 200}


def test_raw_readable_fails_when_the_format_breaks(conn, db):
    """A portal release that renamed or reformatted fields: every rule below its share."""
    broken = [
        raw_record(None, TrangThaiHoSo="Đang xử lý", KenhThucHien="ONLINE",
                   NgayTiepNhan="2024-04-26T09:30:00", NgayCapNhat=...)
        for _ in range(10)
    ]  # fmt: skip
    insert_raw(conn, [*(raw_record(f"R{i}") for i in range(90)), *broken])
    insert_raw(conn, [raw_record(None)] * 5, partition_key="2024-05-03")  # not this week
    result = run_suite(db, READABLE, week_params(), build_docs=False)
    got = {f.name: f.unexpected_count for f in result.failures}
    assert got == {
        "key_present": 10,
        "status_code_known": 10,
        "channel_code_known": 10,
        "ngay_tiep_nhan_is_timestamp": 10,
        "ngay_cap_nhat_is_timestamp": 10,
    }
