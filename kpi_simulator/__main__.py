"""`python -m kpi_simulator` (and `kpi-pipeline simulator`): serve both portals until stopped.

Prints the two base URLs and fresh client credentials as `NAME=value` lines of the environment
variables the pipeline reads (`KPI_PROVINCE_CODE` last). `--now` defaults to the
current minute, so two runs started at different times differ; pass it for reproducible data.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import signal
import sys
import threading
from datetime import datetime

from kpi_pipeline.domain.calendar import TZ
from kpi_simulator.config import SimulatorConfig
from kpi_simulator.server import SimulatorServer
from kpi_simulator.timestamps import parse
from kpi_simulator.world import World


def parser(prog: str = "python -m kpi_simulator", province: str = "49") -> argparse.ArgumentParser:
    """The one command line of the simulator; `kpi-pipeline simulator` passes its own default
    province (the embedded one)."""
    p = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    p.add_argument("--scale", type=float, default=0.01, help="1.0 = ~1,000,000 dossiers a year")
    p.add_argument("--seed", type=int, default=49)
    p.add_argument(
        "--province",
        default=province,
        help=f"GSO code: 48 new Đà Nẵng, 49 Quảng Nam, 46 Huế, ... (default {province})",
    )
    p.add_argument("--now", type=parse, default=None, help="yyyyMMddHHmmss, Asia/Ho_Chi_Minh")
    p.add_argument("--max-page-size", type=int, default=500)
    return p


def main(
    argv: list[str] | None = None, prog: str = "python -m kpi_simulator", province: str = "49"
) -> int:
    args = parser(prog, province).parse_args(argv)
    now = args.now or datetime.now(TZ).replace(second=0, microsecond=0)
    cfg = SimulatorConfig(
        now=now,
        seed=args.seed,
        scale=args.scale,
        max_page_size=args.max_page_size,
        province_code=args.province,
        provincial_credentials=("kpi-provincial", secrets.token_urlsafe(16)),
        national_credentials=("kpi-national", secrets.token_urlsafe(16)),
    )
    server = SimulatorServer(World(cfg), host=args.host, port=args.port).start()
    print(
        f"Portal simulator (seed {cfg.seed}, scale {cfg.scale}, province {cfg.province_code},"
        f" now {cfg.now:%Y-%m-%d %H:%M:%S %z}); Ctrl-C to stop"
    )
    for name, value in server.portal_env().items():  # KPI_PROVINCE_CODE last
        print(f"{name}={value}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
