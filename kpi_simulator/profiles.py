"""How each unit behaves over time: volume, procedure mix and its performance curves.

Volumes are sized so that scale 1.0 is about 1,000,000 dossiers a year (departments ~27%,
district desks ~28%, communes ~45%), with big departments (transport, land, business
registration) and cities larger than mountain districts. Performance moves along logistic
curves from 2022 to 2026: the online share of online-capable dossiers rises from ~5-40% to
~45-90%, online payment, on-time and digitisation improve too, while ~12% of units lag and
stay red. Curves are drawn per unit from an RNG seeded with (seed, unit code).
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass
from datetime import date
from functools import cache

from vietnamadminunits.database.main import query

from kpi_simulator.admin_units import (
    DEPARTMENT_MERGER_DAY,
    DEPARTMENT_MERGERS,
    MERGER_DAY,
    NONG_SON,
    QUANG_NAM,
    QUE_SON,
    REFORM_DAY,
    Unit,
    deployment,
    district_code,
)
from kpi_simulator.config import HISTORY_START
from kpi_simulator.procedures import Procedure
from kpi_simulator.timestamps import logistic

# Dossiers a year at scale 1.0, by department number (1..20, see admin_units.DEPARTMENTS).
DEPARTMENT_VOLUME = {
    1: 30_000, 2: 25_000, 3: 3_000, 4: 8_000, 5: 70_000, 6: 45_000, 7: 12_000, 8: 10_000,
    9: 15_000, 10: 8_000, 11: 20_000, 12: 4_000, 13: 1_500, 14: 2_000, 15: 4_000, 16: 500,
    17: 3_000, 18: 800, 19: 1_000, 20: 3_000,
}  # fmt: skip
DISTRICT_TOTAL = 280_000
COMMUNE_TOTAL = 455_000
# Population-like weights of the districts (thousands), cities and the town weigh more per head.
DISTRICT_WEIGHT = {
    "502": 125 * 1.3, "503": 100 * 1.3, "504": 20, "505": 27, "506": 150, "507": 230 * 1.2,
    "508": 125, "509": 80, "510": 27, "511": 25, "512": 38, "513": 180, "514": 70, "515": 40,
    "516": 30, "517": 145, "518": 80, "519": 32,
}  # fmt: skip
TAM_KY = district_code("502")
WORKING_DAYS_PER_YEAR = 248


@dataclass
class Phase:
    """What a unit receives from `start` on: volume and procedure mix (mergers change both)."""

    start: date
    volume: float  # dossiers a year at scale 1.0
    procs: list[Procedure]
    cum: list[float]  # cumulative popularity over procs
    weekend_procs: list[Procedure]  # online-capable, deadline > 0: what arrives on days off
    weekend_cum: list[float]
    capable_share: float  # popularity share of online-capable procedures

    @classmethod
    def of(cls, start: date, volume: float, procs: list[Procedure]) -> Phase:
        weekend = [p for p in procs if p.online_capable and p.days > 0]
        weights = [p.weight for p in procs]
        return cls(
            start,
            volume,
            procs,
            list(itertools.accumulate(weights)),
            weekend,
            list(itertools.accumulate(p.weight for p in weekend)),
            sum(p.weight for p in procs if p.online_capable) / sum(weights),
        )

    def pick(self, u: float) -> Procedure:
        return self.procs[bisect.bisect_right(self.cum, u * self.cum[-1])]

    def pick_weekend(self, u: float) -> Procedure:
        return self.weekend_procs[bisect.bisect_right(self.weekend_cum, u * self.weekend_cum[-1])]


@dataclass
class UnitProfile:
    code: str
    level: str
    phases: list[Phase]  # by start; the first starts on HISTORY_START
    online: tuple[float, float, float]  # start share, end share, midpoint (years from 2022)
    pay_online: tuple[float, float, float]
    late: tuple[float, float, float]  # late rate start, end, midpoint
    digitised: tuple[float, float, float]
    never_synced: float
    chu_quan: float  # share of late dossiers late for subjective reasons

    def phase(self, d: date) -> Phase:
        for ph in reversed(self.phases):
            if ph.start <= d:
                return ph
        return self.phases[0]

    def volume(self, d: date) -> float:
        return self.phase(d).volume

    @staticmethod
    def curve(params: tuple[float, float, float], t: float) -> float:
        start, end, mid = params
        return start + (end - start) * logistic((t - mid) / 0.5)

    def online_share(self, t: float, d: date) -> float:
        if self.code == TAM_KY and d.year == 2023 and d.month == 6:
            return 0.02  # seed 002: June 2023, after the switch to VNPT iGate
        share = self.curve(self.online, t)
        return min(0.97, share * 1.12) if d.month in (3, 6, 9, 12) else share


def _is_urban(name: str) -> bool:
    return name.startswith(("Phường", "Thị trấn"))


@cache
def province_factor(province: str) -> float:
    """A legacy province's volume relative to Quảng Nam: its number of communes in the
    package's legacy data (a proxy: the package has no population)."""
    rows = query(
        "select provinceCode, count(wardCode) as n from admin_units_legacy group by provinceCode"
    )
    counts = {r["provinceCode"]: r["n"] for r in rows}
    return counts[province] / counts[QUANG_NAM]


