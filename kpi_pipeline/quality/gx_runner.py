"""Run one quality suite with Great Expectations on the warehouse, where the data is.

`run_suite(database_url, suite, params)` uses the process's one ephemeral GX context for that
warehouse (nothing written but the Data Docs) and its SQL datasource, registered once
(`_shared_context`); it adds one query asset per batch of the suite
(restricted to the checked partition by `params`), validates, renders the Data Docs of that
run to `<docs root>/<run_id>/<suite>/index.html` (the checks pass the artifact store's
`gx_docs` folder; ad hoc: `<KPI_HOME>/gx_docs`) (with `result.json` beside it: the
example keys, which GX does not render for SQL rules) and returns a compact `SuiteResult`.

GX (3-4 s to import) is imported here, inside the functions, so that loading the Dagster code
location does not pay for it; one process pays once.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
import uuid
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from kpi_pipeline.domain.quality_config import QualityConfig, load_quality_config
from kpi_pipeline.quality import records
from kpi_pipeline.quality.offline_docs import make_offline
from kpi_pipeline.quality.sql import quality_sql
from kpi_pipeline.quality.suites import Build, Suite
from kpi_pipeline.settings import kpi_home


class QualityRunError(RuntimeError):
    """GX could not evaluate an expectation (bad SQL, lost connection): not a data verdict."""


@dataclass(frozen=True)
class ExpectationOutcome:
    name: str  # our name for it (`meta.name`): the key in the check metadata
    kind: str  # GX expectation type
    batch: str
    success: bool
    unexpected_count: int | None
    examples: list[str] = field(default_factory=list)  # up to max_examples keys
    record_rule: bool = False  # flags single records (suites.Build.record)
    by_unit: dict[str, int] = field(default_factory=dict)  # flagged records per unit
    share: float | None = None  # flagged / rows of the batch (record rules)
    # A record rule of a blocking suite that flagged records, but no more than the tolerated
    # share: the records are named and counted, the check passes.
    tolerated: bool = False

    @property
    def failed(self) -> bool:
        return not self.success and not self.tolerated


@dataclass(frozen=True)
class SuiteResult:
    suite: str
    success: bool
    outcomes: list[ExpectationOutcome]
    rows: dict[str, int]  # rows validated per batch, when GX reports it
    docs_index: Path | None
    seconds: float

    max_record_share: float | None = None

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if o.failed]

    @property
    def flagged(self) -> list[ExpectationOutcome]:
        """Record rules that flagged records within the tolerated share (the check passes)."""
        return [o for o in self.outcomes if o.tolerated]


def sqlalchemy_url(database_url: str) -> str:
    """The warehouse URL for SQLAlchemy on psycopg 3 (the project's one driver).

    `postgresql://` and `postgres://` become `postgresql+psycopg://`; everything else (a unix
    socket given as `?host=/path`, an empty password, options) is kept as is.
    """
    parts = urlsplit(database_url)
    if parts.scheme in ("postgresql", "postgres"):
        parts = parts._replace(scheme="postgresql+psycopg")
    return urlunsplit(parts)


def default_docs_root() -> Path:
    return kpi_home() / "gx_docs"


def config_params(config: QualityConfig) -> dict[str, object]:
    """The configuration values the batch queries use."""
    return {"history_weeks": config.volume.history_weeks}


def run_suite(
    database_url: str,
    suite: Suite,
    params: Mapping[str, object] | None = None,
    *,
    config: QualityConfig | None = None,
    run_id: str | None = None,
    docs_dir: Path | str | None = None,
    docs_root: Path | None = None,
    share_static: bool = True,
    build_docs: bool = True,
) -> SuiteResult:
    """Validate `suite` on the warehouse at `database_url`.

    `params` restrict the batches to the checked period (see `checks.period_params`):
    `first_key`/`last_key` (partition keys), `start`/`end` (dates, end exclusive) and `step`.
    Data Docs go to `docs_dir`, default `<docs_root>/<run_id>/<suite name>` (`docs_root`
    default: `<KPI_HOME>/gx_docs`), their static files shared in `<docs_root>/_static` when
    `share_static`.
    """
    _share_compiled_templates()  # imports GX (3-4 s, once): not counted in the suite's time
    started = time.perf_counter()
    config = config or load_quality_config()
    params = dict(params or {})
    run_id = run_id or f"adhoc-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    root = docs_root or default_docs_root()
    site_dir = Path(docs_dir) if docs_dir else root / run_id / suite.name
    shared_static = root / "_static" if share_static and not docs_dir else None
    shared = _shared_context(database_url)
    run = _SuiteRun(suite, params, config, run_id, site_dir, shared_static, build_docs, started)
    with shared.lock:
        return _run_suite(shared, database_url, run)


@dataclass(frozen=True)
class _SuiteRun:
    """What one `run_suite` call validates and where its Data Docs go."""

    suite: Suite
    params: dict[str, object]
    config: QualityConfig
    run_id: str
    site_dir: Path
    shared_static: Path | None
    build_docs: bool
    started: float


def _run_suite(shared, database_url: str, run: _SuiteRun) -> SuiteResult:
    suite, params, config, run_id = run.suite, run.params, run.config, run.run_id
    site_dir, shared_static, build_docs = run.site_dir, run.shared_static, run.build_docs
    import great_expectations as gx  # lazy: 3-4 s
    from great_expectations.core.run_identifier import RunIdentifier

    context, datasource = shared.context, shared.datasource
    if build_docs:
        context.variables.data_docs_sites = {"run": _site_config(site_dir)}
    gx_run = RunIdentifier(run_name=run_id, run_time=datetime.now(UTC))
    outcomes: list[ExpectationOutcome] = []
    rows: dict[str, int] = {}
    counter = records.RecordCounter(database_url)
    added: list[str] = []
    try:
        for batch in suite.batches:
            query = quality_sql(batch.query, {**config_params(config), **params})
            asset = datasource.add_query_asset(name=batch.query, query=query)
            added.append(batch.query)
            definition = asset.add_batch_definition_whole_table(batch.query)
            expectations = batch.expectations(Build(config, params, suite.severity))
            gx_suite = context.suites.add(
                gx.ExpectationSuite(name=f"{suite.name}.{batch.query}", expectations=expectations)
            )
            validation = context.validation_definitions.add(
                gx.ValidationDefinition(name=gx_suite.name, data=definition, suite=gx_suite)
            )
            result = validation.run(
                run_id=gx_run,
                result_format={
                    "result_format": "COMPLETE",
                    "partial_unexpected_count": max(config.max_examples, 1),
                    "unexpected_index_column_names": list(batch.key_columns),
                    "return_unexpected_index_query": False,
                },
            )
            _raise_on_errors(suite, batch.query, result)
            batch_outcomes = [
                _outcome(batch.query, batch.key_columns, r, config.max_examples)
                for r in result.results
            ]
            for r in result.results:
                count = (r.result or {}).get("element_count")
                if count is not None:
                    rows[batch.query] = count
            rules = {e.meta["name"]: e for e in expectations if e.meta.get("record_rule")}
            flagging = any(o.name in rules and not o.success for o in batch_outcomes)
            if flagging and batch.query not in rows:  # GX counts rows for built-ins only
                rows[batch.query] = counter.batch_rows(query)
            outcomes += [
                _judge_record_rule(
                    o, rules[o.name], query, rows[batch.query], suite, config, counter
                )
                if o.name in rules and not o.success
                else o
                for o in batch_outcomes
            ]
        index = None
        if build_docs:
            context.build_data_docs(site_names=["run"])
            make_offline(site_dir)  # no CDN: the docs render on an offline network
            if shared_static is not None:
                _share_static(site_dir, shared_static)
            index = site_dir / "index.html"
    finally:
        counter.close()
        _forget(context, datasource, suite, added)
    result = SuiteResult(
        suite=suite.name,
        success=not any(o.failed for o in outcomes),
        outcomes=outcomes,
        rows=rows,
        docs_index=index,
        seconds=round(time.perf_counter() - run.started, 3),
        max_record_share=config.max_record_share,
    )
    if index is not None:  # GX renders how many rows were unexpected, not which: keep them
        details = {"run_id": run_id, "params": params, **asdict(result)}
        (site_dir / "result.json").write_text(
            json.dumps(details, default=str, indent=1, ensure_ascii=False), encoding="utf-8"
        )
    return result


class _TemplateCache:
    """Jinja's bytecode cache, in memory, for the whole process (see below)."""

    def __init__(self):
        from jinja2 import BytecodeCache

        class Cache(BytecodeCache):
            def __init__(self):
                self.codes: dict[str, bytes] = {}

            def load_bytecode(self, bucket) -> None:
                code = self.codes.get(bucket.key)
                if code is not None:
                    bucket.bytecode_from_string(code)

            def dump_bytecode(self, bucket) -> None:
                self.codes[bucket.key] = bucket.bytecode_to_string()

        self.cache = Cache()


_TEMPLATES: _TemplateCache | None = None


def _share_compiled_templates() -> None:
    """GX makes a new Jinja environment for every view it renders, so every suite's Data Docs
    compiled GX's templates again: ~85% of a small suite's time. One in-memory bytecode cache
    (keyed by template and source checksum, as Jinja does) keeps each compiled once."""
    global _TEMPLATES
    if _TEMPLATES is not None:
        return
    from great_expectations.render.view.view import DefaultJinjaView

    _TEMPLATES = _TemplateCache()
    original = DefaultJinjaView.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.env.bytecode_cache = _TEMPLATES.cache

    DefaultJinjaView.__init__ = __init__


@dataclass
class _Shared:
    context: object
    datasource: object
    lock: threading.Lock


_SHARED: dict[str, _Shared] = {}
_SHARED_LOCK = threading.Lock()


def _shared_context(database_url: str) -> _Shared:
    """One ephemeral GX context per process and warehouse, its SQL datasource registered once:
    a new context, datasource and engine per suite cost ~0.1 s each (of ~0.4 s for a small
    suite). Suites take turns on it (its lock); each leaves it empty (`_forget`)."""
    with _SHARED_LOCK:
        shared = _SHARED.get(database_url)
        if shared is None:
            context = _ephemeral_context()
            with warnings.catch_warnings():
                # GX suggests its PostgresDatasource, whose URL validation rejects a unix-socket
                # host (`postgresql://postgres:@/db?host=/path`, what the embedded server
                # gives): the generic SQL datasource takes any SQLAlchemy URL.
                warnings.filterwarnings("ignore", message=".*generic SQLDatasource.*")
                datasource = context.data_sources.add_sql(
                    name="warehouse",
                    connection_string=sqlalchemy_url(database_url),
                    # Each batch query runs once, into a temp table that every metric then
                    # reads. Without it GX re-runs the query per metric and, to learn its
                    # columns, fetches all of its rows into Python: 3-4x slower on a
                    # 20,000-dossier week.
                    create_temp_table=True,
                )
            shared = _SHARED[database_url] = _Shared(context, datasource, threading.Lock())
        return shared


def _forget(context, datasource, suite: Suite, assets: list[str]) -> None:
    """Remove what a suite added to the shared context (its query assets, suites, validation
    definitions and results), so that the next suite's Data Docs show that suite alone; and
    close the engine's connections, which drops the batches' temp tables."""
    for name in assets:  # not there when the suite stopped before adding it: suppressed
        gx_name = f"{suite.name}.{name}"
        with contextlib.suppress(Exception):
            context.validation_definitions.delete(gx_name)
        with contextlib.suppress(Exception):
            context.suites.delete(gx_name)
        datasource.delete_asset(name)
    store = context.validation_results_store
    for key in store.list_keys():
        store.remove_key(key)
    datasource.get_engine().dispose()


def _site_config(site_dir: Path) -> dict:
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(site_dir),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }


