"""What the reports' indicator sections say (issue 15), as plain data: late for subjective
reasons and the online payment drill-down in the Friday report; the cumulative periods, the
766-style score and the breakdown by field in the monthly report. No database, no rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kpi_pipeline.reports.model import KpiFigures, ProcedureCount


@dataclass(frozen=True)
class LateSubjectiveRow:
    """A unit's dossiers finished late for subjective reasons (LyDoTreHan = CHU_QUAN)."""

    unit_code: str
    unit_name: str
    unit_level: str
    finished: int
    finished_late: int
    late_subjective: int


@dataclass(frozen=True)
class UnpaidDossier:
    ma_ho_so: str
    unit_code: str
    procedure_code: str
    procedure_name: str
    received_at: datetime
    provincial_method: str | None  # ThanhToan.HinhThuc
    national_status: str | None  # latest national transaction; None: no transaction


@dataclass(frozen=True)
class PaymentDrilldown:
    """Why a unit's online payment rate is red: the procedures and dossiers payable online but
    not paid online (its own dossiers, as in the report's unit table)."""

    unit_code: str
    unit_name: str
    rate: float | None
    paid_online: int
    payment_eligible: int
    procedures: tuple[ProcedureCount, ...] = ()  # count = not paid online, total = payable
    dossiers: tuple[UnpaidDossier, ...] = ()
    dossiers_total: int = 0  # every unpaid dossier (the list shows the first TOP)


@dataclass(frozen=True)
class WeeklyIndicators:
    """The Friday report's indicator sections."""

    province_finished: int = 0
    province_finished_late: int = 0
    province_late_subjective: int = 0
    late_subjective: tuple[LateSubjectiveRow, ...] = ()  # units with one or more, most first
    payment_drilldowns: tuple[PaymentDrilldown, ...] = ()  # units whose payment band is red


# -- the monthly report ---------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodFigures(KpiFigures):
    """The province's counts and rates over one (cumulative) period."""

    label: str
    start: date
    end: date  # exclusive
    complete: bool
    finished_late_subjective: int = 0


@dataclass(frozen=True)
class CumulativeComparison:
    """A cumulative period beside the same period a year before (None: not computed, e.g.
    before the history start), with the map the figures are on."""

    kind: str  # month | quarter | year_to_date
    current: PeriodFigures
    previous: PeriodFigures | None
    on_current_map: bool = False


@dataclass(frozen=True)
class ScoreRow:
    """The project's 766-style score of a unit and month beside the national portal's
    published figures (kpi.unit_score_monthly)."""

    unit_code: str
    unit_name: str
    unit_level: str
    score: float | None
    score_points: float | None
    max_points: float
    national_on_time_pct: float | None
    national_online_pct: float | None
    national_online_payment_pct: float | None
    own_compared_points: float | None
    national_compared_points: float | None
    diff_points: float | None


@dataclass(frozen=True)
class FieldRow:
    """One field (lĩnh vực) of a unit's roll-up in the month."""

    unit_code: str
    unit_name: str
    unit_level: str
    field_code: str
    field_name: str
    received: int
    finished: int
    finished_on_time: int
    online_eligible: int
    online_eligible_received_online: int
    on_time_rate: float | None
    online_rate: float | None
    on_time_band: str | None
    online_band: str | None


@dataclass(frozen=True)
class CatalogueRow:
    """The procedure catalogue of one level of government at the month's end (the versions
    in force then: kpi.procedure_catalogue_monthly)."""

    unit_level: str
    procedures: int
    procedures_level4: int
    procedures_online_eligible: int
    level4_share: float | None
    level4_band: str | None


@dataclass(frozen=True)
class MonthlyReportData:
    """The monthly report: the month, the quarter and the year to date against the same
    periods a year before, the 766-style score, and the breakdown by field."""

    month: date
    province_code: str
    province_name: str
    comparisons: tuple[CumulativeComparison, ...]
    scores: tuple[ScoreRow, ...] = ()
    score_province: ScoreRow | None = None
    fields: tuple[FieldRow, ...] = ()  # the province's first, then each district's
    catalogue: tuple[CatalogueRow, ...] = ()  # TINH, HUYEN, XA
    generated_at: datetime | None = None
    provisional: bool = False
    # how the project's score differs from the portal's, from the deployment's score file
    score_note: tuple[str, ...] = ()

    def fingerprint(self) -> str:
        from kpi_pipeline.reports.model import _fingerprint

        return _fingerprint(self)