def build_profiles(
    units: list[Unit], procedures: list[Procedure], seed: int
) -> dict[str, UnitProfile]:
    """One profile per unit code that receives dossiers (departments, districts, communes)."""
    first: dict[str, Unit] = {}
    for u in units:
        first.setdefault(u.code, u)
    by_level: dict[str, list[Procedure]] = {}
    for p in procedures:
        by_level.setdefault(p.level, []).append(p)
    by_dept: dict[int, list[Procedure]] = {}
    for p in by_level["TINH"]:
        by_dept.setdefault(p.department, []).append(p)
    absorbed: dict[int, list[int]] = {}
    for old, new in DEPARTMENT_MERGERS.items():
        absorbed.setdefault(new, []).append(old)

    legacy = [u for u in first.values() if u.valid_from < REFORM_DAY]
    current = [u for u in first.values() if u.valid_from >= REFORM_DAY]
    district_weight = _district_weights(legacy)
    district_sum: dict[str, float] = {}
    for u in legacy:
        if u.level == "HUYEN":
            district_sum[u.province_gso] = (
                district_sum.get(u.province_gso, 0.0) + (district_weight[u.gso])
            )
    rel = {
        u.code: random.Random(f"{seed}|commune-size|{u.code}").lognormvariate(0.0, 0.35)
        * (1.6 if _is_urban(u.name) else 1.0)
        for u in first.values()
        if u.level == "XA"
    }
    rel_sum_by_district: dict[str, float] = {}
    for u in legacy:
        if u.level == "XA":
            rel_sum_by_district[u.district_gso] = (
                rel_sum_by_district.get(u.district_gso, 0.0) + rel[u.code]
            )

    profiles: dict[str, UnitProfile] = {}
    for u in legacy:
        if u.level == "TINH":
            continue
        f = province_factor(u.province_gso)
        phases: list[Phase]
        if u.level == "SO_NGANH":
            dept = int(u.code.split(".")[2])
            phases = [Phase.of(HISTORY_START, DEPARTMENT_VOLUME[dept] * f, by_dept[dept])]
            if dept in absorbed:
                olds = [dept, *absorbed[dept]]
                phases.append(
                    Phase.of(
                        DEPARTMENT_MERGER_DAY,
                        sum(DEPARTMENT_VOLUME[n] for n in olds) * f,
                        [p for n in olds for p in by_dept[n]],
                    )
                )
        elif u.level == "HUYEN":
            total = DISTRICT_TOTAL * f
            volume = total * district_weight[u.gso] / district_sum[u.province_gso]
            phases = [Phase.of(HISTORY_START, volume, by_level["HUYEN"])]
            if u.gso == QUE_SON and u.province_gso == QUANG_NAM:
                extra = total * district_weight[NONG_SON] / district_sum[u.province_gso]
                phases.append(Phase.of(MERGER_DAY, volume + extra, by_level["HUYEN"]))
        else:
            share = district_weight[u.district_gso] / district_sum[u.province_gso]
            volume = COMMUNE_TOTAL * f * share * rel[u.code] / rel_sum_by_district[u.district_gso]
            phases = [Phase.of(HISTORY_START, volume, by_level["XA"])]
        profiles[u.code] = _profile(u, phases, seed)
    profiles.update(_current_profiles(current, by_level, by_dept, absorbed, rel, seed))
    return profiles


