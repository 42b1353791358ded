"""The procedure catalogue (TTHC): hundreds per level, with online level, fee and deadline.

The catalogue is generated from `data/procedure_names.json` with an RNG of its own, independent
of the simulator seed: every simulated world of the province shares one catalogue, as real
provinces do. That file lists, per field of procedures, its level (TINH, HUYEN, XA), name,
department number (provincial fields), volume weight, processing days to choose from, share
with a fee, fee range in VND, MucDo mix (2, 3, 4) and procedure names by popularity; names
follow the wording of the national procedure database (Cơ sở dữ liệu quốc gia về TTHC), and
licence-like names get the usual "cấp lại / điều chỉnh / gia hạn" variants here. Codes have
the shape of Quảng Nam's localised national codes (`1.004227.000.00.00.H47`) but the numbers
are synthetic.
"""

from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from kpi_simulator.admin_units import SUFFIX

# Licence-like names get the usual follow-up procedures, each rarer than the first issue.
_LICENCE_PREFIXES = ("Cấp giấy phép ", "Cấp Giấy phép ")
_CERTIFICATE_PREFIXES = (
    "Cấp Giấy chứng nhận ",
    "Cấp chứng chỉ ",
    "Cấp Chứng chỉ ",
    "Cấp thẻ ",
    "Cấp Giấy xác nhận ",
)
_LICENCE_VARIANTS = (("Cấp lại ", 0.25), ("Điều chỉnh ", 0.12), ("Gia hạn ", 0.08))
_CERTIFICATE_VARIANTS = (("Cấp lại ", 0.25), ("Cấp sửa đổi, bổ sung ", 0.1))


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    field_code: str
    field_name: str
    level: str  # CapThucHien: TINH, HUYEN, XA
    service_level: int  # MucDo 2, 3, 4
    integrated: bool  # TichHopDVCQG
    has_fee: bool  # CoPhiLePhi
    online_payment: bool  # ThanhToanTrucTuyen
    days: int  # ThoiHanGiaiQuyet, working days
    fee: int  # VND, 0 without fee (not served: the dossier's ThanhToan carries it)
    weight: float  # relative popularity within the units that handle it
    department: int | None  # the department handling a TINH procedure (1..20)

    @property
    def online_capable(self) -> bool:
        return self.service_level >= 3

    @property
    def online_eligible(self) -> bool:
        """Counted in the online-rate denominator (kpi-tables.md)."""
        return self.service_level >= 3 and self.integrated

    @property
    def payment_eligible(self) -> bool:
        return self.has_fee and self.online_payment

    def to_api(self) -> dict:
        return {
            "MaTTHC": self.code,
            "TenTTHC": self.name,
            "MaLinhVuc": self.field_code,
            "TenLinhVuc": self.field_name,
            "CapThucHien": self.level,
            "MucDo": self.service_level,
            "ToanTrinh": self.service_level == 4,
            "TichHopDVCQG": self.integrated,
            "CoPhiLePhi": self.has_fee,
            "ThanhToanTrucTuyen": self.online_payment,
            "ThoiHanGiaiQuyet": self.days,
        }


def field_code(name: str) -> str:
    """ASCII slug of a field name: `Hộ tịch` -> `HO_TICH`."""
    plain = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    words = "".join(c if c.isalnum() else " " for c in plain).split()
    return "_".join(words).upper()


def _variants(name: str) -> list[tuple[str, float]]:
    for prefixes, variants in (
        (_LICENCE_PREFIXES, _LICENCE_VARIANTS),
        (_CERTIFICATE_PREFIXES, _CERTIFICATE_VARIANTS),
    ):
        for prefix in prefixes:
            if name.startswith(prefix):
                rest = name[len("Cấp ") :]
                return [(name, 1.0)] + [(v + rest, w) for v, w in variants]
    return [(name, 1.0)]


@cache
def procedure_fields() -> tuple[tuple, ...]:
    """The fields of `data/procedure_names.json` as (level, field name, department, weight,
    days, fee share, (fee min, fee max), MucDo mix, names), lists made tuples."""
    text = resources.files("kpi_simulator").joinpath("data/procedure_names.json").read_text("utf-8")
    return tuple(
        (
            f["level"],
            f["field"],
            f["department"],
            f["weight"],
            tuple(f["days"]),
            f["fee_share"],
            tuple(f["fee_range"]),
            tuple(f["service_level_mix"]),
            tuple(f["names"]),
        )
        for f in json.loads(text)
    )


def build_procedures() -> list[Procedure]:
    """The whole catalogue, sorted by code (the order `/api/v1/thutuc` serves)."""
    rng = random.Random("kpi-pipeline:procedure-catalogue:v1")
    used: set[int] = set()
    out: list[Procedure] = []
    catalogue = procedure_fields()
    for level, fname, dept, fweight, day_choices, fee_share, fees, mix, names in catalogue:
        fee_lo, fee_hi = fees
        fcode = field_code(fname)
        for rank, base in enumerate(names):
            # Provinces list follow-up variants for their main licences only.
            variants = _variants(base) if level != "TINH" or rank == 0 else [(base, 1.0)]
            for name, vweight in variants:
                num = rng.randrange(1000, 12000)
                while num in used:
                    num = rng.randrange(1000, 12000)
                used.add(num)
                prefix = 1 if rng.random() < 0.85 else 2
                service_level = rng.choices((2, 3, 4), weights=mix)[0]
                integrated = rng.random() < (0.9 if service_level >= 3 else 0.25)
                has_fee = rng.random() < fee_share * 0.9
                online_payment = has_fee and service_level >= 3 and rng.random() < 0.85
                fee = 0
                if has_fee:
                    step = 1_000 if fee_hi < 100_000 else 5_000
                    fee = max(step, round(rng.uniform(fee_lo, fee_hi) / step) * step)
                out.append(
                    Procedure(
                        code=f"{prefix}.{num:06d}.000.00.00.{SUFFIX}",
                        name=name,
                        field_code=fcode,
                        field_name=fname,
                        level=level,
                        service_level=service_level,
                        integrated=integrated,
                        has_fee=has_fee,
                        online_payment=online_payment,
                        days=rng.choice(day_choices),
                        fee=fee,
                        weight=fweight * vweight / (rank + 1) ** 1.1,
                        department=dept,
                    )
                )
    out.sort(key=lambda p: p.code)
    return out
