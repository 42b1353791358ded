"""Vietnamese public holidays, compensatory days off and working Saturdays, 2022..2027.

This is data a real deployment loads from the portal (`/api/v1/ngaynghi`); the simulator keeps
its copy in `data/ngaynghi.csv` (`Ngay,TenNgayNghi,Loai`) and derives its working calendar
from the same rows it serves, so due dates and the pipeline's calendar agree by construction.
Rows follow the government's announcements as best known (Tết ranges, Giỗ Tổ Hùng Vương,
30/4, 1/5, 2/9 with its extra day from 2022, 1/1, compensatory `BU` days, swapped working
Saturdays `LAM_BU` such as 2023-05-06); 2026 partly and 2027 wholly are projections from the
lunar calendar and the usual rules, not announced dates.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

from kpi_pipeline.domain.calendar import WorkingCalendar

DATA_FILE = resources.files("kpi_simulator").joinpath("data", "ngaynghi.csv")
KINDS = ("LE", "BU", "LAM_BU")
TET = "Tết Nguyên đán"


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str
    kind: str

    def to_api(self) -> dict:
        return {"Ngay": self.day.strftime("%Y%m%d"), "TenNgayNghi": self.name, "Loai": self.kind}


@cache
def load_holidays(path: Path = DATA_FILE) -> tuple[Holiday, ...]:
    rows = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            day = date(int(row["Ngay"][:4]), int(row["Ngay"][4:6]), int(row["Ngay"][6:8]))
            if row["Loai"] not in KINDS:
                raise ValueError(f"{path}: unknown Loai {row['Loai']!r} on {row['Ngay']}")
            rows.append(Holiday(day, row["TenNgayNghi"], row["Loai"]))
    rows.sort(key=lambda h: h.day)
    if len({h.day for h in rows}) != len(rows):
        raise ValueError(f"{path}: a day is listed twice")
    return tuple(rows)


def working_calendar(holidays: tuple[Holiday, ...]) -> WorkingCalendar:
    return WorkingCalendar({h.day: h.kind for h in holidays})


def tet_ranges(holidays: tuple[Holiday, ...]) -> list[tuple[date, date]]:
    """First and last Tết Nguyên đán day off of each year (the volume dip around it)."""
    by_year: dict[int, list[date]] = {}
    for h in holidays:
        if h.name == TET or (h.kind == "BU" and TET in h.name):
            by_year.setdefault(h.day.year, []).append(h.day)
    return [(min(days), max(days)) for _, days in sorted(by_year.items())]
