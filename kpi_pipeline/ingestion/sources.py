"""The portal endpoints the pipeline pulls, as data: one loader serves them all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawSource:
    table: str  # raw.<table>
    portal: str  # resource key: provincial_portal / national_portal
    path: str
    window_params: tuple[str, str]  # names of the half-open change window [from, to)
    by_province: bool  # the national portal wants ma_tinh
    description: str


PROVINCIAL_DOSSIERS = RawSource(
    "provincial_dossiers",
    "provincial_portal",
    "/api/v1/hoso",
    ("capnhat_tu", "capnhat_den"),
    False,
    "Dossiers created or changed in the week, untouched JSON from the provincial one-stop system.",
)
NATIONAL_SYNC = RawSource(
    "national_sync",
    "national_portal",
    "/api/v1/dongbo/hoso",
    ("capnhat_tu", "capnhat_den"),
    True,
    "What the National Public Service Portal received from the province's sync, by change week.",
)
NATIONAL_PAYMENTS = RawSource(
    "national_payments",
    "national_portal",
    "/api/v1/thanhtoan",
    ("tu", "den"),
    True,
    "Payment transactions on the national payment platform, by change week.",
)
WEEKLY_SOURCES = (PROVINCIAL_DOSSIERS, NATIONAL_SYNC, NATIONAL_PAYMENTS)


@dataclass(frozen=True)
class ReferenceSource:
    """A reference table pulled whole from the provincial portal and merged into ref.<name>."""

    name: str  # asset key ref/<name>; quarantine source ref_<name>
    merge_sql: str  # sql/ref/<file>: merges the temp table `incoming` into ref.<name>
    path: str
    by_year: bool  # one pull per year (nam=YYYY), first data year to next year
    description: str


REFERENCE_SOURCES = (
    ReferenceSource(
        "units",
        "ref/merge_units",
        "/api/v1/donvi",
        False,
        "Reporting units, every version (valid_from/valid_to); versions are added or closed, never overwritten.",
    ),
    ReferenceSource(
        "procedures",
        "ref/merge_procedures",
        "/api/v1/thutuc",
        False,
        "The procedure catalogue: level, integration with the national portal, fees, processing time.",
    ),
    ReferenceSource(
        "holidays",
        "ref/replace_holidays",
        "/api/v1/ngaynghi",
        True,
        "Days off and working Saturdays of every year from the first data year to next year.",
    ),
)
