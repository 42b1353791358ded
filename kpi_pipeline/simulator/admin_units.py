"""The province's reporting units, versioned: province, departments, districts, communes.

Districts and communes come from `vietnamadminunits`' legacy (pre-July-2025) data with their GSO
codes. Project decision: the simulated province keeps that pre-July-2025 structure until the
end of its history (no abolition of districts, no merger into Đà Nẵng), so KPIs have one
continuous history; all units are valid from 2022-01-01 with an open end, except the one change
modelled: Nông Sơn district (519), missing from the package, merged into Quế Sơn (509) on
2025-01-01. Its communes appear under Quế Sơn in the package; they are put back under Nông Sơn
for 2022-2024. A commune that survives the merger keeps its agency code (an identifier is not
re-issued when the parent changes) and gets two versions: parent 519 until 2024-12-31, parent
509 from 2025-01-01. Quế Ninh and Quế Phước merged into the new Ninh Phước (which took Quế
Ninh's GSO code 20668) and Sơn Viên into Quế Lộc; the GSO codes of Quế Phước and Sơn Viên are
not in the package and are assumed here (20670, 20674). Other commune mergers of 2023-2025 are
not modelled: those communes appear with their final pre-July-2025 names throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from vietnamadminunits.database.main import query

from kpi_pipeline.simulator.config import HISTORY_START

SUFFIX = "H47"  # Quảng Nam's agency-code suffix
PROVINCE_CODE = f"000.00.00.{SUFFIX}"
MERGER_DAY = date(2025, 1, 1)
NONG_SON, QUE_SON = "519", "509"

DEPARTMENTS = (
    "Sở Tư pháp",
    "Sở Kế hoạch và Đầu tư",
    "Sở Tài chính",
    "Sở Xây dựng",
    "Sở Giao thông vận tải",
    "Sở Tài nguyên và Môi trường",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Công Thương",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Thông tin và Truyền thông",
    "Sở Khoa học và Công nghệ",
    "Sở Nội vụ",
    "Ban Dân tộc tỉnh",
    "Ban Quản lý các Khu công nghiệp tỉnh",
    "Thanh tra tỉnh",
    "Sở Ngoại vụ",
    "Ban Quản lý Khu kinh tế mở Chu Lai",
)

# Communes of Nông Sơn in 2022-2024: (GSO code, name, what happened on 2025-01-01).
NONG_SON_COMMUNES = (
    ("20656", "Thị trấn Trung Phước", "continues"),
    ("20669", "Xã Phước Ninh", "continues"),
    ("20671", "Xã Quế Lộc", "continues"),
    ("20692", "Xã Quế Lâm", "continues"),
    ("20668", "Xã Quế Ninh", "merged"),
    ("20670", "Xã Quế Phước", "merged"),
    ("20674", "Xã Sơn Viên", "merged"),
)
NINH_PHUOC = ("20668", "Xã Ninh Phước")  # Quế Ninh + Quế Phước, under Quế Sơn from 2025


@dataclass(frozen=True)
class Unit:
    """One version of a unit; `code` repeats across versions of the same unit."""

    code: str
    name: str
    level: str  # TINH, SO_NGANH, HUYEN, XA
    parent: str | None
    gso: str | None
    valid_from: date
    valid_to: date | None = None  # inclusive
    district_gso: str | None = None  # for communes and districts: the district they belong to

    def valid_on(self, d: date) -> bool:
        return self.valid_from <= d and (self.valid_to is None or d <= self.valid_to)

    def overlaps(self, start: date, end: date) -> bool:
        """Valid on some day of [start, end)."""
        return self.valid_from < end and (self.valid_to is None or self.valid_to >= start)

    def to_api(self) -> dict:
        return {
            "MaDonVi": self.code,
            "TenDonVi": self.name,
            "CapDonVi": self.level,
            "MaDonViCha": self.parent,
            "MaHanhChinh": self.gso,
            "HieuLucTu": self.valid_from.strftime("%Y%m%d"),
            "HieuLucDen": None if self.valid_to is None else self.valid_to.strftime("%Y%m%d"),
        }


def department_code(n: int) -> str:
    return f"000.00.{n:02d}.{SUFFIX}"


def district_code(gso: str) -> str:
    return f"000.00.{gso}.{SUFFIX}"


def commune_code(gso: str, district_gso: str) -> str:
    return f"{gso}.{district_gso}.{SUFFIX}"


def build_units(province_code: str = "49") -> list[Unit]:
    """All unit versions, sorted by (code, valid_from): the order `/api/v1/donvi` serves."""
    if not province_code.isdigit():
        raise ValueError(f"province code must be digits, got {province_code!r}")
    rows = query(
        "select districtCode, district, wardCode, ward from admin_units_legacy "
        f"where provinceCode='{province_code}' order by districtCode, wardCode"
    )
    start = HISTORY_START
    before = MERGER_DAY - timedelta(days=1)
    units = [Unit(PROVINCE_CODE, "UBND tỉnh Quảng Nam", "TINH", None, None, start)]
    units += [
        Unit(department_code(i), name, "SO_NGANH", PROVINCE_CODE, None, start)
        for i, name in enumerate(DEPARTMENTS, 1)
    ]
    districts = {r["districtCode"]: r["district"] for r in rows}
    for gso, name in districts.items():
        units.append(Unit(district_code(gso), name, "HUYEN", PROVINCE_CODE, gso, start, None, gso))
    units.append(
        Unit(
            district_code(NONG_SON),
            "Huyện Nông Sơn",
            "HUYEN",
            PROVINCE_CODE,
            NONG_SON,
            start,
            before,
            NONG_SON,
        )
    )
    nong_son = {code for code, _, _ in NONG_SON_COMMUNES} | {NINH_PHUOC[0]}
    for r in rows:
        if r["wardCode"] in nong_son:
            continue
        d = r["districtCode"]
        units.append(
            Unit(
                commune_code(r["wardCode"], d),
                r["ward"],
                "XA",
                district_code(d),
                r["wardCode"],
                start,
                None,
                d,
            )
        )
    for gso, name, fate in NONG_SON_COMMUNES:
        code = commune_code(gso, NONG_SON)
        units.append(Unit(code, name, "XA", district_code(NONG_SON), gso, start, before, NONG_SON))
        if fate == "continues":
            units.append(
                Unit(code, name, "XA", district_code(QUE_SON), gso, MERGER_DAY, None, QUE_SON)
            )
    gso, name = NINH_PHUOC
    units.append(
        Unit(
            commune_code(gso, QUE_SON),
            name,
            "XA",
            district_code(QUE_SON),
            gso,
            MERGER_DAY,
            None,
            QUE_SON,
        )
    )
    units.sort(key=lambda u: (u.code, u.valid_from))
    return units
