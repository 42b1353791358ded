"""Connections, SQL files from `sql/`, and COPY, on psycopg 3.

The project's own code uses psycopg 3. Dagster's storage (dagster-postgres, through
SQLAlchemy) uses psycopg2: see `dagster_storage_url`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import psycopg

from kpi_pipeline.domain.headline import HEADLINE
from kpi_pipeline.redaction import redact
from kpi_pipeline.settings import SQL_DIR, TIMEZONE


@cache
def sql_text(name: str) -> str:
    """The text of `sql/<name>.sql` (e.g. `staging/merge_dossiers`)."""
    path = Path(SQL_DIR) / f"{name}.sql"
    return path.read_text(encoding="utf-8")


def libpq_url(url: str) -> str:
    """The URL without a SQLAlchemy driver suffix (`postgresql+psycopg2://` -> `postgresql://`)."""
    return re.sub(r"^postgres(ql)?\+\w+://", "postgresql://", url)


def dagster_storage_url(url: str) -> str:
    """The URL for Dagster's storage: dagster-postgres goes through SQLAlchemy, and its event
    log sends `NOTIFY run_events, %s` with a bound parameter, which psycopg 3's server-side
    binding rejects; so Dagster's own storage uses psycopg2 (a dagster-postgres dependency)."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg2://", url)


DAGSTER_SCHEMA = "dagster"


def dagster_schema_url(url: str, schema: str = DAGSTER_SCHEMA) -> str:
    """Dagster's storage URL in its own schema of the database `url` names: the psycopg2 URL
    with `options=-csearch_path=<schema>` (added to any options the URL has), so its `runs`,
    `event_logs` and other tables never land in the warehouse's `public` schema."""
    from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

    parts = urlsplit(dagster_storage_url(url))
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = [v for k, v in query if k == "options"] + [f"-csearch_path={schema}"]
    query = [(k, v) for k, v in query if k != "options"] + [("options", " ".join(options))]
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def ensure_dagster_schema(url: str, schema: str = DAGSTER_SCHEMA) -> None:
    """Create the schema of `dagster_schema_url` (Dagster creates its tables, not schemas)."""
    with connect(url, autocommit=True) as conn:
        execute_file(conn, "dagster/create_dagster_schema", schema=schema)


@contextmanager
def connect(url: str, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    conn = psycopg.connect(libpq_url(url), autocommit=autocommit, application_name="kpi-pipeline")
    try:
        yield conn
    finally:
        conn.close()


def schema_files() -> list[Path]:
    """Every `create_*.sql` file, schemas first, in a stable order."""
    order = ["ref", "raw", "staging", "quarantine", "kpi"]
    files = []
    for schema in order:
        files += sorted((Path(SQL_DIR) / schema).glob("create_*.sql"))
    return files


def shared_facts() -> dict:
    """The values of `sql/warehouse/create_shared_facts.sql`: the timezone and the headline
    KPIs as Python defines them (settings.TIMEZONE, domain/headline.py)."""
    headline = [
        {
            "ord": i,
            "key": k.key,
            "rate": k.rate,
            "band": k.band,
            "numerator": k.numerator,
            "denominator": k.denominator,
        }
        for i, k in enumerate(HEADLINE, 1)
    ]
    return {"timezone": TIMEZONE, "headline": json.dumps(headline)}


def transaction_lock(conn, name: str) -> None:
    """Wait for the advisory lock `name`, held until the caller's transaction ends."""
    execute_file(conn, "warehouse/lock_for_transaction", {"name": name})


@contextmanager
def session_lock(conn, name: str) -> Iterator[None]:
    """The advisory lock `name` across several transactions of `conn` (a pull that commits in
    chunks); released on the way out unless the connection broke (the server then released it)."""
    with conn.transaction():
        execute_file(conn, "warehouse/lock_for_session", {"name": name})
    try:
        yield
    finally:
        if not conn.broken:
            conn.rollback()
            execute_file(conn, "warehouse/unlock_session", {"name": name})
            conn.commit()


def ensure_schema(url: str) -> None:
    """Create every schema and table the pipeline uses (idempotent DDL).

    The shared facts come first (the other files' functions call them). An advisory lock
    keeps concurrent runs from racing on `CREATE ... IF NOT EXISTS`.
    """
    with connect(url) as conn, conn.transaction():
        transaction_lock(conn, "warehouse schema")
        # client-side binding: CREATE FUNCTION takes no server-side parameters
        psycopg.ClientCursor(conn).execute(
            sql_text("warehouse/create_shared_facts"), shared_facts()
        )
        for path in schema_files():
            conn.execute(path.read_text(encoding="utf-8"))


def redact_url(url: str) -> str:
    """The URL with its password (and any secret query value) masked, for logs and messages:
    the project's one redactor (`kpi_pipeline.redaction`)."""
    return redact(url)


def with_database(url: str, dbname: str) -> str:
    """The same server URL pointing at database `dbname` (keeps host, socket and options)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


def create_database(server_url: str, dbname: str, template: str | None = None) -> str:
    """CREATE DATABASE (optionally from a template); returns its URL."""
    from psycopg import sql

    with connect(server_url, autocommit=True) as conn:
        stmt = sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(dbname))
        if template:
            stmt = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(dbname), sql.Identifier(template)
            )
        conn.execute(stmt)
    return with_database(server_url, dbname)


def drop_database(server_url: str, dbname: str) -> None:
    from psycopg import sql

    with connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
        )


def statements(name: str, **identifiers: str | tuple[str, ...]) -> list:
    """The statements of `sql/<name>.sql` (split at `;` line ends), with `{placeholders}`
    bound to quoted identifiers (dotted names become schema-qualified; a tuple of names
    becomes a comma-separated list, for a column list)."""
    from psycopg import sql

    def ident(value: str | tuple[str, ...]):
        if isinstance(value, tuple):
            return sql.SQL(", ").join(sql.Identifier(v) for v in value)
        return sql.Identifier(*value.split("."))

    idents = {k: ident(v) for k, v in identifiers.items()}
    out = []
    for chunk in sql_text(name).split(";\n"):
        body = "\n".join(
            line for line in chunk.splitlines() if not line.lstrip().startswith("--")
        ).strip()
        if body:
            out.append(sql.SQL(body).format(**idents) if idents else sql.SQL(body))
    return out


def statement(name: str, **identifiers: str | tuple[str, ...]):
    """The one statement of `sql/<name>.sql`, identifiers bound as in `statements`."""
    found = statements(name, **identifiers)
    if len(found) != 1:
        raise ValueError(f"sql/{name}.sql holds {len(found)} statements, not one")
    return found[0]


def execute_file(conn, name: str, params: dict | None = None, **identifiers: str) -> None:
    """Run every statement of `sql/<name>.sql` on `conn` with bound parameters."""
    for stmt in statements(name, **identifiers):
        conn.execute(stmt, params)
