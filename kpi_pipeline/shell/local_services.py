"""The embedded default: what `kpi-pipeline run|dev` starts when nothing is configured.

With `KPI_DATABASE_URL` unset, an embedded PostgreSQL (pgserver) in `KPI_HOME/pgdata` serves
both the warehouse (database `kpi`) and Dagster's storage (database `dagster`). With it set and
`DAGSTER_PG_URL` unset, Dagster's storage goes to its own schema `dagster` of the warehouse
database (never its `public` schema), created here before Dagster starts. With the portal
URLs unset, the bundled simulator serves both portals on a loopback port. Whatever is started
is exported as the same environment variables a production deployment sets, so nothing else
changes between the two modes.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kpi_pipeline import settings
from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.errors import ConfigurationError
from kpi_pipeline.shell.preflight import static_problems
from kpi_pipeline.warehouse import db
from kpi_pipeline.warehouse.embedded import start_embedded
from kpi_pipeline.warehouse.preflight import check_database

log = logging.getLogger(__name__)

SIMULATOR_SCALE = settings.KPI_SIMULATOR_SCALE
SIMULATOR_SEED = settings.KPI_SIMULATOR_SEED


@dataclass
class LocalServices:
    embedded_dir: Path | None = None
    simulator: object | None = None
    started: list[str] = field(default_factory=list)

    def close(self) -> None:
        if self.simulator is not None:
            self.simulator.stop()
            self.simulator = None


def _ensure_database(server_url: str, name: str) -> str:
    with db.connect(server_url, autocommit=True) as conn:
        exists = conn.execute(
            db.statement("warehouse/select_database_exists"), {"name": name}
        ).fetchone()
    return db.with_database(server_url, name) if exists else db.create_database(server_url, name)


def embedded_warehouse() -> str:
    """Start (or join) the embedded server in KPI_HOME and return the warehouse URL (`kpi`)."""
    return _ensure_database(start_embedded(settings.kpi_home() / "pgdata"), "kpi")


def ensure_dagster_home() -> Path:
    """DAGSTER_HOME under KPI_HOME unless set, holding the project's dagster.yaml."""
    home = Path(os.environ.get(settings.DAGSTER_HOME) or settings.kpi_home() / "dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    src = settings.PROJECT_ROOT / "dagster.yaml"
    if src.exists() and src.resolve() != (home / "dagster.yaml").resolve():
        shutil.copyfile(src, home / "dagster.yaml")
    os.environ[settings.DAGSTER_HOME] = str(home)
    return home


def ensure_local_services(now: datetime | None = None) -> LocalServices:
    """Start what the configuration leaves to the embedded default; raise `ConfigurationError`
    (naming the variables to set) for settings that cannot work, before starting anything."""
    env = os.environ
    prov, nat = env.get(settings.PROVINCIAL_PORTAL_URL), env.get(settings.NATIONAL_PORTAL_URL)
    if bool(prov) != bool(nat):
        raise ConfigurationError(
            "set both PROVINCIAL_PORTAL_URL and NATIONAL_PORTAL_URL (or neither, for the "
            "bundled simulator)"
        )
    if problems := static_problems(env):
        raise ConfigurationError("\n".join(problems))
    services = LocalServices()
    if not env.get(settings.KPI_DATABASE_URL):
        services.embedded_dir = settings.kpi_home() / "pgdata"
        server_url = start_embedded(services.embedded_dir)
        env[settings.KPI_DATABASE_URL] = _ensure_database(server_url, "kpi")
        env.setdefault(
            settings.DAGSTER_PG_URL, db.dagster_storage_url(_ensure_database(server_url, "dagster"))
        )
        services.started.append(f"embedded PostgreSQL in {services.embedded_dir}")
    elif not env.get(settings.DAGSTER_PG_URL):
        warehouse = env[settings.KPI_DATABASE_URL]
        check_database(settings.KPI_DATABASE_URL, warehouse)  # a clear message, not a traceback
        db.ensure_dagster_schema(warehouse)
        env[settings.DAGSTER_PG_URL] = db.dagster_schema_url(warehouse)

    if not prov:
        services.simulator = start_simulator(now)
        services.started.append(
            f"portal simulator at {services.simulator.provincial_url} and "
            f"{services.simulator.national_url}"
        )
    ensure_dagster_home()
    return services


def start_simulator(now: datetime | None = None):
    """Serve both portals from the bundled simulator and export their settings."""
    from kpi_simulator import SimulatorConfig, SimulatorServer, World

    os.environ.setdefault(settings.KPI_PROVINCE_CODE, settings.EMBEDDED_PROVINCE_CODE)
    scale = float(os.environ.get(SIMULATOR_SCALE) or 0.01)
    seed = int(os.environ.get(SIMULATOR_SEED) or 49)
    config = SimulatorConfig.demo(
        now=now or datetime.now(TZ),
        seed=seed,
        scale=scale,
        province_code=settings.province_code(),
        provincial_credentials=("kpi-provincial", secrets.token_urlsafe(16)),
        national_credentials=("kpi-national", secrets.token_urlsafe(16)),
    )
    server = SimulatorServer(World(config), host="127.0.0.1", port=0)
    server.start()
    os.environ.update(server.portal_env())
    return server


def serve_simulator(argv: list[str]) -> int:
    """`kpi-pipeline simulator`: the simulator's own command line, serving the embedded
    default's province unless `KPI_PROVINCE_CODE` names another."""
    from kpi_simulator.__main__ import main

    province = os.environ.get(settings.KPI_PROVINCE_CODE) or settings.EMBEDDED_PROVINCE_CODE
    return main(argv, prog="kpi-pipeline simulator", province=province)
