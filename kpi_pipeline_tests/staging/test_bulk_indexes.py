"""A bulk load builds the staging tables' secondary indexes after its rows, not row by row
(`staging/conform.py`): the same rows and the same index definitions, new index files only
when the run inserts a large share of the table."""

import pytest

from kpi_pipeline.staging import conform
from kpi_pipeline.staging.conform import DOSSIERS, replace_partitions
from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.staging.test_conform_rules import GOOD, WEEK, _land, _seed_reference

INDEXES = (
    "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indexrelid FROM pg_index i"
    " JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass ORDER BY 1"
)


def _stage(url, bulk_min_rows, monkeypatch, records):
    monkeypatch.setattr(conform, "BULK_MIN_ROWS", bulk_min_rows)
    with db.connect(url) as conn:
        _seed_reference(conn)
        _land(conn, "provincial_dossiers", records)
        conn.commit()
        before = {
            t: conn.execute(INDEXES, (t,)).fetchall()
            for t in ("staging.dossiers", "staging.dossier_versions")
        }
        replace_partitions(conn, DOSSIERS, [WEEK], "run-1")
        after = {t: conn.execute(INDEXES, (t,)).fetchall() for t in before}
        rows = conn.execute("SELECT * FROM staging.dossiers ORDER BY 1").fetchall()
        versions = conn.execute("SELECT * FROM staging.dossier_versions ORDER BY 1, 2").fetchall()
    return before, after, rows, versions


@pytest.mark.parametrize("bulk", [True, False])
def test_bulk_and_row_by_row_give_the_same_tables_and_indexes(database_url, monkeypatch, bulk):
    records = [{**GOOD, "MaHoSo": f"B-{i:04d}"} for i in range(200)]
    before, after, rows, versions = _stage(database_url, 1 if bulk else 10**9, monkeypatch, records)
    for table in before:
        # the same indexes, by name and definition
        assert [r[:2] for r in after[table]] == [r[:2] for r in before[table]]
        rebuilt = {r[0] for r in after[table]} - {r[0] for r in before[table]} | {
            a[0] for a, b in zip(after[table], before[table], strict=True) if a[2] != b[2]
        }
        primary = {r[0] for r in before[table] if r[0].endswith("_pkey")}
        secondary = {r[0] for r in before[table]} - primary
        assert rebuilt == (secondary if bulk else set())  # a primary key is never dropped
    assert len(rows) == 200 and len(versions) == 200
    assert {r[0] for r in rows} == {f"B-{i:04d}" for i in range(200)}


def test_bulk_tables_equal_row_by_row_tables(pg_server_url, template_database, monkeypatch):
    records = [
        {**GOOD, "MaHoSo": f"B-{i % 150:04d}", "NgayCapNhat": f"2024030{1 + i % 5}100000"}
        for i in range(300)
    ]
    results = []
    for bulk_min_rows in (1, 10**9):
        url = db.create_database(
            pg_server_url, f"kpi_bulk_{bulk_min_rows}", template=template_database
        )
        try:
            results.append(_stage(url, bulk_min_rows, monkeypatch, records)[2:4])
        finally:
            db.drop_database(pg_server_url, f"kpi_bulk_{bulk_min_rows}")
    assert results[0] == results[1]
    assert len(results[0][0]) == 150
