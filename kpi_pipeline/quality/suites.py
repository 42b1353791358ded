"""The expectation suites, kept as code in one place: which rows each asset check validates
(a query in sql/quality/, restricted to the partitions of the run) and what it expects.

`severity` "ERROR" suites are blocking asset checks (a failure stops the KPI assets
downstream in the same run); "WARN" suites are reported and do not block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from psycopg import sql

from kpi_pipeline.quality.config import QualityConfig
from kpi_pipeline.warehouse.db import sql_text

STATUSES = list(range(1, 11))
CHANNELS = [1, 2, 3]
UNIT_LEVELS = ["TINH", "SO_NGANH", "HUYEN", "XA"]
BANDS = ["green", "yellow", "orange", "red"]
RATES = ["on_time_rate", "online_rate", "online_payment_rate", "digitisation_rate"]
# (numerator, denominator) pairs of the KPI contract.
FRACTIONS = [
    ("finished_on_time", "finished"),
    ("online_eligible_received_online", "online_eligible"),
    ("online_eligible", "received"),
    ("received_online", "received"),
    ("paid_online", "payment_eligible"),
    ("payment_eligible", "received"),
    ("digitised", "received"),
]


@dataclass(frozen=True)
class Suite:
    name: str
    asset: tuple[str, ...]  # the asset key path the check is attached to
    severity: str  # ERROR (blocking) or WARN
    query: str  # sql/quality/<query>.sql, with {keys} for the run's partition keys
    key_column: str | None
    description: str
    expectations: Callable[[QualityConfig], list]

    def batch_query(self, conn, keys: list[str] | None) -> str:
        """The suite's rows as literal SQL for GX (keys bound as a quoted literal)."""
        text = _without_comments(sql_text(f"quality/{self.query}"))
        if "{keys}" not in text:
            return text
        return sql.SQL(text).format(keys=sql.Literal(keys or [])).as_string(conn)


