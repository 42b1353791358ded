"""What a simulated province looks like (`SimulatorConfig`) and how its portals misbehave (`FaultConfig`).

Everything the simulator serves is a pure function of `SimulatorConfig` (seed, scale, `now`),
so that the same configuration gives byte-identical responses and ingestion tests can compare
what they loaded against `World` record for record. Faults are kept separate because they are
switched at run time and never change the truth, only how it is delivered.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from typing import Any

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.domain.provinces import deployment

HISTORY_START = date(2022, 1, 1)
# The holiday table (data/ngaynghi.csv) covers 2022..2027; a later `now` would need more rows.
HISTORY_END = date(2027, 12, 31)
SERVER_ERROR_STATUSES = (500, 502, 503, 504)


@dataclass(frozen=True, kw_only=True)
class FaultConfig:
    """Fault switches, all off by default. Rates are probabilities per eligible request.

    A request is eligible when it is a data request (`/api/...`, plus `/oauth/token` when
    `include_token_endpoint`), its path contains one of `paths` (all paths when empty), and at
    least `start_after` eligible requests have already been served since the faults were set.
    Each kind fires at most `max_faults` times (None: no limit), so `rate=1.0, max_faults=1`
    forces exactly one fault on the first eligible request. The draws come from an RNG seeded
    with the simulator seed and `seed`, in request order: deterministic for a sequential client.

    At most one of the terminal faults hits a request, checked in this order: `rate_limit`
    (429 + Retry-After), `server_error` (a status from `server_error_statuses`), `html_body`
    (200 with an HTML page), `connection_reset` (headers and part of the body, then RST).
    `slow`, `repeated_records` and `nfd_text` modify an otherwise normal response.
    `token_max_uses` / `token_ttl_seconds` make tokens expire early (the token response still
    says the configured `expires_in`, so only the 401 tells the client).

    Data faults (`faults.py`) change what a page holds, on every data request whose path
    matches `paths`, not by rate: `total_override` (every page reports this `total`) and
    `total_offset` (added to the true total: -40 is a count taken before 40 records arrived);
    `ignore_page` (every request is served page 1's items, under the page number asked for);
    `wrong_types_every` (every Nth dossier by its place in the window gets, in turn,
    `ThanhToan: "paid"`, `SoTien: -5`, or a `LyDoTreHan` of `long_text_chars` characters);
    `unit_cycle` (the first two districts are made each other's parent) and `orphan_unit` (one
    more unit, whose parent does not exist). Repeated rows across pages are `repeated_records`.
    `data_fault_requests` limits the data faults to the first N matching requests after `set`
    (a transient fault: a total that is off once).
    """

    rate_limit: float = 0.0
    retry_after_seconds: int = 1
    server_error: float = 0.0
    server_error_statuses: tuple[int, ...] = SERVER_ERROR_STATUSES
    html_body: float = 0.0
    connection_reset: float = 0.0
    slow: float = 0.0
    slow_seconds: float = 2.0
    repeated_records: float = 0.0
    repeated_count: int = 2
    nfd_text: float = 0.0
    token_max_uses: int | None = None
    token_ttl_seconds: float | None = None
    max_faults: int | None = None
    start_after: int = 0
    paths: tuple[str, ...] = ()
    include_token_endpoint: bool = False
    seed: int = 0
    total_override: int | None = None
    total_offset: int = 0
    ignore_page: bool = False
    wrong_types_every: int = 0
    long_text_chars: int = 10_000_000
    unit_cycle: bool = False
    orphan_unit: bool = False
    data_fault_requests: int | None = None

    def __post_init__(self) -> None:
        for name in (
            "rate_limit",
            "server_error",
            "html_body",
            "connection_reset",
            "slow",
            "repeated_records",
            "nfd_text",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"FaultConfig.{name} is a probability in [0, 1], got {value!r}")
        bad = [s for s in self.server_error_statuses if s not in SERVER_ERROR_STATUSES]
        if bad or not self.server_error_statuses:
            raise ValueError(f"server_error_statuses must be among {SERVER_ERROR_STATUSES}")
        if self.retry_after_seconds < 0 or self.slow_seconds < 0 or self.repeated_count < 1:
            raise ValueError("retry_after_seconds, slow_seconds >= 0 and repeated_count >= 1")
        if self.token_max_uses is not None and self.token_max_uses < 1:
            raise ValueError("token_max_uses must be >= 1")
        if self.wrong_types_every < 0 or self.long_text_chars < 1:
            raise ValueError("wrong_types_every must be >= 0 and long_text_chars >= 1")

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultConfig:
        """Build from JSON (the `/_sim/faults` admin endpoint); unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(unknown)}")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(**values)


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True, kw_only=True)
class SimulatorConfig:
    """One synthetic province: its data (seed, scale, `now`), credentials and server limits.

    `scale` is the dossier volume relative to a province-year of about 1,000,000 dossiers.
    `now` is the instant the portals are observed at: dossiers received after it do not exist
    and events after it have not happened. History starts on 2022-01-01.
    """

    now: datetime
    seed: int = 49
    scale: float = 0.01
    province_code: str = "49"
    provincial_credentials: tuple[str, str] = ("prov-client", "prov-secret")
    national_credentials: tuple[str, str] = ("nat-client", "nat-secret")
    max_page_size: int = 500
    token_ttl_seconds: int = 3600
    faults: FaultConfig = field(default_factory=FaultConfig)
    # Whole dossiers kept in memory (LRU by receipt day, ~1.2 kB each); the whole history at
    # demo scale. Beyond it, days are rebuilt from compact per-day summaries (see world.py).
    cache_dossiers: int = 100_000
    # Catalogue changes on a date: (MaTTHC, effective day, new MucDo). From that day (as of
    # `now`) the catalogue serves the new level, ToanTrinh to match and HieuLucTu = the day;
    # before it, the level as built. Dossiers keep following the catalogue as built.
    procedure_level_changes: tuple[tuple[str, date, int], ...] = ()

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("SimulatorConfig.now must be timezone-aware")
        local = self.now.astimezone(TZ).replace(microsecond=0)
        if not HISTORY_START <= local.date() <= HISTORY_END:
            raise ValueError(
                f"now must fall in {HISTORY_START}..{HISTORY_END} (the holiday data's years), got {local}"
            )
        object.__setattr__(self, "now", local)
        if self.scale <= 0:
            raise ValueError("scale must be > 0")
        for code, _day, level in self.procedure_level_changes:
            if level not in (2, 3, 4):
                raise ValueError(
                    f"procedure_level_changes: MucDo {level} of {code} is not 2, 3 or 4"
                )
        if not 1 <= self.max_page_size <= 500:
            raise ValueError("max_page_size must be in 1..500 (the contract's maximum)")
        deployment(self.province_code)  # any GSO province of vietnamadminunits, else an error

    @classmethod
    def demo(cls, *, now: datetime, **overrides: Any) -> SimulatorConfig:
        """About 10,000 dossiers a year: a week generates in milliseconds."""
        return cls(now=now, **{"scale": 0.01, **overrides})

    @classmethod
    def province_year(cls, *, now: datetime, **overrides: Any) -> SimulatorConfig:
        """A full-size province (~1,000,000 dossiers a year), for volume and timing checks."""
        return cls(now=now, **{"scale": 1.0, **overrides})

    def with_faults(self, faults: FaultConfig) -> SimulatorConfig:
        return replace(self, faults=faults)
