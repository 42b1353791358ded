"""The expectation suites, as code, in one place: what each checked asset must satisfy.

A `Suite` is one Dagster asset check: an asset, a severity (errors block downstream assets,
warnings do not), the period its rows are restricted to, and one or more `Batch`es, each a
query in `sql/quality/batch_*.sql` with the GX expectations it must meet. Rules GX has no
built-in for (the working-day due date, known units and procedures, weekly volumes, KPI
roll-ups) are `UnexpectedRowsExpectation`s whose SQL is in `sql/quality/unexpected_*.sql`.

Great Expectations is imported only when a suite's expectations are built (at check run
time), never when the code location loads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from kpi_pipeline.domain.headline import HEADLINE
from kpi_pipeline.domain.quality_config import QualityConfig
from kpi_pipeline.quality.sql import unexpected_rows_sql

Severity = Literal["error", "warning"]
Period = Literal["week", "month"] | None

STATUSES = list(range(1, 11))  # TrangThaiHoSo 1..10
CHANNELS = [1, 2, 3]  # KenhThucHien: in person, online, postal
UNIT_LEVELS = ["TINH", "SO_NGANH", "HUYEN", "XA"]
PROCEDURE_LEVELS = ["TINH", "HUYEN", "XA"]  # CapThucHien
SERVICE_LEVELS = [2, 3, 4]  # MucDo
PAYMENT_STATUSES = ["THANH_CONG", "THAT_BAI", "HOAN_TIEN"]
LATE_REASONS = ["KHACH_QUAN", "CHU_QUAN"]
PAYMENT_METHODS = ["TRUC_TUYEN", "TRUC_TIEP"]
SCOPES = ["unit", "rollup"]
BANDS = ["green", "yellow", "orange", "red"]
RATES = [*(k.rate for k in HEADLINE), "digitisation_rate"]
# (numerator, denominator): a subset is never larger than its set.
KPI_SUBSETS = [
    *((k.numerator, k.denominator) for k in HEADLINE),
    ("digitised", "received"),
    ("received_online", "received"),
    ("online_eligible", "received"),
    ("payment_eligible", "received"),
]


class Build:
    """What an expectations builder gets: the config, the period parameters and helpers that
    name each expectation (`meta.name`, the key of the check metadata) and set its severity."""

    def __init__(self, config: QualityConfig, params: Mapping[str, object], severity: Severity):
        import great_expectations.expectations as gxe  # lazy: 3-4 s

        self.gxe = gxe
        self.config = config
        self.params = params
        self.severity = "critical" if severity == "error" else "warning"

    def expect(self, name: str, kind: str, **kwargs):
        """A built-in GX expectation `kind` (class name), named `name`."""
        return getattr(self.gxe, kind)(meta={"name": name}, severity=self.severity, **kwargs)

    def rows(self, name: str, sql_name: str, description: str, keys=None, **params):
        """No rows from `sql/quality/<sql_name>.sql` (an `UnexpectedRowsExpectation`); `keys`
        are the result columns that identify an example (default: the first column)."""
        meta = {"name": name, "sql": f"sql/quality/{sql_name}.sql"}
        if keys:
            meta["keys"] = list(keys)
        return self.gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=unexpected_rows_sql(sql_name, params),
            description=description,
            meta=meta,
            severity=self.severity,
        )

    def record(self, name: str, sql_name: str, description: str, **params):
        """A record-level rule: rows of `sql/quality/<sql_name>.sql`, the record's key first
        and a `unit_code` column. The runner counts them per unit and a blocking
        suite fails only above `records.max_share` of the batch: one bad dossier is flagged
        and named, never a reason to hold the province's week back."""
        expectation = self.rows(name, sql_name, description, **params)
        expectation.meta["record_rule"] = True
        return expectation


Builder = Callable[[Build], list]


@dataclass(frozen=True)
class Batch:
    """The rows of one query (`sql/quality/batch_<query>.sql`) and what they must satisfy."""

    query: str
    key_columns: tuple[str, ...]  # what identifies a row in the examples
    expectations: Builder


@dataclass(frozen=True)
class Suite:
    asset: tuple[str, ...]
    check: str  # the Dagster check name, unique per asset
    severity: Severity
    period: Period  # the asset's partitioning; None: the whole table
    description: str
    batches: tuple[Batch, ...]
    additional_deps: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def name(self) -> str:
        """The GX suite name and the Data Docs folder: `staging_dossiers_valid`."""
        return "_".join((*self.asset, self.check))

    @property
    def blocking(self) -> bool:
        return self.severity == "error"


# -- raw ------------------------------------------------------------------------------------


