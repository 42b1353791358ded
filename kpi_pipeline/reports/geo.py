"""Where units are: district seats and communes at their coordinates, matched by GSO code.

Coordinates come from the `vietnamadminunits` package, in the structure in force on the
report's day (`deployment_places`): before 1 July 2025 its legacy data, for every legacy
province of the deployment (new Đà Nẵng 48: old Đà Nẵng and Quảng Nam), with each district's
point (`districtLat`/`districtLon`, the geocoded district centre, shown as its seat) and each
commune's (`wardLat`/`wardLon`); from 1 July 2025 its current (34-province) data, communes
only. A unit is matched by its GSO code (`ref.units.gso_code`, the portal's `MaHanhChinh`):
a district (`HUYEN`) by `districtCode`, a commune (`XA`) by `wardCode`. The package re-uses
some legacy codes for other new communes (20944: Trà Mai, then Nam Trà My), so the two
structures are never mixed.

Every unit is either placed or listed with the reason it is not (never dropped): departments
have no territory; a district or commune may lack a GSO code, or its code may be missing from
the package (Nông Sơn district, 519, is: shared/docs/domain.md).

No warehouse, no Dagster (the package's own SQLite database only, read-only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

from kpi_pipeline.domain import admin_units
from kpi_pipeline.domain.provinces import REFORM_DAY, deployment
from kpi_pipeline.reports.model import MapPoint, ProvinceMap, UnitRow, UnplacedUnit

DISTRICT, COMMUNE = "HUYEN", "XA"
PLACED_LEVELS = (DISTRICT, COMMUNE)

VIETNAM_BOUNDS = (8.2, 102.1, 23.4, 109.5)
REASON_NO_TERRITORY = "Sở, ban, ngành: không gắn với một địa bàn trên bản đồ"
REASON_NO_CODE = "Chưa có mã đơn vị hành chính (MaHanhChinh)"


def reason_not_found(code: str) -> str:
    return f"Mã đơn vị hành chính {code} không có tọa độ trong dữ liệu địa giới"


@dataclass(frozen=True)
class Place:
    level: str  # HUYEN or XA
    gso_code: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class ProvincePlaces:
    province_code: str
    bounds: tuple[float, float, float, float]  # south, west, north, east
    places: Mapping[tuple[str, str], Place]  # (level, normalised GSO code) -> place

    def find(self, level: str, gso_code: str | None) -> Place | None:
        code = normalise_gso(gso_code)
        return None if code is None else self.places.get((level, code))


def normalise_gso(code: str | int | None) -> str | None:
    """'020944', '20944', 20944 -> '20944'; blank -> None."""
    if code is None:
        return None
    text = str(code).strip()
    if not text:
        return None
    return text.lstrip("0") or "0"


@cache
def province_places(province_code: str) -> ProvincePlaces:
    """The districts and communes of a province with their coordinates (legacy data)."""
    code = normalise_gso(province_code).zfill(2)
    if not code.isdigit():
        raise ValueError(f"not a GSO province code: {province_code!r}")
    rows = admin_units.query("select_legacy_places", code=code)
    places: dict[tuple[str, str], Place] = {}
    for r in rows:
        for level, c, name, lat, lon in (
            (DISTRICT, r["districtCode"], r["district"], r["districtLat"], r["districtLon"]),
            (COMMUNE, r["wardCode"], r["ward"], r["wardLat"], r["wardLon"]),
        ):
            key = normalise_gso(c)
            if key is None or lat is None or lon is None or (level, key) in places:
                continue
            places[(level, key)] = Place(level, key, name, float(lat), float(lon))
    bounds = _bounds(rows[0]["provinceBounds"] if rows else None, places.values())
    return ProvincePlaces(code, bounds, places)


@cache
def current_places(province_code: str) -> ProvincePlaces:
    """The communes of a new (34-province) province with their coordinates (current data)."""
    code = normalise_gso(province_code).zfill(2)
    if not code.isdigit():
        raise ValueError(f"not a GSO province code: {province_code!r}")
    rows = admin_units.query("select_current_places", code=code)
    places = {
        (COMMUNE, key): Place(COMMUNE, key, r["ward"], float(r["wardLat"]), float(r["wardLon"]))
        for r in rows
        if (key := normalise_gso(r["wardCode"])) and r["wardLat"] is not None
    }
    return ProvincePlaces(code, _bounds(None, places.values()), places)


def deployment_places(province_code: str, day: date) -> ProvincePlaces:
    """The places of a deployment in the structure in force on `day` (module docstring)."""
    try:
        dep = deployment(normalise_gso(province_code).zfill(2))
    except ValueError:
        return province_places(province_code)  # unknown: an empty map, everyone listed
    if day >= REFORM_DAY:
        return current_places(dep.new_code)
    parts = [province_places(code) for code in dep.legacy_codes]
    if len(parts) == 1:
        return parts[0]
    places = {k: v for p in parts for k, v in p.places.items()}
    s, w, n, e = zip(*(p.bounds for p in parts), strict=True)
    return ProvincePlaces(dep.code, (min(s), min(w), max(n), max(e)), places)


def _bounds(text: str | None, places: Iterable[Place]) -> tuple[float, float, float, float]:
    """'14.95,107.21 – 16.06,108.73' (south-west – north-east), else the places' extent."""
    if text:
        try:
            sw, ne = (part.strip() for part in text.replace("—", "–").split("–"))
            s, w = (float(v) for v in sw.split(","))
            n, e = (float(v) for v in ne.split(","))
            if s < n and w < e:
                return (s, w, n, e)
        except ValueError:
            pass
    places = list(places)
    if not places:  # a province the package does not know: an empty map, everyone listed
        return VIETNAM_BOUNDS
    lats, lons = [p.lat for p in places], [p.lon for p in places]
    return (min(lats), min(lons), max(lats), max(lons))


def place_units(
    units: Iterable[UnitRow], gso_codes: Mapping[str, str | None], places: ProvincePlaces
) -> ProvinceMap:
    """Each unit's point (districts and communes with known coordinates), coloured by the
    overall band a report shows (`UnitRow.shown_overall`: too few dossiers is not a colour),
    a district with its roll-up band too; every other unit in `unplaced` with the reason."""
    points, unplaced = [], []
    for u in units:
        if u.unit_level == "TINH":
            continue  # the province is the map itself
        band = u.shown_overall
        if u.unit_level not in PLACED_LEVELS:
            unplaced.append(
                UnplacedUnit(u.unit_code, u.unit_name, u.unit_level, band, REASON_NO_TERRITORY)
            )
            continue
        code = normalise_gso(gso_codes.get(u.unit_code))
        place = places.find(u.unit_level, code)
        if place is None:
            reason = REASON_NO_CODE if code is None else reason_not_found(code)
            unplaced.append(UnplacedUnit(u.unit_code, u.unit_name, u.unit_level, band, reason))
            continue
        rollup = u.rollup.shown_overall if u.rollup is not None else None
        points.append(
            MapPoint(
                u.unit_code, u.unit_name, u.unit_level, place.lat, place.lon, band, code, rollup
            )
        )
    return ProvinceMap(bounds=places.bounds, points=tuple(points), unplaced=tuple(unplaced))