def _without_comments(text: str) -> str:
    """GX wants a query that starts with SELECT or WITH."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))


def _unexpected(name: str, description: str, **values) -> object:
    import great_expectations as gx

    text = _without_comments(sql_text(f"quality/{name}"))
    bound = {k: str(v) for k, v in values.items()}
    for k, v in bound.items():
        text = text.replace("{" + k + "}", v)
    return gx.expectations.UnexpectedRowsExpectation(
        unexpected_rows_query=text, description=description
    )


def _raw_dossiers(cfg: QualityConfig) -> list:
    import great_expectations as gx

    E = gx.expectations
    return [
        E.ExpectColumnValuesToNotBeNull(column="ma_ho_so"),
        E.ExpectColumnValuesToNotBeNull(column="updated_text"),
        E.ExpectColumnValuesToBeInSet(column="status_text", value_set=[str(s) for s in STATUSES]),
        E.ExpectColumnValuesToBeInSet(column="channel_text", value_set=[str(c) for c in CHANNELS]),
    ]


def _staged_dossiers(cfg: QualityConfig) -> list:
    import great_expectations as gx

    E = gx.expectations
    return [
        E.ExpectCompoundColumnsToBeUnique(column_list=["partition_key", "ma_ho_so"]),
        *[
            E.ExpectColumnValuesToNotBeNull(column=c)
            for c in ("ma_ho_so", "unit_code", "procedure_code", "received_at", "due_at")
        ],
        E.ExpectColumnValuesToBeInSet(column="status", value_set=STATUSES),
        E.ExpectColumnValuesToBeInSet(column="channel", value_set=CHANNELS),
        E.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="finished_at",
            column_B="received_at",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            description="received <= finished",
        ),
        E.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="due_at", column_B="received_at", or_equal=True, description="received <= due"
        ),
        _unexpected("unexpected_unknown_units", "every dossier's unit is in ref.units"),
        _unexpected(
            "unexpected_unknown_procedures", "every dossier's procedure is in ref.procedures"
        ),
        _unexpected(
            "unexpected_inflated_due_dates",
            f"due date within the procedure's processing time + "
            f"{cfg.due_date_slack_working_days} working day(s) of receipt",
            slack=cfg.due_date_slack_working_days,
        ),
    ]


def _row_counts(cfg: QualityConfig) -> list:
    return [
        _unexpected(
            "unexpected_silent_units",
            f"each unit's weekly dossiers stay above {cfg.min_ratio:.0%} of its "
            f"{cfg.lookback_weeks}-week average",
            lookback=cfg.lookback_weeks,
            min_average=cfg.min_average,
            min_ratio=cfg.min_ratio,
        )
    ]


def _sync_records(cfg: QualityConfig) -> list:
    import great_expectations as gx

    E = gx.expectations
    return [
        E.ExpectCompoundColumnsToBeUnique(column_list=["partition_key", "ma_ho_so"]),
        E.ExpectColumnValuesToNotBeNull(column="ma_ho_so"),
        E.ExpectColumnValuesToBeInSet(column="status", value_set=STATUSES),
        E.ExpectColumnValuesToBeInSet(column="channel", value_set=CHANNELS),
    ]


def _payments(cfg: QualityConfig) -> list:
    import great_expectations as gx

    E = gx.expectations
    return [
        E.ExpectCompoundColumnsToBeUnique(column_list=["partition_key", "transaction_id"]),
        E.ExpectColumnValuesToNotBeNull(column="ma_ho_so"),
        E.ExpectColumnValuesToBeInSet(
            column="status", value_set=["THANH_CONG", "THAT_BAI", "HOAN_TIEN"]
        ),
        E.ExpectColumnValuesToBeBetween(column="amount", min_value=0),
    ]


def _units(cfg: QualityConfig) -> list:
    import great_expectations as gx

    E = gx.expectations
    return [
        E.ExpectCompoundColumnsToBeUnique(column_list=["unit_code", "valid_from"]),
        E.ExpectColumnValuesToBeInSet(column="unit_level", value_set=UNIT_LEVELS),
        E.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="valid_to",
            column_B="valid_from",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            description="valid_from <= valid_to",
        ),
        _unexpected("unexpected_units_without_parent", "every parent unit is known"),
    ]


def _procedures(cfg: QualityConfig) -> list:
    import great_expectations as gx

    E = gx.expectations
    return [
        E.ExpectColumnValuesToBeUnique(column="procedure_code"),
        E.ExpectColumnValuesToBeInSet(column="service_level", value_set=[2, 3, 4]),
        E.ExpectColumnValuesToBeInSet(column="unit_level", value_set=["TINH", "HUYEN", "XA"]),
        E.ExpectColumnValuesToBeBetween(column="processing_days", min_value=0, max_value=365),
    ]


def _kpis(cfg: QualityConfig) -> list:
    import great_expectations as gx

    E = gx.expectations
    return [
        E.ExpectCompoundColumnsToBeUnique(column_list=["period_start", "unit_code", "scope"]),
        E.ExpectColumnValuesToBeInSet(column="scope", value_set=["unit", "rollup"]),
        *[E.ExpectColumnValuesToBeBetween(column=r, min_value=0, max_value=1) for r in RATES],
        *[
            E.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=den, column_B=num, or_equal=True, description=f"{num} <= {den}"
            )
            for num, den in FRACTIONS
        ],
        *[
            E.ExpectColumnValuesToBeInSet(column=b, value_set=BANDS)
            for b in ("on_time_band", "online_band", "online_payment_band", "overall_band")
        ],
    ]


SUITES = [
    Suite("raw_dossiers_shape", ("raw", "provincial_dossiers"), "WARN", "select_raw_dossiers",
          "ma_ho_so", "Raw records carry a key, a change time and known codes (bad ones are "
          "quarantined by staging, so this warns).", _raw_dossiers),
    Suite("staged_dossiers_valid", ("staging", "dossiers"), "ERROR", "select_dossier_versions",
          "ma_ho_so", "Staged dossiers: unique keys, known codes, ordered dates, known unit and "
          "procedure, due dates consistent with processing time in working days.",
          _staged_dossiers),
    Suite("weekly_row_counts", ("staging", "dossiers"), "WARN", "select_dossier_versions",
          None, "Each unit's weekly volume within a plausible range of its previous weeks.",
          _row_counts),
    Suite("staged_sync_records_valid", ("staging", "sync_records"), "ERROR",
          "select_sync_record_versions", "ma_ho_so", "National sync records: unique, known codes.",
          _sync_records),
    Suite("staged_payments_valid", ("staging", "payments"), "ERROR", "select_payment_versions",
          "transaction_id", "National payments: unique transactions, known statuses.", _payments),
    Suite("units_valid", ("ref", "units"), "ERROR", "select_units", "unit_code",
          "Unit versions unique, levels known, parents known, validity ordered.", _units),
    Suite("procedures_valid", ("ref", "procedures"), "ERROR", "select_procedures",
          "procedure_code", "Procedure catalogue: unique codes, levels 2-4, sane processing time.",
          _procedures),
    Suite("unit_kpi_weekly_valid", ("kpi", "unit_kpi_weekly"), "ERROR", "select_unit_kpi_weekly",
          "unit_code", "Rates within 0..1, numerators <= denominators, one row per unit/scope.",
          _kpis),
    Suite("unit_kpi_monthly_valid", ("kpi", "unit_kpi_monthly"), "ERROR",
          "select_unit_kpi_monthly", "unit_code",
          "Rates within 0..1, numerators <= denominators, one row per unit/scope.", _kpis),
]  # fmt: skip