def _raw_provincial_dossiers(b: Build) -> list:
    mostly = b.config.min_readable_share
    return [
        b.expect("key_present", "ExpectColumnValuesToNotBeNull", column="ma_ho_so", mostly=mostly),
        b.expect(
            "status_code_known",
            "ExpectColumnValuesToBeInSet",
            column="trang_thai_ho_so",
            value_set=[str(s) for s in STATUSES],
            mostly=mostly,
        ),
        b.expect(
            "channel_code_known",
            "ExpectColumnValuesToBeInSet",
            column="kenh_thuc_hien",
            value_set=[str(c) for c in CHANNELS],
            mostly=mostly,
        ),
        *(
            b.expect(
                f"{col}_is_timestamp",
                "ExpectColumnValuesToMatchRegex",
                column=col,
                regex=r"^[0-9]{14}$",
                mostly=mostly,
            )
            for col in ("ngay_tiep_nhan", "ngay_cap_nhat")
        ),
    ]


# -- staging --------------------------------------------------------------------------------


def _key(b: Build, column: str) -> list:
    return [
        b.expect("key_not_null", "ExpectColumnValuesToNotBeNull", column=column),
        b.expect("key_unique", "ExpectColumnValuesToBeUnique", column=column),
    ]


def _ordered(b: Build, name: str, later: str, earlier: str):
    return b.expect(
        name,
        "ExpectColumnPairValuesAToBeGreaterThanB",
        column_A=later,
        column_B=earlier,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
    )


def _dossier_codes_and_dates(b: Build) -> list:
    return [
        b.record(
            "status_in_set",
            "unexpected_dossier_status_unknown",
            f"The status (TrangThaiHoSo) is one of {STATUSES[0]}..{STATUSES[-1]}.",
        ),
        b.record(
            "channel_in_set",
            "unexpected_dossier_channel_unknown",
            f"The channel (KenhThucHien) is one of {CHANNELS}.",
        ),
        b.record(
            "received_before_finished",
            "unexpected_dossier_finished_before_received",
            "Received (NgayTiepNhan) no later than finished (NgayKetThucXuLy).",
        ),
        b.record(
            "received_before_due",
            "unexpected_dossier_due_before_received",
            "Received (NgayTiepNhan) no later than due (NgayHenTra).",
        ),
    ]


def _staging_dossiers_valid(b: Build) -> list:
    return [
        *_key(b, "ma_ho_so"),
        *_dossier_codes_and_dates(b),
        b.record(
            "unit_known",
            "unexpected_dossier_unit_unknown",
            "Every dossier's receiving unit (MaDonVi) is in ref.units.",
        ),
        b.record(
            "procedure_known",
            "unexpected_dossier_procedure_unknown",
            "Every dossier's procedure (MaTTHC) is in ref.procedures.",
        ),
        b.record(
            "due_date_within_slack",
            "unexpected_due_date_beyond_slack",
            "The due date (NgayHenTra) is at most the procedure's processing time plus "
            f"{b.config.slack_working_days} working days after receipt (weekends, LE/BU days "
            "off and LAM_BU working Saturdays from ref.holidays).",
            slack=b.config.slack_working_days,
        ),
    ]


def _staging_dossiers_plausible(b: Build) -> list:
    return [
        b.expect(
            "late_reason_in_set",
            "ExpectColumnValuesToBeInSet",
            column="late_reason",
            value_set=LATE_REASONS,
        ),
        b.expect(
            "payment_method_in_set",
            "ExpectColumnValuesToBeInSet",
            column="payment_method",
            value_set=PAYMENT_METHODS,
        ),
        b.record(
            "finished_has_date",
            "unexpected_dossier_finished_without_date",
            "A dossier finished (9) or returned (10) has a finish date (NgayKetThucXuLy).",
        ),
    ]


def _weekly_volume(b: Build) -> list:
    v = b.config.volume
    return [
        b.rows(
            "unit_weekly_volume_plausible",
            "unexpected_unit_week_volume",
            f"Each unit receives between {v.low_ratio} and {v.high_ratio} times its baseline "
            f"(median per working day over the previous {v.history_weeks} weeks, times the "
            f"week's working days), when at least {v.min_expected} dossiers are expected; "
            "'silent' is a unit that suddenly reports nothing.",
            keys=("unit_code", "week_start", "issue"),
            low_ratio=v.low_ratio,
            high_ratio=v.high_ratio,
            min_expected=v.min_expected,
        )
    ]


def _staging_sync_records_valid(b: Build) -> list:
    return [*_key(b, "ma_ho_so"), *_dossier_codes_and_dates(b)]


