"""The embedded PostgreSQL starts from the wheel, serves real SQL, and stops cleanly."""

import psycopg
import pytest

from kpi_pipeline.warehouse import db
from kpi_pipeline.warehouse.embedded import is_running, start_embedded, stop_embedded


def test_embedded_server_lifecycle(state_dir):
    data_dir = state_dir / "pg"
    url = start_embedded(data_dir)
    try:
        assert is_running(data_dir)
        kpi = db.create_database(url, "kpi")
        db.ensure_schema(kpi)
        with psycopg.connect(kpi) as conn:
            conn.execute("INSERT INTO ref.holidays VALUES ('2024-09-02', 2024, 'Quốc khánh', 'LE')")
            conn.commit()
        # A second start joins the running server and sees the same data.
        again = start_embedded(data_dir)
        with psycopg.connect(db.with_database(again, "kpi")) as conn:
            assert conn.execute("SELECT name FROM ref.holidays").fetchone() == ("Quốc khánh",)
    finally:
        stop_embedded(data_dir)
    assert not is_running(data_dir)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=3)
    # ... and starts again on the same data folder.
    url = start_embedded(data_dir)
    try:
        with psycopg.connect(db.with_database(url, "kpi")) as conn:
            assert conn.execute("SELECT count(*) FROM ref.holidays").fetchone() == (1,)
    finally:
        stop_embedded(data_dir)
