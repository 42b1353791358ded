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

from kpi_pipeline.simulator.config import FaultConfig

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
            self._fired_since_set: Counter[str] = Counter()

    def fired_counts(self) -> Counter[str]:
        with self._lock:
            return Counter(self.fired)

    def clear_counts(self) -> None:
        with self._lock:
            self.fired.clear()

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