def _staging_payments_valid(b: Build) -> list:
    return [
        *_key(b, "transaction_id"),
        b.expect("dossier_key_not_null", "ExpectColumnValuesToNotBeNull", column="ma_ho_so"),
        b.expect(
            "status_in_set",
            "ExpectColumnValuesToBeInSet",
            column="status",
            value_set=PAYMENT_STATUSES,
        ),
        b.expect(
            "amount_not_negative", "ExpectColumnValuesToBeBetween", column="amount", min_value=0
        ),
    ]


def _staging_payments_plausible(b: Build) -> list:
    return [
        b.rows(
            "dossier_known",
            "unexpected_payment_dossier_unknown",
            "Every national payment transaction is for a dossier in staging.dossiers.",
        )
    ]


# -- reference ------------------------------------------------------------------------------


def _ref_units_valid(b: Build) -> list:
    return [
        b.expect("code_not_null", "ExpectColumnValuesToNotBeNull", column="unit_code"),
        b.expect(
            "version_unique",
            "ExpectCompoundColumnsToBeUnique",
            column_list=["unit_code", "valid_from"],
        ),
        b.expect(
            "unit_level_in_set",
            "ExpectColumnValuesToBeInSet",
            column="unit_level",
            value_set=UNIT_LEVELS,
        ),
        _ordered(b, "valid_from_before_valid_to", "valid_to", "valid_from"),
        b.rows(
            "parent_known",
            "unexpected_unit_parent_unknown",
            "Every unit's parent (MaDonViCha) is a unit.",
            keys=("unit_code", "valid_from"),
        ),
        b.rows(
            "parents_without_cycle",
            "unexpected_unit_parent_cycle",
            "No unit's chain of parents comes back on itself (it would leave the roll-ups).",
            keys=("unit_code", "valid_from"),
        ),
        b.rows(
            "only_province_without_parent",
            "unexpected_unit_root_mismatch",
            "The province (TINH) has no parent; every other unit has one.",
            keys=("unit_code", "valid_from"),
        ),
        b.rows(
            "versions_do_not_overlap",
            "unexpected_unit_versions_overlap",
            "No two versions of a unit are valid on the same day.",
            keys=("unit_code", "valid_from"),
        ),
    ]


def _ref_procedures_valid(b: Build) -> list:
    return [
        *_key(b, "procedure_code"),
        b.expect(
            "unit_level_in_set",
            "ExpectColumnValuesToBeInSet",
            column="unit_level",
            value_set=PROCEDURE_LEVELS,
        ),
        b.expect(
            "service_level_in_set",
            "ExpectColumnValuesToBeInSet",
            column="service_level",
            value_set=SERVICE_LEVELS,
        ),
        b.expect(
            "processing_days_plausible",
            "ExpectColumnValuesToBeBetween",
            column="processing_days",
            min_value=0,
            max_value=b.config.max_processing_days,
        ),
    ]


# -- KPI tables -----------------------------------------------------------------------------


def _kpi_valid(b: Build) -> list:
    return [
        b.expect(
            "key_unique",
            "ExpectCompoundColumnsToBeUnique",
            column_list=["period_start", "unit_code", "scope"],
        ),
        b.expect("scope_in_set", "ExpectColumnValuesToBeInSet", column="scope", value_set=SCOPES),
        b.expect(
            "unit_level_in_set",
            "ExpectColumnValuesToBeInSet",
            column="unit_level",
            value_set=UNIT_LEVELS,
        ),
        *(
            b.expect(
                f"{rate}_within_0_1",
                "ExpectColumnValuesToBeBetween",
                column=rate,
                min_value=0,
                max_value=1,
            )
            for rate in RATES
        ),
        *(
            b.expect(
                f"{num}_not_above_{den}",
                "ExpectColumnPairValuesAToBeGreaterThanB",
                column_A=den,
                column_B=num,
                or_equal=True,
            )
            for num, den in KPI_SUBSETS
        ),
        *(
            b.expect(f"{col}_in_set", "ExpectColumnValuesToBeInSet", column=col, value_set=BANDS)
            for col in (*(k.band for k in HEADLINE), "overall_band")
        ),
        b.rows(
            "rates_match_counts",
            "unexpected_kpi_rate_mismatch",
            "Every rate is numerator / denominator, null exactly when the denominator is 0.",
            keys=("period_start", "unit_code", "scope", "kpi"),
        ),
        b.rows(
            "rollup_not_below_unit",
            "unexpected_kpi_rollup_below_unit",
            "A unit's roll-up counts at least its own dossiers, count by count.",
            keys=("period_start", "unit_code"),
        ),
    ]


def _kpi_complete(b: Build) -> list:
    return [
        b.rows(
            "every_unit_has_rows",
            "unexpected_kpi_units_missing",
            "Every unit valid in the period has its `unit` and `rollup` rows.",
            keys=("period_start", "unit_code", "scope"),
            start=b.params["start"],
            end=b.params["end"],
            step=b.params["step"],
        )
    ]


