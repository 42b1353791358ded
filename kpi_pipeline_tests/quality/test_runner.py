"""The GX runner: warehouse URLs, Data Docs per run, errors that are not data verdicts, the
SQL rendering and the configuration file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from kpi_pipeline.domain.quality_config import (
    DEFAULT_CONFIG_FILE,
    QualityConfig,
    QualityConfigError,
    load_quality_config,
)
from kpi_pipeline.quality.gx_runner import QualityRunError, run_suite, sqlalchemy_url
from kpi_pipeline.quality.sql import quality_sql, render, unexpected_rows_sql
from kpi_pipeline.quality.suites import SUITES, Build, suite_for
from kpi_pipeline.settings import SQL_DIR
from kpi_pipeline_tests.quality.rows import dossier, insert_dossiers, week_params


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "postgresql://postgres:@/postgres?host=/tmp/x",
            "postgresql+psycopg://postgres:@/postgres?host=/tmp/x",
        ),
        ("postgres://kpi:s3cret@db:5432/kpi", "postgresql+psycopg://kpi:s3cret@db:5432/kpi"),
        ("postgresql+psycopg://kpi@db/kpi", "postgresql+psycopg://kpi@db/kpi"),
    ],
)
def test_sqlalchemy_url_uses_psycopg3_and_keeps_the_socket(url, expected):
    assert sqlalchemy_url(url) == expected


def test_data_docs_of_a_run(conn, db, kpi_home):
    insert_dossiers(conn, [dossier("OK"), dossier("PUSHED", push_working_days=5)])
    valid = suite_for(("staging", "dossiers"), "valid")
    plausible = suite_for(("staging", "dossiers"), "plausible")

    first = run_suite(db, valid, week_params(), run_id="run-1")
    second = run_suite(db, plausible, week_params(), run_id="run-1")

    root = kpi_home / "gx_docs"
    assert first.docs_index == root / "run-1" / "staging_dossiers_valid" / "index.html"
    assert first.docs_index.is_file() and second.docs_index.is_file()
    site = first.docs_index.parent
    pages = sorted(p.relative_to(site).parts[0] for p in site.rglob("*.html"))
    assert pages == ["expectations", "index.html", "validations"]
    page = next((site / "validations").rglob("*.html")).read_text(encoding="utf-8")
    assert "LAM_BU working Saturdays" in page and "Failed" in page
    # GX renders the number of unexpected rows, not the rows: those are in result.json
    details = json.loads((site / "result.json").read_text(encoding="utf-8"))
    assert details["success"] is False and details["run_id"] == "run-1"
    (due,) = [o for o in details["outcomes"] if not o["success"]]
    assert due["name"] == "due_date_within_slack" and due["examples"] == ["PUSHED"]
    # the suites share one GX context: each site holds its own suite's pages only
    for result, own, other in ((first, valid, plausible), (second, plausible, valid)):
        here = result.docs_index.parent
        names = {p.name for d in ("expectations", "validations") for p in (here / d).iterdir()}
        assert names and all(n.startswith(own.name) for n in names), names
        assert other.name not in result.docs_index.read_text(encoding="utf-8")
    # one shared copy of GX's ~4 MB of fonts and images
    assert (site / "static").is_symlink() and (second.docs_index.parent / "static").is_symlink()
    assert (site / "static" / "styles" / "data_docs_default_styles.css").is_file()
    assert (root / "_static").is_dir() and not (root / "_static").is_symlink()


def test_docs_can_be_skipped_or_placed(conn, db, tmp_path):
    suite = suite_for(("ref", "units"), "valid")
    assert run_suite(db, suite, build_docs=False).docs_index is None
    placed = run_suite(db, suite, docs_dir=tmp_path / "here")
    assert placed.docs_index == tmp_path / "here" / "index.html" and placed.docs_index.is_file()


def test_a_broken_query_raises_instead_of_failing_the_data(conn, db):
    conn.execute("ALTER TABLE ref.procedures RENAME TO procedures_gone")
    insert_dossiers(conn, [dossier("OK")])
    with pytest.raises(QualityRunError, match="procedure_known"):
        run_suite(db, suite_for(("staging", "dossiers"), "valid"), week_params(), build_docs=False)


# -- SQL ------------------------------------------------------------------------------------


def test_render_quotes_values_and_drops_comments():
    text = "-- a comment: {x} 100%\nSELECT %(a)s, %(b)s, %(c)s, %(d)s  ;\n"
    got = render(text, {"a": "O'Hara", "b": 2, "c": 0.25, "d": date(2024, 4, 26)})
    assert got == "SELECT 'O''Hara', 2, 0.25, '2024-04-26'::date"
    with pytest.raises(KeyError):
        render("SELECT %(missing)s")
    with pytest.raises(ValueError, match="mod"):
        render("SELECT 7 % 2")
    with pytest.raises(TypeError):
        render("SELECT %(a)s", {"a": ["x"]})


def test_unexpected_rows_queries_alias_the_batch_when_gx_will_not(gx):
    """GX substitutes `{batch}` with `(subquery) AS subselect` unless the query has a JOIN."""
    with_join = unexpected_rows_sql("unexpected_dossier_unit_unknown")
    assert "FROM {batch} AS batch_rows" in with_join
    without = unexpected_rows_sql("unexpected_dossier_finished_without_date")
    assert "FROM {batch}\n" in without + "\n" and "batch_rows" not in without


def test_every_quality_sql_file_renders_and_is_used():
    params = {**week_params(), "history_weeks": 8, "slack": 2, "low_ratio": 0.25}
    params |= {"high_ratio": 4.0, "min_expected": 5}
    files = sorted(p.stem for p in (Path(SQL_DIR) / "quality").glob("*.sql"))
    for name in files:
        assert "{batch}" in quality_sql(name, params) or name.startswith("batch_")
    used = {b.query for s in SUITES for b in s.batches}
    built = set()
    for s in SUITES:
        for b in s.batches:
            p = week_params() if s.period == "week" else {"start": 0, "end": 0, "step": 0}
            for e in b.expectations(Build(QualityConfig(), p, s.severity)):
                if e.__class__.__name__ == "UnexpectedRowsExpectation":
                    built.add(Path(e.meta["sql"]).stem)
    assert used == {f for f in files if f.startswith("batch_")}
    assert built == {f for f in files if f.startswith("unexpected_")}


# -- configuration --------------------------------------------------------------------------


def test_packaged_config_is_the_documented_defaults():
    loaded = load_quality_config()
    assert loaded == QualityConfig(source=str(DEFAULT_CONFIG_FILE))


def test_config_errors_name_the_file_and_key(tmp_path):
    data = yaml.safe_load(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"))
    data["due_date"]["slack_working_days"] = -1
    bad = tmp_path / "quality.yaml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(QualityConfigError, match=r"quality.yaml: due_date.slack_working_days"):
        load_quality_config(bad)
    data["due_date"] = {"slack_working_days": 0, "slak": 1}
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(QualityConfigError, match="unknown key"):
        load_quality_config(bad)
    data["due_date"] = {"slack_working_days": 4}
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_quality_config(bad).slack_working_days == 4