def _ephemeral_context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    project_config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites={},
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(mode="ephemeral", project_config=project_config)


def _raise_on_errors(suite: Suite, batch: str, result) -> None:
    """GX records an expectation it could not evaluate as a failure with exception info; we
    raise instead, so a broken query is never reported as bad data."""
    errors = []
    for r in result.results:
        info = r.exception_info or {}
        infos = [info] if "raised_exception" in info else list(info.values())
        for i in infos:
            if isinstance(i, dict) and i.get("raised_exception"):
                name = (r.expectation_config.meta or {}).get("name", r.expectation_config.type)
                errors.append(f"{name}: {i.get('exception_message')}")
    errors = list(dict.fromkeys(errors))
    if errors:
        raise QualityRunError(
            f"{suite.name}: GX could not evaluate {len(errors)} expectation(s) on {batch}: "
            + "; ".join(errors)
        )


def _outcome(batch: str, key_columns, r, max_examples: int) -> ExpectationOutcome:
    cfg = r.expectation_config
    meta = cfg.meta or {}
    res = r.result or {}
    count = res.get("unexpected_count")
    if count is None and isinstance(res.get("observed_value"), int):
        count = res["observed_value"]  # UnexpectedRowsExpectation: the number of rows
    examples: list[str] = []
    if not r.success:
        if res.get("unexpected_index_list"):
            examples = [_key(row, key_columns) for row in res["unexpected_index_list"]]
        elif (res.get("details") or {}).get("unexpected_rows"):
            found = res["details"]["unexpected_rows"]
            keys = meta.get("keys") or list(found[0])[:1]
            examples = [_key(row, keys) for row in found]
        elif res.get("unexpected_list") or res.get("partial_unexpected_list"):
            values = res.get("unexpected_list") or res["partial_unexpected_list"]
            examples = [_value(v, key_columns) for v in values]
    return ExpectationOutcome(
        name=meta.get("name", cfg.type),
        kind=cfg.type,
        batch=batch,
        success=bool(r.success),
        unexpected_count=count,
        examples=list(dict.fromkeys(examples))[:max_examples],
    )


