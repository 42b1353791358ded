"""The ranking of a partition's records takes a shortcut for the common case (issue 17): a
(partition, key) group of one row is staged without the window sort (`rank_conformed.sql`,
the groups of several rows from `collect_repeated_groups.sql`). It must give exactly what
the windows over every row give.

The corpora of `test_typed_landing.py` (every odd shape, keys missing or null, repeats,
conflicting twins) land in two weeks, the second holding later versions, versions at the
same NgayCapNhat (the later week wins the tie) and older ones of the first week's keys.
"""

import json

import pytest

from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.staging.test_conform_rules import WEEK, _seed_reference
from kpi_pipeline_tests.staging.test_typed_landing import CASES

W0, W2 = "2024-02-23", "2024-03-08"
# key field, a field that changes between the weeks, its changed (valid) value
FIELDS = {
    "dossiers": ("MaHoSo", "TrangThaiHoSo", 10),
    "sync": ("MaHoSo", "TrangThaiHoSo", 10),
    "payments": ("MaGiaoDich", "TrangThai", "HOAN_TIEN"),
}

# rank_conformed.sql as it was before the shortcut: the windows over every row of `ruled`.
REFERENCE_RANKING = """
CREATE TEMP TABLE expected ON COMMIT DROP AS
WITH ranked AS (
    SELECT
        r.*,
        row_number() OVER latest AS rn,
        max(r.updated_at) OVER by_key AS latest_at,
        min(r.content_hash) OVER same_instant <> max(r.content_hash) OVER same_instant AS conflict
    FROM ruled r
    WINDOW latest AS (PARTITION BY r.partition_key, r.record_key, r.rule IS NULL
                      ORDER BY r.updated_at DESC, r.content_hash),
           by_key AS (PARTITION BY r.partition_key, r.record_key, r.rule IS NULL),
           same_instant AS (PARTITION BY r.partition_key, r.record_key, r.rule IS NULL, r.updated_at)
),
final AS (
    SELECT k.*, coalesce(k.rule, CASE WHEN k.rule IS NULL AND k.conflict
        AND k.updated_at = k.latest_at THEN 'conflicting_duplicate' END) AS final_rule
    FROM ranked k
)
SELECT f.*,
    CASE WHEN f.final_rule IS NOT NULL THEN 'quarantined' WHEN f.rn = 1 THEN 'staged'
         ELSE 'superseded' END AS disposition,
    CASE WHEN f.rule IS NULL AND f.final_rule IS NOT NULL
         THEN 'two different records share this key and NgayCapNhat' ELSE f.detail
    END AS final_detail
FROM final f
"""


def _second_week(case: str, records: list[dict]) -> list[dict]:
    """Later versions, versions at the same instant (another content), older versions."""
    key, field, value = FIELDS[case]
    out = []
    for i, rec in enumerate(r for r in records if isinstance(r.get(key), str)):
        if i % 3 == 0:
            out.append({**rec, field: value, "NgayCapNhat": "20240310100000"})
        elif i % 3 == 1:
            out.append({**rec, field: value})
        else:
            out.append({**rec, field: value, "NgayCapNhat": "20240201100000"})
    return out


def _land(conn, source: str, week: str, records: list[dict]) -> None:
    for i, rec in enumerate(records):
        conn.execute(
            f"INSERT INTO raw.{source} (partition_key, page, payload, run_id, fetched_at)"
            " VALUES (%s, %s, %s, 'r1', now())",
            (week, 1 + i // 10, json.dumps(rec, ensure_ascii=False)),
        )


def _corpus(case: str) -> dict[str, list[dict]]:
    records = CASES[case][1]()
    key = FIELDS[case][0]
    extra = [
        {k: v for k, v in records[0].items() if k != key},  # no key: a null record_key
        {k: v for k, v in records[0].items() if k != key},
        {**records[0], key: None},
        {**records[0], key: None, "NgayCapNhat": "20240305100000"},  # a later one without a key
        {**records[0], key: None, "MaDonVi": "Z"},
        {**records[0], key: ""},
        {**records[0], key: ""},
        {**records[0], key: "VALID-AND-NOT"},  # one row passes, one breaks a rule
        {**records[0], key: "VALID-AND-NOT", "NgayCapNhat": "bad"},
        # conflicting twins at an older instant than the key's latest version: superseded
        {**records[0], key: "OLD-TWINS", "NgayCapNhat": "20240302100000"},
        {**records[0], key: "OLD-TWINS", "NgayCapNhat": "20240302100000", "MaDonVi": "Z"},
        {**records[0], key: "OLD-TWINS"},
    ]
    first = records + extra
    return {WEEK: first, W2: _second_week(case, first)}


def _columns(conn, table: str) -> list[str]:
    return [d.name for d in conn.execute(f"SELECT * FROM {table} LIMIT 0").description]


def _rows(rows: list[tuple], kept: list[int]) -> list[str]:
    return sorted(repr(tuple(r[i] for i in kept)) for r in rows)


@pytest.mark.parametrize("case", sorted(CASES))
def test_ranking_equals_the_windows_over_every_row(database_url, case):
    spec = CASES[case][0]
    with db.connect(database_url) as conn:
        _seed_reference(conn)
        for week, records in _corpus(case).items():
            _land(conn, spec.source, week, records)
        conn.commit()
        params = {"keys": [WEEK, W2], "run_id": "run-1", "source": spec.source}
        with conn.transaction():
            db.execute_file(conn, f"staging/conform_{spec.name}", params)
            conn.execute(REFERENCE_RANKING)
            db.execute_file(conn, "staging/collect_repeated_groups", params)
            db.execute_file(conn, "staging/rank_conformed", params)
            columns = _columns(conn, "conformed")
            expected_columns = _columns(conn, "expected")
            expected = conn.execute("SELECT * FROM expected").fetchall()
            got = conn.execute("SELECT * FROM conformed").fetchall()
            groups = conn.execute(
                "SELECT count(*) FILTER (WHERE n = 1), count(*) FILTER (WHERE n > 1),"
                " count(*) FILTER (WHERE no_key AND n > 1) FROM (SELECT record_key IS NULL AS"
                " no_key, count(*) AS n FROM ruled GROUP BY partition_key, record_key,"
                " rule IS NULL) g"
            ).fetchone()
    assert columns == expected_columns
    # Among rows equal in (updated_at, content_hash), identical repeats, row_number picks
    # any one (in the reference too): their raw_row and rn are left out of the comparison.
    kept = [i for i, c in enumerate(columns) if c not in ("raw_row", "rn")]
    assert _rows(got, kept) == _rows(expected, kept)
    singles, repeated, null_keyed = groups
    assert singles > 100 and repeated >= 4 and null_keyed >= 1  # both branches, null keys
    dispositions = {r[columns.index("disposition")] for r in got}
    assert dispositions == {"staged", "superseded", "quarantined"}
