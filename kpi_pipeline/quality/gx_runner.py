"""A small wrapper of our own that runs a GX Core 1.x suite where the data is.

Each validation is a GX query asset on the warehouse (the partition's rows only, selected in
SQL), validated with a checkpoint that also renders GX Data Docs for the run into
`KPI_HOME/gx_docs/<run_id>/`. GX costs seconds to import, so it is imported here, on first use.
(dagster-ge requires GX < 1.0 and is not used: shared/docs/dagster-gx-notes.md.)
"""

from __future__ import annotations

import re
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from kpi_pipeline import settings

_lock = threading.Lock()


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str  # GX type, e.g. expect_column_values_to_be_in_set
    description: str
    success: bool
    unexpected_count: int | None
    examples: list = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    success: bool
    rows: int | None
    outcomes: list[ExpectationOutcome]
    docs_index: Path | None

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]


def sqlalchemy_url(url: str) -> str:
    """GX goes through SQLAlchemy: name psycopg 3 explicitly (our driver for the warehouse)."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", url)


def docs_dir(run_id: str) -> Path:
    return settings.kpi_home() / "gx_docs" / run_id


def run_suite(
    database_url: str,
    suite_name: str,
    batch_query: str,
    expectations: list,
    run_id: str,
    key_column: str | None = None,
    examples: int = 20,
) -> SuiteOutcome:
    """Validate `batch_query`'s rows against `expectations` (GX expectation objects).

    The query must not contain `%` (GX escapes it for the driver, which breaks it).
    """
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.data_context.types.base import ProgressBarsConfig

    if "%" in batch_query:
        raise ValueError(f"{suite_name}: GX queries cannot contain '%' (use mod(), position())")
    site_dir = docs_dir(run_id)
    site_dir.mkdir(parents=True, exist_ok=True)
    with _lock, warnings.catch_warnings():  # one GX context at a time: GX keeps global state
        # The generic SQL source is chosen on purpose (see below): no need to warn about it.
        warnings.filterwarnings("ignore", message="You are using a generic SQLDatasource")
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.add_data_docs_site(
            site_name="run",
            site_config={
                "class_name": "SiteBuilder",
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(site_dir),
                },
            },
        )
        # The generic SQL source: the PostgreSQL one insists on a TCP host, and the embedded
        # server listens on a unix socket (`?host=/path`).
        source = context.data_sources.add_sql(
            name="warehouse", connection_string=sqlalchemy_url(database_url)
        )
        asset = source.add_query_asset(name=suite_name, query=batch_query)
        batch = asset.add_batch_definition_whole_table("partition")
        suite = context.suites.add(gx.ExpectationSuite(name=suite_name, expectations=expectations))
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite_name, data=batch, suite=suite)
        )
        result_format = {"result_format": "COMPLETE"}
        if key_column:
            result_format["unexpected_index_column_names"] = [key_column]
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=suite_name,
                validation_definitions=[validation],
                actions=[UpdateDataDocsAction(name="docs", site_names=["run"])],
                result_format=result_format,
            )
        )
        result = checkpoint.run()
    (validation_result,) = result.run_results.values()
    outcomes = [_outcome(r, key_column, examples) for r in validation_result.results]
    counts = [(r.result or {}).get("element_count") for r in validation_result.results]
    rows = max((c for c in counts if c is not None), default=None)
    index = site_dir / "index.html"
    return SuiteOutcome(
        suite=suite_name,
        success=bool(validation_result.success),
        rows=rows,
        outcomes=outcomes,
        docs_index=index if index.exists() else None,
    )


def _outcome(r, key_column: str | None, limit: int) -> ExpectationOutcome:
    config = r.expectation_config
    res = r.result or {}
    error = None
    if r.exception_info and r.exception_info.get("raised_exception"):
        error = str(r.exception_info.get("exception_message"))[:500]
    else:
        for info in (r.exception_info or {}).values():
            if isinstance(info, dict) and info.get("raised_exception"):
                error = str(info.get("exception_message"))[:500]
                break
    unexpected = res.get("unexpected_count")
    examples: list = []
    if "unexpected_index_list" in res and key_column:
        examples = [row.get(key_column) for row in res["unexpected_index_list"][:limit]]
    elif res.get("partial_unexpected_list"):
        examples = list(res["partial_unexpected_list"][:limit])
    if (
        unexpected is None
        and "observed_value" in res
        and config.type == "unexpected_rows_expectation"
    ):
        unexpected = res["observed_value"]
        rows = (res.get("details") or {}).get("unexpected_rows") or []
        examples = [next(iter(row.values())) if isinstance(row, dict) else row for row in rows][
            :limit
        ]
    return ExpectationOutcome(
        expectation=config.type,
        description=config.description or _describe(config),
        success=bool(r.success) and error is None,
        unexpected_count=unexpected,
        examples=[_plain(e) for e in examples],
        error=error,
    )


def _describe(config) -> str:
    kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id", "result_format")}
    return f"{config.type}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"[:200]


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)