def _district_weights(legacy: list[Unit]) -> dict[str, float]:
    """Population-like district weights: Quảng Nam's own table, elsewhere the number of
    communes (cities and urban districts weigh more per commune)."""
    communes: dict[str, int] = {}
    for u in legacy:
        if u.level == "XA":
            communes[u.district_gso] = communes.get(u.district_gso, 0) + 1
    out = {}
    for u in legacy:
        if u.level != "HUYEN":
            continue
        if u.province_gso == QUANG_NAM:
            out[u.gso] = DISTRICT_WEIGHT[u.gso]
        else:
            urban = u.name.startswith(("Quận", "Thành phố", "Thị xã"))
            out[u.gso] = max(1, communes.get(u.gso, 0)) * 4.0 * (1.3 if urban else 1.0)
    return out


def _current_profiles(
    current: list[Unit],
    by_level: dict[str, list[Procedure]],
    by_dept: dict[int, list[Procedure]],
    absorbed: dict[int, list[int]],
    rel: dict[str, float],
    seed: int,
) -> dict[str, UnitProfile]:
    """The new province's units: departments take over their merged predecessors' work,
    communes the districts' and communes' work (by the number of communes each took over)."""
    if not current:
        return {}
    province = current[0].province_gso
    f = sum(province_factor(code) for code in deployment(province).legacy_codes)
    communes = [u for u in current if u.level == "XA"]
    weights = {u.code: u.weight * rel[u.code] for u in communes}
    weight_sum = sum(weights.values())
    local_procs = by_level["HUYEN"] + by_level["XA"]
    out = {}
    for u in current:
        if u.level == "SO_NGANH":
            dept = int(u.code.split(".")[2])
            olds = [dept, *absorbed.get(dept, [])]
            volume = sum(DEPARTMENT_VOLUME[n] for n in olds) * f
            phase = Phase.of(REFORM_DAY, volume, [p for n in olds for p in by_dept[n]])
        elif u.level == "XA":
            volume = (DISTRICT_TOTAL + COMMUNE_TOTAL) * f * weights[u.code] / weight_sum
            phase = Phase.of(REFORM_DAY, volume, local_procs)
        else:
            continue
        out[u.code] = _profile(u, [phase], seed)
    return out


def _profile(u: Unit, phases: list[Phase], seed: int) -> UnitProfile:
    r = random.Random(f"{seed}|unit-profile|{u.code}")
    online_start, online_end = {
        "SO_NGANH": ((0.15, 0.40), (0.70, 0.92)),
        "HUYEN": ((0.08, 0.25), (0.55, 0.80)),
        "XA": ((0.03, 0.15), (0.45, 0.75)),
    }[u.level]
    o0, o1 = r.uniform(*online_start), r.uniform(*online_end)
    p0, p1 = r.uniform(0.05, 0.25), r.uniform(0.55, 0.90)
    l0, l1 = r.uniform(0.04, 0.15), r.uniform(0.01, 0.05)
    d0, d1 = r.uniform(0.05, 0.30), r.uniform(0.60, 0.95)
    if r.random() < 0.12:  # a lagging unit: barely improves, stays red
        o1, p1 = o0 + r.uniform(0.03, 0.12), p0 + r.uniform(0.0, 0.1)
        l0, l1 = r.uniform(0.15, 0.30), r.uniform(0.10, 0.20)
    online = (o0, o1, r.uniform(1.2, 2.8))
    if u.code == TAM_KY:
        online = (0.38, 0.75, 2.0)  # seed 002: Tam Kỳ 2023 Q1-Q2 around 41-49% online
    never_synced = r.uniform(0.06, 0.12) if r.random() < 0.1 else r.uniform(0.01, 0.04)
    return UnitProfile(
        code=u.code,
        level=u.level,
        phases=phases,
        online=online,
        pay_online=(p0, p1, r.uniform(1.2, 2.8)),
        late=(l0, l1, r.uniform(1.0, 3.0)),
        digitised=(d0, d1, r.uniform(1.0, 2.5)),
        never_synced=never_synced,
        chu_quan=r.uniform(0.25, 0.5),
    )


def years_since_start(d: date) -> float:
    return (d - HISTORY_START).days / 365.25
