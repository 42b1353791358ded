"""`python -m kpi_pipeline.simulator`: serve both portals until killed.

Prints the two base URLs and the credentials as the environment variables the pipeline reads.
`--now` defaults to the current minute, so two runs started at different times differ; pass it
for reproducible data.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from datetime import datetime

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.simulator.config import SimulatorConfig
from kpi_pipeline.simulator.server import SimulatorServer
from kpi_pipeline.simulator.timestamps import parse
from kpi_pipeline.simulator.world import World


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kpi_pipeline.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument(
        "--scale", type=float, default=0.01, help="1.0 = ~1,000,000 dossiers a year"
    )
    parser.add_argument("--seed", type=int, default=49)
    parser.add_argument(
        "--province", default="49", help="GSO code: 48 new Đà Nẵng, 49 Quảng Nam, 46 Huế, ..."
    )
    parser.add_argument("--now", type=parse, default=None, help="yyyyMMddHHmmss, Asia/Ho_Chi_Minh")
    parser.add_argument("--max-page-size", type=int, default=500)
    args = parser.parse_args(argv)
    now = args.now or datetime.now(TZ).replace(second=0, microsecond=0)
    cfg = SimulatorConfig(
        now=now,
        seed=args.seed,
        scale=args.scale,
        max_page_size=args.max_page_size,
        province_code=args.province,
    )
    server = SimulatorServer(World(cfg), host=args.host, port=args.port).start()
    print(
        f"Portal simulator (seed {cfg.seed}, scale {cfg.scale}, now {cfg.now:%Y-%m-%d %H:%M:%S %z})"
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
