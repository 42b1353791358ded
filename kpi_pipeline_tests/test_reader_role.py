"""The report readers' role on the real PostgreSQL: SELECT on schema kpi and nothing else
(kpi_pipeline/warehouse/roles.py, `kpi-pipeline grant-reader NAME`); and Dagster's storage in
its own schema when it shares the warehouse database (shell/local_services.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from kpi_pipeline.warehouse import db
from kpi_pipeline.warehouse.roles import ReaderRoleError, grant_reader

PRIVATE_TABLES = [
    "raw.provincial_dossiers",
    "staging.dossiers",
    "quarantine.records",
    "ref.units",
]


def _as_user(url: str, user: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}"))


def _drop_roles(url: str, *roles: str) -> None:
    with db.connect(url, autocommit=True) as conn:
        for role in roles:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            if exists:
                conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.fixture
def names(database_url):
    """A reader and a group name of this test only (roles are server-wide)."""
    tag = uuid.uuid4().hex[:8]
    reader, group = f"reader_{tag}", f"kpi_reader_{tag}"
    yield reader, group
    _drop_roles(database_url, reader, group)


def _denied(conn, statement: str) -> bool:
    try:
        with conn.transaction():
            conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def test_reader_selects_kpi_and_nothing_else(database_url, names):
    reader, group = names
    done = grant_reader(database_url, reader, group=group)
    assert f"{reader} is a member of {group}" in done
    # a kpi table the pipeline creates later is readable too (default privileges)
    with db.connect(database_url) as conn:
        conn.execute("CREATE TABLE kpi.later_table (x int)")
        conn.commit()

    with psycopg.connect(db.libpq_url(_as_user(database_url, reader))) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == reader
        for table in ("kpi.unit_kpi_weekly", "kpi.unit_kpi_monthly", "kpi.later_table"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
        for table in PRIVATE_TABLES:
            assert _denied(conn, f"SELECT 1 FROM {table} LIMIT 1"), table
        assert _denied(conn, "DELETE FROM kpi.unit_kpi_weekly")
        assert _denied(conn, "UPDATE kpi.unit_kpi_monthly SET unit_code = unit_code")
        assert _denied(conn, "TRUNCATE kpi.alerts_sent")
        assert _denied(conn, "INSERT INTO kpi.later_table VALUES (1)")
        assert _denied(conn, "CREATE TABLE kpi.mine (x int)")
        assert _denied(conn, "CREATE TABLE public.mine (x int)")
        assert _denied(conn, "CREATE SCHEMA mine")

    with db.connect(database_url) as conn:
        assert reader_excess_of(conn, reader) == []
    # idempotent: a second grant changes nothing and creates nothing
    again = grant_reader(database_url, reader, group=group)
    assert not any(line.startswith("created") for line in again)


def reader_excess_of(conn, role):
    from kpi_pipeline.warehouse.roles import reader_excess

    return reader_excess(conn, role)


def test_an_existing_role_with_more_rights_is_refused(database_url, names):
    reader, group = names
    with db.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEDB").format(sql.Identifier(reader)))
        conn.execute(
            sql.SQL("GRANT SELECT ON raw.provincial_dossiers TO {}").format(sql.Identifier(reader))
        )
    with pytest.raises(ReaderRoleError) as info:
        grant_reader(database_url, reader, group=group)
    message = str(info.value)
    assert "SELECT on raw.provincial_dossiers" in message and "role attribute CREATEDB" in message
    with db.connect(database_url) as conn:  # one transaction, rolled back: no group, no member
        groups = conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", (group,))
        assert groups.fetchone()[0] == 0


def test_cli_grant_reader(database_url, names, tmp_path):
    reader, _ = names
    with db.connect(database_url) as conn:  # the server-wide group role, left as it was found
        had_group = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'kpi_reader'").fetchone()
    env = {**os.environ, "KPI_DATABASE_URL": database_url, "KPI_HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "kpi_pipeline.shell.cli", "grant-reader", reader],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{reader} can now read schema kpi" in proc.stdout
    with psycopg.connect(db.libpq_url(_as_user(database_url, reader))) as conn:
        assert conn.execute("SELECT count(*) FROM kpi.unit_kpi_weekly").fetchone()[0] == 0
        assert _denied(conn, "SELECT 1 FROM staging.dossiers")
    _drop_roles(database_url, reader, *([] if had_group else ["kpi_reader"]))


# -- Dagster's own storage -------------------------------------------------------------------
def test_dagster_schema_url_keeps_the_url_and_adds_the_search_path():
    assert db.dagster_schema_url("postgresql://kpi:pw@db:5432/kpi") == (
        "postgresql+psycopg2://kpi:pw@db:5432/kpi?options=-csearch_path%3Ddagster"
    )
    url = db.dagster_schema_url("postgresql://kpi@db/kpi?sslmode=require&options=-cwork_mem%3D8MB")
    assert url == (
        "postgresql+psycopg2://kpi@db/kpi?sslmode=require"
        "&options=-cwork_mem%3D8MB%20-csearch_path%3Ddagster"
    )


def test_dagster_storage_derived_from_the_warehouse_gets_its_own_schema(
    database_url, simulator, tmp_path, monkeypatch
):
    from dagster import DagsterInstance, asset, materialize

    from kpi_pipeline import settings
    from kpi_pipeline.shell.local_services import ensure_local_services

    monkeypatch.setenv(settings.KPI_DATABASE_URL, database_url)
    monkeypatch.delenv(settings.DAGSTER_PG_URL, raising=False)
    monkeypatch.setenv(settings.KPI_HOME, str(tmp_path))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    for name, value in simulator.portal_env().items():
        monkeypatch.setenv(name, value)
    services = ensure_local_services()
    try:
        storage = os.environ[settings.DAGSTER_PG_URL]
        assert storage.endswith("options=-csearch_path%3Ddagster")

        @asset
        def probe() -> int:
            return 1

        with DagsterInstance.get() as instance:
            result = materialize([probe], instance=instance)
            assert result.success and instance.get_run_by_id(result.run_id) is not None
    finally:
        services.close()
    with db.connect(database_url) as conn:
        tables = dict(
            conn.execute(
                "SELECT table_schema, count(*) FROM information_schema.tables"
                " WHERE table_name IN ('runs', 'event_logs', 'instigators', 'kvs')"
                " GROUP BY table_schema"
            ).fetchall()
        )
    assert tables == {"dagster": 4}  # nothing in public