KPI_KEYS = ("period_start", "unit_code", "scope")
DOSSIER_KEYS = ("ma_ho_so",)


def _kpi_suites(table: str, period: Period) -> list[Suite]:
    batch = f"batch_kpi_{table}"
    return [
        Suite(
            asset=("kpi", table),
            check="valid",
            severity="error",
            period=period,
            description=f"kpi.{table} of the period: unique keys, codes in their sets, rates "
            "within 0..1 and equal to their counts, numerators <= denominators, roll-ups >= "
            "own counts. Blocks the reports.",
            batches=(Batch(batch, KPI_KEYS, _kpi_valid),),
        ),
        Suite(
            asset=("kpi", table),
            check="complete",
            severity="warning",
            period=period,
            description=f"kpi.{table} of the period has rows for every unit valid in it.",
            batches=(Batch(batch, KPI_KEYS, _kpi_complete),),
        ),
    ]


SUITES: list[Suite] = [
    Suite(
        asset=("raw", "provincial_dossiers"),
        check="readable",
        severity="error",
        period="week",
        description="The week's raw provincial records carry a key, known status and channel "
        "codes and parseable timestamps (at least raw.min_readable_share of them): below that "
        "the pull or the portal's format is broken. Blocks staging.",
        batches=(
            Batch(
                "batch_raw_provincial_dossiers",
                ("partition_key", "page", "ma_ho_so"),
                _raw_provincial_dossiers,
            ),
        ),
    ),
    Suite(
        asset=("staging", "dossiers"),
        check="valid",
        severity="error",
        period="week",
        description="The week's conformed dossiers: unique keys, status and channel codes, "
        "dates in order, unit and procedure known, due date consistent with the procedure's "
        "processing time in working days. Blocks the KPI tables.",
        batches=(Batch("batch_staging_dossier_versions", DOSSIER_KEYS, _staging_dossiers_valid),),
    ),
    Suite(
        asset=("staging", "dossiers"),
        check="plausible",
        severity="warning",
        period="week",
        description="Each unit's weekly volume against its recent weeks (a unit that suddenly "
        "reports nothing), late-reason and payment-method codes, finished dossiers dated.",
        batches=(
            Batch("batch_staging_weekly_volume", ("unit_code", "week_start"), _weekly_volume),
            Batch("batch_staging_dossier_versions", DOSSIER_KEYS, _staging_dossiers_plausible),
        ),
    ),
    Suite(
        asset=("staging", "sync_records"),
        check="valid",
        severity="error",
        period="week",
        description="The week's national sync records: unique keys, codes in their sets, dates "
        "in order. Blocks the sync reconciliation.",
        batches=(
            Batch("batch_staging_sync_record_versions", DOSSIER_KEYS, _staging_sync_records_valid),
        ),
    ),
    Suite(
        asset=("staging", "payments"),
        check="valid",
        severity="error",
        period="week",
        description="The week's national payment transactions: unique keys, a dossier key, "
        "known status, no negative amount. Blocks the online-payment KPI.",
        batches=(
            Batch("batch_staging_payment_versions", ("transaction_id",), _staging_payments_valid),
        ),
    ),
    Suite(
        asset=("staging", "payments"),
        check="plausible",
        severity="warning",
        period="week",
        description="The week's national payments are for dossiers the provincial data holds.",
        batches=(
            Batch(
                "batch_staging_payment_versions",
                ("transaction_id",),
                _staging_payments_plausible,
            ),
        ),
        # run after the week's dossiers when both are in the run
        additional_deps=(("staging", "dossiers"),),
    ),
    Suite(
        asset=("ref", "units"),
        check="valid",
        severity="error",
        period=None,
        description="Unit versions: unique, known levels, valid_from <= valid_to, parents "
        "known, only the province without a parent, no overlapping versions.",
        batches=(Batch("batch_ref_units", ("unit_code", "valid_from"), _ref_units_valid),),
    ),
    Suite(
        asset=("ref", "procedures"),
        check="valid",
        severity="error",
        period=None,
        description="Procedures: unique codes, known unit and service levels, a plausible "
        "processing time.",
        batches=(Batch("batch_ref_procedures", ("procedure_code",), _ref_procedures_valid),),
    ),
    *_kpi_suites("unit_kpi_weekly", "week"),
    *_kpi_suites("unit_kpi_monthly", "month"),
]


def suite_for(asset: tuple[str, ...] | list[str], check: str) -> Suite:
    for s in SUITES:
        if s.asset == tuple(asset) and s.check == check:
            return s
    raise KeyError(f"no quality suite {check!r} on {'/'.join(asset)}")
