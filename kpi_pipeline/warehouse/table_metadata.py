"""Dagster's standard metadata of a published table: `dagster/row_count` and
`dagster/column_schema` (column names and PostgreSQL types), where the UI and the catalogue
look for them. Read from the catalogue in the asset's own transaction, so the schema shown is
the one the rows were written with."""

from __future__ import annotations

from collections.abc import Sequence

from dagster import TableColumn, TableColumnConstraints, TableSchema
from psycopg import sql

from kpi_pipeline.warehouse.db import sql_text


def table_schema(conn, schema: str, table: str) -> TableSchema:
    qualified = sql.Identifier(schema, table).as_string(conn)
    rows = conn.execute(sql_text("dagster/select_table_columns"), {"table": qualified}).fetchall()
    if not rows:
        raise LookupError(f"no table {schema}.{table} in the warehouse")
    return TableSchema(
        columns=[
            TableColumn(
                name=name,
                type=type_,
                description=description,
                constraints=TableColumnConstraints(nullable=not not_null),
            )
            for name, type_, not_null, description in rows
        ]
    )


def table_metadata(conn, key: Sequence[str], row_count: int) -> dict:
    """The metadata of the table of asset key `key` (`[..., schema, table]`: a province
    prefix is ignored) after writing `row_count` rows (the materialised partitions' rows)."""
    schema, table = key[-2], key[-1]
    return {
        "dagster/row_count": int(row_count),
        "dagster/column_schema": table_schema(conn, schema, table),
    }
