"""Reads of the vietnamadminunits package's own SQLite database (legacy 63-province and
current 34-province units): the SQL lives in `sql/admin_units/`, values are bound as
parameters (the package's own `query` takes none), and the file is opened read-only."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from vietnamadminunits.database.main import MODULE_DIR

from kpi_pipeline.settings import SQL_DIR

DATASET = MODULE_DIR / "data" / "dataset.db"


def query(name: str, **params: str) -> list[dict]:
    """Rows of `sql/admin_units/<name>.sql` as dicts keyed by column name."""
    text = (SQL_DIR / "admin_units" / f"{name}.sql").read_text(encoding="utf-8")
    with closing(sqlite3.connect(DATASET.as_uri() + "?mode=ro", uri=True)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(text, params).fetchall()]
