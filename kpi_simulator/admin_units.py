"""A deployment's reporting units, versioned across the 2025 reform (docs/REFORM-2025.md).

A deployment is one one-stop system as the pipeline sees it (`province_code`). Before
2025-07-01 its units are those of the legacy (63-province) systems it replaced, with districts
and communes from `vietnamadminunits`' legacy data; from 2025-07-01 those of the new
(34-province) province, two tiers (province, departments, communes), from the package's current
structure. Province 49 (Quảng Nam) is a legacy code only: its deployment is Quảng Nam's system
until 2025-06-30, then the new Đà Nẵng (48) it became part of. A new code (48, 46, ...) has as
history every legacy province the converter merges into it (48: old Đà Nẵng and Quảng Nam).

Changes modelled inside the legacy systems: the department mergers that followed the ministries
(`DEPARTMENT_MERGERS`, on `DEPARTMENT_MERGER_DAY`), and for Quảng Nam the merger of Nông Sơn
district (519, missing from the package) into Quế Sơn (509) on 2025-01-01. Nông Sơn's communes
appear under Quế Sơn in the package; they are put back under Nông Sơn for 2022-2024. A commune
that survives keeps its agency code (two versions: parent 519, then 509). Quế Ninh and Quế
Phước merged into the new Ninh Phước (which took Quế Ninh's GSO code 20668) and Sơn Viên into
Quế Lộc; the GSO codes of Quế Phước and Sơn Viên are not in the package and are assumed here
(20670, 20674). Other commune mergers of 2023-2025 are not modelled.

Agency codes (`MaDonVi`) keep the project's shape; their suffixes are synthetic where the real
ones (QĐ 20/2020/QĐ-TTg) are not in the package: Quảng Nam keeps `H47`, other legacy systems
`H<GSO code>`, the new provinces `T<GSO code>`. A new commune is `<GSO ward code>.000.<suffix>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from vietnamadminunits.database.main import query

from kpi_pipeline.domain.provinces import (
    REFORM_DAY,
    converter_data,
    deployment,
    province_name,
    provinces,
)
from kpi_simulator.config import HISTORY_START

SUFFIX = "H47"  # Quảng Nam's agency-code suffix (and the procedure catalogue's)
PROVINCE_CODE = f"000.00.00.{SUFFIX}"
QUANG_NAM = "49"
MERGER_DAY = date(2025, 1, 1)  # Nông Sơn into Quế Sơn
DEPARTMENT_MERGER_DAY = date(2025, 3, 1)  # the new departments start work (docs/REFORM-2025.md)
NONG_SON, QUE_SON = "519", "509"

# Departments by number (procedures.Procedure.department); `{tier}` is "tỉnh" or "thành phố".
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
    "Ban Dân tộc {tier}",
    "Ban Quản lý các Khu công nghiệp {tier}",
    "Thanh tra {tier}",
    "Sở Ngoại vụ",
    "Ban Quản lý Khu kinh tế {zone}",
)
# Early-2025 mergers, following the ministries: department -> the one taking over its work.
DEPARTMENT_MERGERS = {2: 3, 5: 4, 6: 7, 11: 15, 13: 14}
# Departments that continue under a new name from DEPARTMENT_MERGER_DAY.
DEPARTMENT_RENAMES = {
    7: "Sở Nông nghiệp và Môi trường",
    16: "Sở Dân tộc và Tôn giáo",
    19: "Văn phòng UBND {tier}",  # Quảng Nam: Sở Ngoại vụ merged into the UBND's office
}
SURVIVING_DEPARTMENTS = tuple(
    n for n in range(1, len(DEPARTMENTS) + 1) if n not in DEPARTMENT_MERGERS
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
    province_gso: str | None = None  # the (legacy or new) province the version belongs to
    weight: float = 1.0  # new communes: how many legacy communes they took over (volume)

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


def legacy_suffix(province: str) -> str:
    return SUFFIX if province == QUANG_NAM else f"H{province}"


def new_suffix(province: str) -> str:
    return f"T{province}"


def department_code(n: int, suffix: str = SUFFIX) -> str:
    return f"000.00.{n:02d}.{suffix}"


def district_code(gso: str, suffix: str = SUFFIX) -> str:
    return f"000.00.{gso}.{suffix}"


def commune_code(gso: str, district_gso: str, suffix: str = SUFFIX) -> str:
    return f"{gso}.{district_gso}.{suffix}"


def new_commune_code(gso: str, suffix: str) -> str:
    return f"{gso}.000.{suffix}"


def _tier(name: str) -> str:
    return "thành phố" if name.startswith("Thành phố") else "tỉnh"


def _ubnd(name: str) -> str:
    tier = _tier(name)
    return f"UBND {tier} {name[len(tier) :].strip()}"


def _department_names(province: str, name: str, *, legacy: bool) -> dict[int, str]:
    tier = _tier(name)
    chu_lai = QUANG_NAM in ((province,) if legacy else deployment(province).legacy_codes)
    zone = "mở Chu Lai" if chu_lai else tier
    return {i: d.format(tier=tier, zone=zone) for i, d in enumerate(DEPARTMENTS, 1)}


def _legacy_units(province: str) -> list[Unit]:
    name = province_name(province, legacy=True)
    sfx = legacy_suffix(province)
    start, last = HISTORY_START, REFORM_DAY - timedelta(days=1)
    before_merger = DEPARTMENT_MERGER_DAY - timedelta(days=1)
    top = department_code(0, sfx)
    tier = _tier(name)
    units = [Unit(top, _ubnd(name), "TINH", None, None, start, last, province_gso=province)]
    for i, dept in _department_names(province, name, legacy=True).items():
        code = department_code(i, sfx)
        end = before_merger if i in DEPARTMENT_MERGERS or i in DEPARTMENT_RENAMES else last
        units.append(Unit(code, dept, "SO_NGANH", top, None, start, end, province_gso=province))
        if i in DEPARTMENT_RENAMES:
            renamed = DEPARTMENT_RENAMES[i].format(tier=tier)
            units.append(
                Unit(
                    code,
                    renamed,
                    "SO_NGANH",
                    top,
                    None,
                    DEPARTMENT_MERGER_DAY,
                    last,
                    province_gso=province,
                )
            )
    rows = query(
        "select districtCode, district, wardCode, ward from admin_units_legacy "
        f"where provinceCode='{province}' order by districtCode, wardCode"
    )
    districts = {r["districtCode"]: r["district"] for r in rows}
    for gso, dname in districts.items():
        units.append(
            Unit(district_code(gso, sfx), dname, "HUYEN", top, gso, start, last, gso, province)
        )
    nong_son: set[str] = set()
    if province == QUANG_NAM:
        units += _nong_son(start, last)
        nong_son = {code for code, _, _ in NONG_SON_COMMUNES} | {NINH_PHUOC[0]}
    for r in rows:
        if r["wardCode"] is None or r["wardCode"] in nong_son:
            continue  # Hoàng Sa (498) has no commune in the package
        d = r["districtCode"]
        units.append(
            Unit(
                commune_code(r["wardCode"], d, sfx),
                r["ward"],
                "XA",
                district_code(d, sfx),
                r["wardCode"],
                start,
                last,
                d,
                province,
            )
        )
    return units


def _nong_son(start: date, last: date) -> list[Unit]:
    before = MERGER_DAY - timedelta(days=1)
    units = [
        Unit(
            district_code(NONG_SON),
            "Huyện Nông Sơn",
            "HUYEN",
            PROVINCE_CODE,
            NONG_SON,
            start,
            before,
            NONG_SON,
            QUANG_NAM,
        )
    ]
    for gso, name, fate in NONG_SON_COMMUNES:
        code = commune_code(gso, NONG_SON)
        units.append(
            Unit(code, name, "XA", district_code(NONG_SON), gso, start, before, NONG_SON, QUANG_NAM)
        )
        if fate == "continues":
            units.append(
                Unit(
                    code,
                    name,
                    "XA",
                    district_code(QUE_SON),
                    gso,
                    MERGER_DAY,
                    last,
                    QUE_SON,
                    QUANG_NAM,
                )
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
            last,
            QUE_SON,
            QUANG_NAM,
        )
    )
    return units


def _new_units(province: str) -> list[Unit]:
    name = province_name(province, legacy=False)
    sfx = new_suffix(province)
    top = department_code(0, sfx)
    tier = _tier(name)
    names = _department_names(province, name, legacy=False)
    names.update({n: v.format(tier=tier) for n, v in DEPARTMENT_RENAMES.items()})
    units = [Unit(top, _ubnd(name), "TINH", None, None, REFORM_DAY, province_gso=province)]
    units += [
        Unit(
            department_code(n, sfx),
            names[n],
            "SO_NGANH",
            top,
            None,
            REFORM_DAY,
            province_gso=province,
        )
        for n in SURVIVING_DEPARTMENTS
    ]
    taken_over = _legacy_communes_per_new_ward(province)
    rows = query(
        "select wardCode, ward, wardKey from admin_units "
        f"where provinceCode='{province}' order by wardCode"
    )
    units += [
        Unit(
            new_commune_code(r["wardCode"], sfx),
            r["ward"],
            "XA",
            top,
            r["wardCode"],
            REFORM_DAY,
            province_gso=province,
            weight=float(max(1, taken_over.get(r["wardKey"], 0))),
        )
        for r in rows
    ]
    return units


def _legacy_communes_per_new_ward(province: str) -> dict[str, int]:
    new, _ = provinces()
    table = converter_data()["DICT_PROVINCE_WARD_NO_DIVIDED"].get(new[province][1], {})
    return {ward_key: len(old) for ward_key, old in table.items()}


def build_units(province_code: str = QUANG_NAM) -> list[Unit]:
    """All unit versions of the deployment, sorted by (code, valid_from): `/api/v1/donvi`'s
    order."""
    if not province_code.isdigit():
        raise ValueError(f"province code must be digits, got {province_code!r}")
    dep = deployment(province_code)
    units = [u for code in dep.legacy_codes for u in _legacy_units(code)]
    units += _new_units(dep.new_code)
    units.sort(key=lambda u: (u.code, u.valid_from))
    return units
