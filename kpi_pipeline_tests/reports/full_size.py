"""A full-size Friday report model: every unit of the simulator's default deployment.

Departments, districts and communes valid in the week, with seeded random figures of the
default scale's size (a commune finishes 0..40 dossiers a week, so many have fewer than 5; one
unit in five well below the on-time target), a 13-week heatmap, the map, and a full drill-down
(5 + 5 procedures, 20 overdue dossiers) for every red unit. For the report size benchmark
(benchmarks/report_size.py) and the browser tests of what must hold at full size (the summary
prints on one page).
"""

from __future__ import annotations

import random
from dataclasses import fields
from datetime import date, datetime, timedelta

from kpi_pipeline.domain.bands import BandWidths, Target, band, overall_band
from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.reports import model as M
from kpi_pipeline.reports.geo import deployment_places, place_units
from kpi_simulator.admin_units import QUANG_NAM, build_units

TARGETS = {"on_time": Target(90), "online": Target(50, True), "online_payment": Target(25, True)}
WIDTHS = BandWidths()
SIZE = {"SO_NGANH": (5, 120), "HUYEN": (10, 150), "XA": (0, 40)}


def unit_row(rng: random.Random, u, parent_name: str | None, big: bool = False) -> M.UnitRow:
    lo, hi = (200, 2000) if big else SIZE[u.level]
    finished = rng.randint(lo, hi)
    eligible = rng.randint(0, finished)
    paying = rng.randint(0, eligible)
    counts = {
        "finished": finished,
        # one unit in five well below the on-time target
        "finished_on_time": round(
            finished * (rng.uniform(0.5, 0.8) if rng.random() < 0.2 else rng.uniform(0.85, 1.0))
        ),
        "online_eligible": eligible,
        "online_eligible_received_online": round(eligible * rng.uniform(0.35, 0.95)),
        "payment_eligible": paying,
        "paid_online": round(paying * rng.uniform(0.1, 0.6)),
        "received": finished + rng.randint(0, 10),
        "overdue_open": rng.randint(0, 5),
    }
    counts["digitised"] = round(counts["received"] * rng.uniform(0.3, 1.0))
    kw: dict = dict(counts)
    bands = {}
    for kpi, (num, den) in {
        "on_time": ("finished_on_time", "finished"),
        "online": ("online_eligible_received_online", "online_eligible"),
        "online_payment": ("paid_online", "payment_eligible"),
    }.items():
        n, d = counts[num], counts[den]
        kw[f"{kpi}_rate"] = n / d if d else None
        bands[kpi] = band(n, d, TARGETS[kpi], WIDTHS)
        kw[f"{kpi}_band"] = bands[kpi]
        kw[f"{kpi}_low_volume"] = 0 < d < 5
    kw["digitisation_rate"] = counts["digitised"] / counts["received"]
    kw["overall_band"] = overall_band(*bands.values())
    names = {f.name for f in fields(M.UnitRow)}
    kw = {k: v for k, v in kw.items() if k in names}
    return M.UnitRow(u.code, u.name, u.level, u.parent, parent_name, **kw)


def build(week: date, seed: int = 15) -> M.WeeklyReportData:
    rng = random.Random(seed)
    day = week + timedelta(days=6)
    units = [u for u in build_units(QUANG_NAM) if u.valid_on(day)]
    names = {u.code: u.name for u in units}
    province = next(u for u in units if u.level == "TINH")
    rows = [unit_row(rng, u, names.get(u.parent)) for u in units if u.level in SIZE and u.parent]
    province_row = unit_row(rng, province, None, big=True)
    heat_weeks = tuple(week - timedelta(weeks=12 - i) for i in range(M.HEATMAP_WEEKS))
    choices = ["green", "yellow", "orange", "red", None]
    heatmap = tuple(
        M.HeatmapRow(
            r.unit_code, r.unit_name, r.unit_level, (*rng.choices(choices, k=12), r.overall_band)
        )
        for r in rows
    )
    # the red units of the report: rated red (the minimum-volume rule) where the model has it
    red = [r for r in rows if getattr(r, "rated_band", r.overall_band) == "red"]
    drill = tuple(
        M.RedUnitDrilldown(
            r.unit_code,
            r.unit_name,
            late_procedures=tuple(
                M.ProcedureCount(
                    f"1.00{i}612.000.00.00.H47", "Đăng ký khai sinh có yếu tố nước ngoài", 5 - i, 9
                )
                for i in range(5)
            ),
            non_online_procedures=tuple(
                M.ProcedureCount(
                    f"2.00{i}889.000.00.00.H47", "Cấp giấy chứng nhận quyền sử dụng đất", 5 - i, 9
                )
                for i in range(5)
            ),
            overdue_dossiers=tuple(
                M.OverdueDossier(
                    f"H47.{r.unit_code[-9:]}-2411{i:04d}",
                    f"1.00{i}612.000.00.00.H47",
                    "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
                    datetime(2024, 10, 1, 9, tzinfo=TZ),
                    datetime(2024, 10, 8, 17, tzinfo=TZ),
                    20 - i,
                )
                for i in range(20)
            ),
            overdue_total=25,
        )
        for r in red
    )
    gso = {u.code: u.gso for u in units}
    two_tier = not any(r.unit_level == "HUYEN" for r in rows)
    return M.WeeklyReportData(
        week_start=week,
        province_code=QUANG_NAM,
        province_name=province.name.replace("UBND ", ""),
        province=province_row,
        trend=tuple(M.TrendPoint(w, 0.9, 0.5, 0.2) for w in heat_weeks[1:]),
        units=tuple(rows),
        heatmap_weeks=heat_weeks,
        heatmap=heatmap,
        drilldowns=drill,
        generated_at=datetime.combine(week + timedelta(days=7), datetime.min.time(), TZ),
        map=place_units(rows, gso, deployment_places(QUANG_NAM, day)),
        two_tier=two_tier,
    )
