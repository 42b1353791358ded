"""Provinces before and after the 2025 reform, from `vietnamadminunits` 1.0.4.

A deployment (`KPI_PROVINCE_CODE`) is one one-stop system: a new (34-province) code is the new
province with, as history, every legacy province the converter merges into it (48: old Đà Nẵng
and Quảng Nam); a legacy-only code (49) is that province's system until 2025-06-30, then the
new province it became part of.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from kpi_pipeline.domain import admin_units

REFORM_DAY = date(2025, 7, 1)  # 34 provinces, two tiers of local government


@dataclass(frozen=True)
class Deployment:
    """One deployment: its served code, the new province it is from 2025-07-01, its history."""

    code: str
    new_code: str
    legacy_codes: tuple[str, ...]


@cache
def converter_data() -> dict:
    """The package's 2025 conversion tables (old ward keys -> new ward keys)."""
    text = resources.files("vietnamadminunits").joinpath("data/converter_2025.json").read_text()
    return json.loads(text)


@cache
def provinces() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """(new code -> (name, key), legacy code -> (name, key))."""
    new = {
        r["provinceCode"]: (r["province"], r["provinceKey"])
        for r in admin_units.query("select_current_provinces")
    }
    legacy = {
        r["provinceCode"]: (r["province"], r["provinceKey"])
        for r in admin_units.query("select_legacy_provinces")
    }
    return new, legacy


@cache
def deployment(province_code: str) -> Deployment:
    """The deployment of a GSO province code (new or legacy); a clear error for any other."""
    new, legacy = provinces()
    key_to_legacy = {key: code for code, (_, key) in legacy.items()}
    merged = converter_data()["DICT_PROVINCE"]
    if province_code in new:
        keys = merged[new[province_code][1]]
        codes = sorted(key_to_legacy[k] for k in keys)
        return Deployment(province_code, province_code, tuple(codes))
    if province_code in legacy:
        key = legacy[province_code][1]
        new_key = next(k for k, v in merged.items() if key in v)
        new_code = next(c for c, (_, k) in new.items() if k == new_key)
        return Deployment(province_code, new_code, (province_code,))
    raise ValueError(
        f"province code {province_code!r} is not a GSO province code in vietnamadminunits "
        f"(new: {', '.join(sorted(new))}; legacy only: "
        f"{', '.join(sorted(set(legacy) - set(new)))})"
    )


def province_name(code: str, *, legacy: bool) -> str:
    new, old = provinces()
    return (old if legacy else new)[code][0]
