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