def _judge_record_rule(
    outcome: ExpectationOutcome,
    expectation,
    batch_sql: str,
    batch_rows: int,
    suite: Suite,
    config: QualityConfig,
    counter: records.RecordCounter,
) -> ExpectationOutcome:
    """A record rule that flagged records: counted per unit; within the tolerated share of a
    blocking suite it is tolerated (a warning suite blocks nothing and reports every record)."""
    by_unit = counter.by_unit(expectation.unexpected_rows_query, batch_sql)
    flagged = sum(by_unit.values())
    systemic = records.is_systemic(flagged, batch_rows, config.max_record_share)
    return replace(
        outcome,
        unexpected_count=flagged,
        record_rule=True,
        by_unit=by_unit,
        share=records.share(flagged, batch_rows),
        tolerated=suite.blocking and not systemic,
    )


def _key(row: Mapping, columns) -> str:
    return "/".join(str(row.get(c)) for c in columns)


def _value(value, key_columns) -> str:
    """An unexpected value as an example: a compound-key row (a dict) by its key columns."""
    if isinstance(value, Mapping):
        columns = [c for c in key_columns if c in value] or list(value)
        return _key(value, columns)
    return str(value)


def _share_static(site_dir: Path, shared: Path) -> None:
    """GX copies ~4 MB of fonts and images into every site; keep one copy in
    `<docs root>/_static` and link each run's `static` to it (the copy stays if links fail)."""
    static = site_dir / "static"
    if not static.is_dir() or static.is_symlink():
        return
    try:
        if not shared.exists():
            try:
                static.rename(shared)
            except OSError:  # another process won the race
                shutil.rmtree(static)
        else:
            shutil.rmtree(static)
        static.symlink_to(os.path.relpath(shared, site_dir), target_is_directory=True)
    except OSError:
        if not static.exists():
            shutil.copytree(shared, static)
