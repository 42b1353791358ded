"""Fault injection: which fault, if any, hits the next request.

Decisions come from an RNG seeded with the simulator seed and `FaultConfig.seed`, drawn once per
kind for every eligible request in arrival order, so a sequential client sees the same faults
on every run. Switching faults (`set`) restarts the RNG and the counters, so a test that sets
`rate=1.0, max_faults=1` gets exactly one fault on its next eligible request.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from kpi_simulator.config import FaultConfig

TERMINAL = ("rate_limit", "server_error", "html_body", "connection_reset")
MODIFIERS = ("slow", "repeated_records", "nfd_text")


@dataclass(frozen=True)
class Decision:
    terminal: str | None = None  # one of TERMINAL
    status: int | None = None  # for server_error
    slow: bool = False
    repeated_records: bool = False
    nfd_text: bool = False


NO_FAULT = Decision()


class FaultInjector:
    def __init__(self, config: FaultConfig, seed: int):
        self._seed = seed
        self._lock = threading.Lock()
        self.fired: Counter[str] = Counter()
        self.set(config)

    def set(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config
            self._rng = random.Random(f"{self._seed}|faults|{config.seed}")
            self._eligible = 0
            self._data_requests = 0
            self._fired_since_set: Counter[str] = Counter()

    def fired_counts(self) -> Counter[str]:
        with self._lock:
            return Counter(self.fired)

    def clear_counts(self) -> None:
        with self._lock:
            self.fired.clear()

    def data_faults_on(self, path: str) -> bool:
        """Whether the data faults change this list request's page (counts it when they do)."""
        c = self.config
        if not data_faults_apply(c, path):
            return False
        with self._lock:
            self._data_requests += 1
            return c.data_fault_requests is None or self._data_requests <= c.data_fault_requests

    def decide(self, path: str, is_token_endpoint: bool, page: int) -> Decision:
        """The faults for one request to `path` (the full path, portal prefix included)."""
        c = self.config
        if is_token_endpoint and not c.include_token_endpoint:
            return NO_FAULT
        if c.paths and not any(p in path for p in c.paths):
            return NO_FAULT
        with self._lock:
            self._eligible += 1
            if self._eligible <= c.start_after:
                return NO_FAULT
            rng = self._rng
            chosen: dict[str, bool] = {}
            terminal = None
            for kind in TERMINAL + MODIFIERS:
                u = rng.random()  # always drawn: the sequence does not depend on outcomes
                rate = getattr(c, kind)
                if kind == "repeated_records" and page <= 1:
                    continue
                if u >= rate or (
                    c.max_faults is not None and self._fired_since_set[kind] >= c.max_faults
                ):
                    continue
                if kind in TERMINAL:
                    if terminal is not None:
                        continue
                    terminal = kind
                chosen[kind] = True
            status = None
            if terminal == "server_error":
                status = c.server_error_statuses[rng.randrange(len(c.server_error_statuses))]
            for kind in chosen:
                self._fired_since_set[kind] += 1
                self.fired[kind] += 1
            return Decision(
                terminal=terminal,
                status=status,
                slow=chosen.get("slow", False),
                repeated_records=chosen.get("repeated_records", False),
                nfd_text=chosen.get("nfd_text", False),
            )


# -- data faults: what a page holds (switches, not rates; see FaultConfig) ------------------------
ORPHAN_UNIT = "X-ORPHAN"
MISSING_PARENT = "X-MISSING-PARENT"


def data_faults_apply(c: FaultConfig, path: str) -> bool:
    return not c.paths or any(p in path for p in c.paths)


def served_total(c: FaultConfig, true_total: int) -> int:
    """The `total` a page reports."""
    if c.total_override is not None:
        return c.total_override
    # a count taken before records arrived is never below zero (an empty window says 0)
    return max(0, true_total + c.total_offset)


def served_page(c: FaultConfig, page: int) -> int:
    """The page whose items are served when `page` is asked for."""
    return 1 if c.ignore_page else page


def wrongly_typed(c: FaultConfig, index: int, item: dict[str, Any]) -> dict[str, Any]:
    """Dossier item number `index` of its window, with a wrongly typed field every Nth item."""
    n = c.wrong_types_every
    if not n or index % n != n - 1:
        return item
    item = dict(item)
    kind = (index // n) % 3
    if kind == 0:
        item["ThanhToan"] = "paid"
    elif kind == 1:
        payment = item.get("ThanhToan")
        item["ThanhToan"] = {
            **(payment if isinstance(payment, dict) else {"HinhThuc": "TRUC_TIEP"}),
            "SoTien": -5,
        }
    else:
        item["LyDoTreHan"] = "x" * c.long_text_chars
    return item


def units_with_faults(c: FaultConfig, units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The `/donvi` items with the unit-tree faults switched on."""
    if c.unit_cycle:
        districts = sorted({u["MaDonVi"] for u in units if u["CapDonVi"] == "HUYEN"})[:2]
        a, b = districts
        other = {a: b, b: a}
        units = [
            {**u, "MaDonViCha": other[u["MaDonVi"]]} if u["MaDonVi"] in other else u for u in units
        ]
    if c.orphan_unit:
        units = [
            *units,
            {
                "MaDonVi": ORPHAN_UNIT,
                "TenDonVi": "Đơn vị có đơn vị cha không tồn tại",
                "CapDonVi": "XA",
                "MaDonViCha": MISSING_PARENT,
                "MaHanhChinh": None,
                "HieuLucTu": "20220101",
                "HieuLucDen": None,
            },
        ]
    return units
