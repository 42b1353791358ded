import psycopg

from kpi_pipeline.warehouse import db


def test_schema_is_applied_and_idempotent(database_url):
    db.ensure_schema(database_url)  # second application is a no-op
    with db.connect(database_url) as conn:
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables"
                " WHERE table_schema IN ('ref','raw','staging','quarantine','kpi')"
            )
        }
    assert {
        "ref.units",
        "raw.provincial_dossiers",
        "staging.dossiers",
        "quarantine.records",
    } <= tables


def test_parse_portal_ts(database_url):
    with psycopg.connect(database_url) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        rows = conn.execute(
            "SELECT s, staging.parse_portal_ts(s)::text FROM unnest(ARRAY["
            "'20230703083000','20230230083000','2023070308300','', NULL, '20231301000000',"
            "'20240229235959']) s"
        ).fetchall()
    got = dict(rows)
    assert got["20230703083000"] == "2023-07-03 01:30:00+00"
    assert got["20240229235959"] == "2024-02-29 16:59:59+00"
    for bad in ("20230230083000", "2023070308300", "", "20231301000000"):
        assert got[bad] is None, bad


def test_redact_url_hides_password():
    assert (
        db.redact_url("postgresql://kpi:s3cret@db:5432/kpi") == "postgresql://kpi:***@db:5432/kpi"
    )
