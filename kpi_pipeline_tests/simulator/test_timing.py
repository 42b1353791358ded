"""How long generation takes (printed, not asserted: machines differ)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from kpi_pipeline.domain.calendar import TZ
from kpi_simulator import SimulatorConfig, World

from .conftest import NOW

WEEK = [date(2026, 2, 27) + timedelta(days=k) for k in range(7)]


def _week_of_receipts(world: World) -> tuple[int, float]:
    t0 = time.perf_counter()
    n = sum(len(world.day(d)) for d in WEEK)
    return n, time.perf_counter() - t0


def test_print_generation_timing(capsys):
    demo = World(SimulatorConfig.demo(now=NOW))
    n_demo, s_demo = _week_of_receipts(demo)
    t0 = time.perf_counter()
    window = demo.window("hoso", datetime(2026, 2, 27, tzinfo=TZ), NOW)
    s_window = time.perf_counter() - t0
    full = World(SimulatorConfig.province_year(now=NOW))
    n_full, s_full = _week_of_receipts(full)
    with capsys.disabled():
        print(
            f"\n[simulator timing] demo week: {n_demo} dossiers in {s_demo:.2f} s; "
            f"demo change window of 3 weeks (with its 120-day look-back): {len(window)} in {s_window:.2f} s; "
            f"province-year week: {n_full} dossiers in {s_full:.2f} s"
        )
    assert n_full > 50 * n_demo
