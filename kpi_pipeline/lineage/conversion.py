"""The official 2025 conversion tables, from `vietnamadminunits` 1.0.4, keyed by GSO codes.

The package's `converter_2025.json` links old and new units by name keys
(`tinhquangnam_huyenqueson_xaqueloc` -> `xaqueson`); its two unit tables give each key its GSO
code. Changes before the reform that the package does not hold are `SUPPLEMENTS`.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import metadata

from kpi_pipeline.domain import admin_units
from kpi_pipeline.domain.lineage import Conversion, Supplement
from kpi_pipeline.domain.provinces import converter_data

NONG_SON_SOURCE = (
    "Nghị quyết 1241/NQ-UBTVQH15 of 2024-10-24 (Quảng Nam 2023-2025; not in vietnamadminunits)"
)
NONG_SON_DAY = date(2025, 1, 1)
# Nông Sơn (519) into Quế Sơn (509); Quế Ninh + Quế Phước -> Ninh Phước (20668), Sơn Viên ->
# Quế Lộc (20671). The GSO codes 20670 and 20674 are assumed (docs/REFORM-2025.md).
SUPPLEMENTS = (
    Supplement("HUYEN", "519", "509", NONG_SON_DAY, NONG_SON_SOURCE),
    Supplement("XA", "20668", "20668", NONG_SON_DAY, NONG_SON_SOURCE),
    Supplement("XA", "20670", "20668", NONG_SON_DAY, NONG_SON_SOURCE),
    Supplement("XA", "20674", "20671", NONG_SON_DAY, NONG_SON_SOURCE),
)


@cache
def conversion() -> Conversion:
    """Every legacy commune (and commune-less district) of the country -> its new units."""
    raw = converter_data()
    legacy = {
        f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}": (
            r["wardCode"],
            r["districtCode"],
        )
        for r in admin_units.query("select_legacy_unit_keys")
    }
    new = {
        (r["provinceKey"], r["wardKey"]): r["wardCode"]
        for r in admin_units.query("select_current_ward_keys")
    }
    targets: dict[str, list[tuple[str, bool]]] = {}
    for province, table in raw["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward, olds in table.items():
            for old in olds:
                targets.setdefault(old, []).append((new[(province, ward)], True))
    for province, table in raw["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, news in table.items():
            targets.setdefault(old, []).extend(
                (new[(province, n["newWardKey"])], bool(n["isDefaultNewWard"])) for n in news
            )
    communes, districts = {}, {}
    for key, found in targets.items():
        ward, district = legacy[key]
        if ward is None:
            districts[district] = tuple(found)
        else:
            communes[ward] = tuple(found)
    version = metadata.version("vietnamadminunits")
    return Conversion(communes, districts, f"vietnamadminunits {version} converter_2025.json")
