"""The SQL of the quality suites (`sql/quality/*.sql`), rendered for Great Expectations.

GX takes query text, not bound parameters: a query asset is a string and an
`UnexpectedRowsExpectation` is a string with a `{batch}` placeholder. So the `%(name)s`
parameters of our SQL files are rendered client-side with psycopg's own literal quoting
(`psycopg.sql.Literal`), never by string formatting of raw values. The files use no `%`
operator (SQLAlchemy escapes it once more on GX's way to the driver): `mod()` instead.
Whole-line comments are dropped: SQLAlchemy's `text()` and GX's brace substitution would
otherwise read colons, braces or percent signs in them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from psycopg import sql as pgsql

from kpi_pipeline.warehouse.db import sql_text

_PARAM = re.compile(r"%\((\w+)\)s")
_JOIN = re.compile(r"\bJOIN\b", re.IGNORECASE)


def literal(value: object) -> str:
    """A value as a PostgreSQL literal (dates get `::date`, strings are quoted and escaped)."""
    if isinstance(value, list | tuple | set | dict):
        raise TypeError("quality SQL parameters are scalars (a list renders with braces)")
    return pgsql.Literal(value).as_string()


def render(text: str, params: Mapping[str, object] | None = None) -> str:
    """`text` with its `%(name)s` parameters as literals and its whole-line comments removed."""
    params = params or {}
    body = "\n".join(
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("--")
    )

    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in params:
            raise KeyError(f"quality SQL parameter {name!r} not given")
        return literal(params[name])

    if "%" in _PARAM.sub("", body):
        raise ValueError("quality SQL must not use `%` outside `%(name)s` (use mod())")
    return _PARAM.sub(sub, body).rstrip().rstrip(";").rstrip()


def quality_sql(name: str, params: Mapping[str, object] | None = None) -> str:
    """`sql/quality/<name>.sql`, rendered."""
    return render(sql_text(f"quality/{name}"), params)


def unexpected_rows_sql(name: str, params: Mapping[str, object] | None = None) -> str:
    """An `UnexpectedRowsExpectation` query from `sql/quality/<name>.sql`.

    GX substitutes `{batch}` with the batch's temp table (the runner's default), or with a
    subquery: `(subquery) AS subselect` when the query has no JOIN and a bare `(subquery)`
    when it has one (then the alias is the author's business, and PostgreSQL before 16
    requires one). Our files write `SELECT * FROM {batch}` in their first CTE; an alias is
    added here exactly when GX will not add one (harmless after a table name).
    """
    query = quality_sql(name, params)
    if query.count("{batch}") != 1 or "FROM {batch}" not in query:
        raise ValueError(f"quality/{name}.sql must read the batch once, as `FROM {{batch}}`")
    if _has_join(query):
        query = query.replace("{batch}", "{batch} AS batch_rows")
    return query


def _has_join(query: str) -> bool:
    try:  # GX's own test, so that both sides agree on what counts as a JOIN
        from great_expectations.expectations.metrics.query_metric_provider import (
            _query_has_join_clause,
        )
    except ImportError:  # pragma: no cover - a GX release that renamed it
        return bool(_JOIN.search(query))
    return _query_has_join_clause(query)
