"""Least privilege for report readers: a role that can SELECT the published schema `kpi` and
nothing else (no raw, staging, quarantine or reference data, no writes, no CREATE).

`grant_reader(url, name)` makes the group role `kpi_reader` (NOLOGIN) hold exactly SELECT on
every `kpi` table, today's and those created later (default privileges of the pipeline's role,
the one in `url`), and makes `name` a member: a new login role with no other attribute when it
does not exist (its password is the administrator's business), or an existing role. It then
asks PostgreSQL what `name` may do beyond that (`has_table_privilege`, `has_schema_privilege`,
role attributes) and raises `ReaderRoleError` listing any excess, e.g. an existing role that
owns tables or a server where PUBLIC may still CREATE in `public` (PostgreSQL < 15). Idempotent.
Run by `kpi-pipeline grant-reader NAME` with the pipeline's own (owner) URL.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from kpi_pipeline.warehouse import db

READER_GROUP = "kpi_reader"


class ReaderRoleError(RuntimeError):
    """The reader role could not be made least-privilege; the message says why."""


def _role_exists(conn, name: str) -> bool:
    found = conn.execute(db.statement("roles/select_role_exists"), {"role": name}).fetchone()
    return found is not None


def reader_excess(conn, name: str) -> list[str]:
    """What role `name` may do in this database beyond reading `kpi` (empty: least privilege)."""
    return [r[0] for r in conn.execute(db.sql_text("roles/select_reader_excess"), {"role": name})]


def grant_reader(url: str, name: str, group: str = READER_GROUP) -> list[str]:
    """Make `name` a read-only report reader of the warehouse at `url`; return what was done."""
    if not name or name == group:
        raise ReaderRoleError(f"choose a reader role name other than {group!r}")
    db.ensure_schema(url)  # the kpi tables exist before they are granted
    database = unquote(urlsplit(db.libpq_url(url)).path.lstrip("/"))
    done = []
    with db.connect(url) as conn, conn.transaction():
        db.transaction_lock(conn, "reader roles")
        if not _role_exists(conn, group):
            db.execute_file(conn, "roles/create_reader_group", group=group)
            done.append(f"created group role {group} (NOLOGIN)")
        if database:
            db.execute_file(conn, "roles/grant_reader_group", group=group, database=database)
        else:  # a URL without a database name connects to the user's database
            current = conn.execute(db.statement("warehouse/select_current_database")).fetchone()[0]
            db.execute_file(conn, "roles/grant_reader_group", group=group, database=current)
        done.append(f"{group}: SELECT on every table of schema kpi, now and later")
        if not _role_exists(conn, name):
            db.execute_file(conn, "roles/create_reader_login", reader=name)
            done.append(f"created login role {name} (set its password: ALTER ROLE ... PASSWORD)")
        db.execute_file(conn, "roles/grant_reader_membership", group=group, reader=name)
        done.append(f"{name} is a member of {group}")
        excess = reader_excess(conn, name)
        if excess:
            raise ReaderRoleError(
                f"role {name!r} can do more than read schema kpi: {'; '.join(excess)}; use a new "
                f"role name, or revoke these (for CREATE on schema public: REVOKE CREATE ON "
                f"SCHEMA public FROM PUBLIC)"
            )
    return done
