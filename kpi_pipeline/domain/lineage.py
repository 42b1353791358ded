"""Unit lineage across the 2025 reform: which units took over an ended unit's work.

Pure logic over unit versions (as `ref.units` holds them) and the official conversion tables
(keyed by GSO codes, `kpi_pipeline/lineage/conversion.py`); docs/REFORM-2025.md has the rules:
- a commune ending on 2025-06-30 -> the new communes the conversion names (`whole` when one,
  else `part` each, the table's default successor flagged `is_default`);
- a district ending on 2025-06-30 -> the successors of the communes it had that day (`whole`
  when they all went to one unit; else `part`, default: the successor of most of its
  communes, ties to the lowest code); a district without communes (Hoàng Sa) by the table;
- a department -> the department of the successor name (`DEPARTMENT_SUCCESSORS`, else the
  same name without "tỉnh"/"thành phố") in force the next day, in its own system before the
  reform and in the new province from it; none of that name: the new province itself (`part`);
- the province -> the new province;
- earlier changes (Nông Sơn, 2025-01-01) come from `supplement` rows keyed by GSO code.
`current_map` follows the default edges to units in force today: each old code gets exactly one
current unit, `partial` when any edge on the way was a `part`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

REFORM_DAY = date(2025, 7, 1)
WHOLE, PART = "whole", "part"

# Early-2025 department mergers, following the ministries: old name -> (successor, default).
DEPARTMENT_SUCCESSORS: dict[str, tuple[tuple[str, bool], ...]] = {
    "Sở Kế hoạch và Đầu tư": (("Sở Tài chính", True),),
    "Sở Giao thông vận tải": (("Sở Xây dựng", True),),
    "Sở Tài nguyên và Môi trường": (("Sở Nông nghiệp và Môi trường", True),),
    "Sở Thông tin và Truyền thông": (
        ("Sở Khoa học và Công nghệ", True),
        ("Sở Văn hóa, Thể thao và Du lịch", False),  # press and publishing
    ),
    "Sở Lao động - Thương binh và Xã hội": (
        ("Sở Nội vụ", True),
        ("Sở Y tế", False),  # social protection, children
        ("Sở Giáo dục và Đào tạo", False),  # vocational education
    ),
}
DEPARTMENT_SOURCE = "Nghị quyết HĐND on the early-2025 department mergers (docs/REFORM-2025.md)"


@dataclass(frozen=True)
class UnitVersion:
    code: str
    name: str
    level: str  # TINH, SO_NGANH, HUYEN, XA
    parent: str | None
    gso: str | None
    valid_from: date
    valid_to: date | None

    def valid_on(self, d: date) -> bool:
        return self.valid_from <= d and (self.valid_to is None or d <= self.valid_to)


@dataclass(frozen=True)
class Conversion:
    """The official old -> new tables by GSO code: communes (with the default successor of a
    split one) and districts without communes."""

    communes: dict[str, tuple[tuple[str, bool], ...]]
    districts: dict[str, tuple[tuple[str, bool], ...]]
    source: str


@dataclass(frozen=True)
class Supplement:
    """A change the conversion tables do not hold (by GSO code, e.g. Nông Sơn 2025-01-01)."""

    level: str
    old_gso: str
    new_gso: str
    effective_date: date
    source: str


@dataclass(frozen=True)
class LineageRow:
    old_unit_code: str
    new_unit_code: str
    share: str  # whole | part
    is_default: bool
    effective_date: date
    source: str


class LineageError(ValueError):
    """The lineage cannot be built as documented (a rule would have to guess)."""


def _plain_name(name: str) -> str:
    for tier in (" tỉnh", " thành phố"):
        if name.endswith(tier):
            return name[: -len(tier)]
    return name


def build_lineage(
    units: list[UnitVersion], conversion: Conversion, supplements: list[Supplement] = ()
) -> list[LineageRow]:
    """Edges from every unit code whose last version ended to the units taking over."""
    versions: dict[str, list[UnitVersion]] = {}
    for u in sorted(units, key=lambda u: (u.code, u.valid_from)):
        versions.setdefault(u.code, []).append(u)
    ended = [v[-1] for v in versions.values() if v[-1].valid_to is not None]
    supplement = {(s.level, s.old_gso): s for s in supplements}
    rows: list[LineageRow] = []
    communes: dict[str, list[LineageRow]] = {}
    for u in ended:
        if u.level == "XA":
            communes[u.code] = _commune_rows(u, units, conversion, supplement)
            rows += communes[u.code]
    for u in ended:
        if u.level == "HUYEN":
            rows += _district_rows(u, units, communes, conversion, supplement)
        elif u.level == "SO_NGANH":
            rows += _department_rows(u, units)
        elif u.level == "TINH":
            day = u.valid_to + timedelta(days=1)
            rows += [
                LineageRow(u.code, n.code, WHOLE, True, day, conversion.source)
                for n in _roots(units, day)[:1]
            ]
    return rows


def _in_force(units: list[UnitVersion], day: date, level: str) -> list[UnitVersion]:
    return [u for u in units if u.level == level and u.valid_on(day)]


def _roots(units: list[UnitVersion], day: date) -> list[UnitVersion]:
    return sorted((u for u in _in_force(units, day, "TINH")), key=lambda u: u.code)


def _by_gso(units: list[UnitVersion], day: date, level: str) -> dict[str, str]:
    return {u.gso: u.code for u in _in_force(units, day, level) if u.gso}


def _commune_rows(u, units, conversion, supplement) -> list[LineageRow]:
    day = u.valid_to + timedelta(days=1)
    if day == REFORM_DAY and u.gso in conversion.communes:
        targets, source = conversion.communes[u.gso], conversion.source
    elif ("XA", u.gso) in supplement:
        s = supplement[("XA", u.gso)]
        targets, source, day = ((s.new_gso, True),), s.source, s.effective_date
    else:
        return []
    new = _by_gso(units, day, "XA")
    missing = [g for g, _ in targets if g not in new]
    if missing:
        raise LineageError(f"{u.code} ({u.name}): successor GSO {missing} not in force on {day}")
    share = WHOLE if len(targets) == 1 else PART
    return [LineageRow(u.code, new[g], share, default, day, source) for g, default in targets]


def _district_rows(u, units, communes, conversion, supplement) -> list[LineageRow]:
    day = u.valid_to + timedelta(days=1)
    if ("HUYEN", u.gso) in supplement:
        s = supplement[("HUYEN", u.gso)]
        new = _by_gso(units, s.effective_date, "HUYEN")
        if s.new_gso not in new:
            raise LineageError(f"{u.code}: successor district {s.new_gso} not in force")
        return [LineageRow(u.code, new[s.new_gso], WHOLE, True, s.effective_date, s.source)]
    if day != REFORM_DAY:
        return []
    members = [
        c for c in units if c.level == "XA" and c.parent == u.code and c.valid_on(u.valid_to)
    ]
    successors = Counter(
        r.new_unit_code for c in members for r in communes.get(c.code, []) if r.is_default
    )
    if not members and u.gso in conversion.districts:
        new = _by_gso(units, day, "XA")
        targets = conversion.districts[u.gso]
        return [
            LineageRow(
                u.code, new[g], WHOLE if len(targets) == 1 else PART, d, day, conversion.source
            )
            for g, d in targets
        ]
    every = sorted({r.new_unit_code for c in members for r in communes.get(c.code, [])})
    if not every:
        raise LineageError(f"district {u.code} ({u.name}) has no commune with a successor")
    default = min(successors, key=lambda code: (-successors[code], code))
    share = WHOLE if len(every) == 1 else PART
    source = f"{conversion.source}, through the district's communes"
    return [LineageRow(u.code, code, share, code == default, day, source) for code in every]


def _department_rows(u, units) -> list[LineageRow]:
    day = u.valid_to + timedelta(days=1)
    roots = _roots(units, day)
    if not roots:
        return []  # nothing after it yet (a history that ends)
    if day < REFORM_DAY:
        scope = [d for d in _in_force(units, day, "SO_NGANH") if d.parent == u.parent]
        root = u.parent
    else:
        scope = _in_force(units, day, "SO_NGANH")
        root = roots[0].code
    by_name = {_plain_name(d.name): d.code for d in scope}
    targets = DEPARTMENT_SUCCESSORS.get(_plain_name(u.name), ((_plain_name(u.name), True),))
    found = [(by_name[n], default) for n, default in targets if n in by_name]
    if not any(default for _, default in found):
        return [
            LineageRow(u.code, root, PART, True, day, "no department of that name: the province")
        ]
    share = WHOLE if len(found) == 1 else PART
    return [
        LineageRow(u.code, code, share, default, day, DEPARTMENT_SOURCE) for code, default in found
    ]


def current_map(units: list[UnitVersion], lineage: list[LineageRow]) -> dict[str, tuple[str, bool]]:
    """Every unit code -> (the unit in force today it is attributed to, partial): current units
    map to themselves; an ended unit follows its default edges (a unit with no successor stays
    itself, so its dossiers are kept, under the province's roll-up)."""
    current = {u.code for u in units if u.valid_to is None}
    default: dict[str, LineageRow] = {}
    for r in lineage:
        if r.is_default:
            if r.old_unit_code in default:
                raise LineageError(f"{r.old_unit_code} has two default successors")
            default[r.old_unit_code] = r
    split = {r.old_unit_code for r in lineage if r.share == PART}
    out: dict[str, tuple[str, bool]] = {}
    for code in {u.code for u in units}:
        at, partial, seen = code, False, set()
        while at not in current and at in default:
            if at in seen:
                raise LineageError(f"lineage cycle through {at}")
            seen.add(at)
            partial = partial or at in split
            at = default[at].new_unit_code
        out[code] = (at, partial)
    return out
