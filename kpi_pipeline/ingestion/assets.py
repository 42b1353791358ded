"""Reference and raw assets: the portals' records landed untouched in PostgreSQL."""

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.domain.history import pull_plan
from kpi_pipeline.ingestion.client import PortalClient
from kpi_pipeline.ingestion.concurrent_pulls import start_other_portals, started, take_or_pull
from kpi_pipeline.ingestion.coverage import database_now, load_pulls, lock_name, record_pulls
from kpi_pipeline.ingestion.loader import land_raw, week_of_change
from kpi_pipeline.ingestion.prefetch import prefetched
from kpi_pipeline.ingestion.resources import PortalResource
from kpi_pipeline.ingestion.sources import (
    REFERENCE_SOURCES,
    WEEKLY_SOURCES,
    RawSource,
    ReferenceSource,
)
from kpi_pipeline.partitions import FIRST_MONTH, monthly_partitions, weekly_partitions
from kpi_pipeline.warehouse.db import execute_file, session_lock, statement
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline.warehouse.table_metadata import table_metadata


def portal_ts(ts: datetime) -> str:
    return ts.astimezone(TZ).strftime("%Y%m%d%H%M%S")


def _copy_incoming(conn, items) -> int:
    """Stream reference items into the temp table `incoming` (see ref/create_incoming.sql)."""
    n = 0
    with conn.cursor() as cur, cur.copy(statement("ref/copy_incoming")) as copy:
        for _, item in items:
            copy.write_row((json.dumps(item, ensure_ascii=False),))
            n += 1
    return n


def _quarantined(conn, source: str, partition: str = "reference") -> int:
    return conn.execute(
        statement("quarantine/select_quarantined_count"),
        {"source": source, "partition": partition},
    ).fetchone()[0]


def _pull_reference(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    client: PortalClient,
    source: str,
    merge_sql: str,
    pulls: list[tuple[str, dict]],
    extra_params: dict | None = None,
) -> MaterializeResult:
    with warehouse.connect() as conn, conn.transaction():
        execute_file(conn, "ref/create_incoming")
        fetched = sum(_copy_incoming(conn, client.iter_items(path, p)) for path, p in pulls)
        execute_file(conn, "quarantine/delete_reference", {"source": source})
        execute_file(conn, merge_sql, {"run_id": context.run_id, **(extra_params or {})})
        quarantined = _quarantined(conn, source)
        table = f"ref.{context.asset_key.path[-1]}"  # the asset's own table (ref.units, ...)
        total = conn.execute(statement("warehouse/select_row_count", table=table)).fetchone()[0]
        standard = table_metadata(conn, context.asset_key.path, total)
    client.close()
    return MaterializeResult(
        metadata={
            "fetched": fetched,
            "quarantined": quarantined,
            "rows_in_table": total,
            **standard,
            "portal_requests": client.stats["requests"],
            "portal_retries": client.stats["retries"],
        }
    )


def build_reference_asset(source: ReferenceSource):
    """A reference asset: the whole table `source.path` pulled and merged into ref.<name>."""

    @asset(
        key=AssetKey(["ref", source.name]),
        group_name="reference",
        kinds={"postgres"},
        required_resource_keys={"warehouse", "provincial_portal"},
        description=source.description,
    )
    def _ref(context: AssetExecutionContext) -> MaterializeResult:
        extra: dict | None = None
        if source.by_year:
            first = int(FIRST_MONTH[:4])
            years = list(range(first, date.today().year + 2))
            pulls = [(source.path, {"nam": y}) for y in years]
            extra = {"years": years}
        else:
            pulls = [(source.path, {})]
        return _pull_reference(
            context,
            context.resources.warehouse,
            context.resources.provincial_portal.client(),
            f"ref_{source.name}",
            source.merge_sql,
            pulls,
            extra,
        )

    return _ref


ref_units, ref_procedures, ref_holidays = REFERENCE_ASSETS = [
    build_reference_asset(source) for source in REFERENCE_SOURCES
]


def _weekly_pages(
    client: PortalClient,
    source: RawSource,
    province_code: str,
    keys: list[str],
    pulled_at: dict[str, datetime],
    clock_skew: timedelta = timedelta(0),
):
    """The pages of the weeks `keys`, pulled one week's change window at a time, in order.

    One request series per week keeps the portal's work per request (and its paging depth)
    that of a Friday run, whatever the range; the windows are adjacent and half-open. The
    instant each week's first request is sent goes into `pulled_at` (`raw.coverage`), on the
    warehouse's clock (this machine's plus `clock_skew`).
    """
    for key in keys:
        window = weekly_partitions.time_window_for_partition_key(key)
        params = {
            source.window_params[0]: portal_ts(window.start),
            source.window_params[1]: portal_ts(window.end),
        }
        if source.by_province:
            params["ma_tinh"] = province_code
        pulled_at[key] = datetime.now(UTC) + clock_skew
        yield from client.iter_pages(source.path, params)


def _weekly_items(
    client,
    source: RawSource,
    province_code: str,
    keys: list[str],
    pulled_at,
    clock_skew: timedelta = timedelta(0),
):
    """(page number, item) of the weeks `keys`; the next page is fetched while this one is
    written (`prefetch.py`), across week boundaries too."""
    pages = prefetched(
        _weekly_pages(client, source, province_code, keys, pulled_at, clock_skew),
        name=f"pull-{source.table}",
    )
    return ((page.number, item) for page in pages for item in page.items)


# weeks of raw rows and coverage committed together (a new warehouse's history is ~260 weeks)
WEEKS_PER_TRANSACTION = 26


def held_lock(conn, source: str):
    """The source's coverage lock for a whole pull (a session lock: the pull commits in
    chunks); staging takes the same lock per transaction (`coverage.lock_source`)."""
    return session_lock(conn, lock_name(source))


def plan_weeks(conn, warehouse: WarehouseResource, source: str, requested: list[str]) -> list[str]:
    """The weeks to read so that `source`'s change history is complete after this pull."""
    weeks = pull_plan(
        load_pulls(conn, source),
        [date.fromisoformat(k) for k in requested],
        warehouse.history_start_day,
        datetime.now(TZ),
        warehouse.sync_overlap,
    )
    return [w.isoformat() for w in weeks]


@dataclass(frozen=True)
class Pulled:
    """What one source's pull did: the weeks read, rows per week, the client's counters, and
    the process that pulled (a long pull of the other portal runs in a child)."""

    keys: list[str]
    counts: dict[str, int]
    stats: dict[str, int]
    message: str
    pid: int


def pull_source(
    source: RawSource,
    portal: PortalResource,
    warehouse: WarehouseResource,
    requested: list[str],
    run_id: str,
) -> Pulled:
    """Pull `source`'s change windows so that its history is complete through the week in
    progress, and land them, a transaction per chunk of weeks (`build_raw_asset`)."""
    client = portal.client()
    pulled_at: dict[str, datetime] = {}
    counts: dict[str, int] = {}
    with warehouse.connect() as conn, held_lock(conn, source.table):
        with conn.transaction():
            keys = plan_weeks(conn, warehouse, source.table, requested)
            skew = database_now(conn) - datetime.now(UTC)
        message = (
            f"pulling {portal.base_url}{source.path} for {keys[0]} .. {keys[-1]} ({len(keys)} weeks;"
            f" the run asked for {requested[0]} .. {requested[-1]})"
        )
        # A transaction per chunk of weeks, in order: a pull that fails at week 250 of a
        # new warehouse's history keeps the weeks before; the windows after it then read
        # as pulled before an earlier one, so the next plan starts there (history.py).
        for first in range(0, len(keys), WEEKS_PER_TRANSACTION):
            chunk = keys[first : first + WEEKS_PER_TRANSACTION]
            with conn.transaction():
                items = _weekly_items(client, source, portal.province_code, chunk, pulled_at, skew)
                landed = land_raw(
                    conn,
                    source.table,
                    chunk,
                    items,
                    week_of_change,
                    run_id,
                )
                record_pulls(conn, source.table, {k: pulled_at[k] for k in chunk}, landed, run_id)
            counts |= landed
    client.close()
    return Pulled(keys, counts, dict(client.stats), message, os.getpid())


# every portal a weekly pull reads: a raw step may start the other portal's pulls of its run
_WEEKLY_PORTALS = sorted({s.portal for s in WEEKLY_SOURCES})

# From this many weeks on, the other portal's pulls run in a child process, not a thread
# (`concurrent_pulls.py`): half a year of a province is ~800,000 records, ~12 s of Python per
# portal; a child costs ~1.5 CPU-s to start, more than a Friday's or a quarter's pull gains.
CHILD_PROCESS_MIN_WEEKS = 26


def _settings(resource: PortalResource | WarehouseResource) -> dict:
    """A resource's field values: Dagster's resources do not pickle, their settings do."""
    return {name: getattr(resource, name) for name in type(resource).model_fields}


def _pull_with_settings(
    source: RawSource, portal: dict, warehouse: dict, requested: list[str], run_id: str
) -> Pulled:
    """`pull_source` in a child process, on resources rebuilt from the parent's settings; the
    parent's step has made the schema (`ensure_schema` takes locks a running pull holds)."""
    rebuilt = WarehouseResource(**warehouse)
    rebuilt._schema_ready = True
    return pull_source(source, PortalResource(**portal), rebuilt, requested, run_id)


def _pull_of_run(context: AssetExecutionContext, source: RawSource) -> Pulled:
    """`source`'s pull in this run: the other portal's weekly pulls of the run start now in a
    thread of their own, if this process runs their steps too, or in a child process if they
    are long (`concurrent_pulls.py`)."""
    requested = list(context.partition_keys)
    warehouse: WarehouseResource = context.resources.warehouse
    warehouse.ensure_schema()  # once, here, before any thread connects

    def pull(s: RawSource):
        portal = getattr(context.resources, s.portal)
        return lambda: pull_source(s, portal, warehouse, requested, context.run_id)

    def pull_in_child(s: RawSource):
        portal = getattr(context.resources, s.portal)
        return partial(
            _pull_with_settings,
            s,
            _settings(portal),
            _settings(warehouse),
            requested,
            context.run_id,
        )

    if not started(context.run_id):  # the run's first raw step plans the other portals
        step = context.op_execution_context.get_step_execution_context()
        prefix = step.step.key[: -len(source.table)]  # raw__ (a province's location: p49__raw__)
        in_plan = set(step.execution_plan.step_keys_to_execute)
        others = [
            s
            for s in WEEKLY_SOURCES
            if s is not source and s.portal != source.portal and prefix + s.table in in_plan
        ]
        long_pull = False
        if others:
            with warehouse.connect() as conn:
                long_pull = any(
                    len(plan_weeks(conn, warehouse, s.table, requested)) >= CHILD_PROCESS_MIN_WEEKS
                    for s in others
                )
        siblings = [
            (s.table, s.portal, (pull_in_child if long_pull else pull)(s))
            for s in WEEKLY_SOURCES
            if s is not source and prefix + s.table in in_plan
        ]
        start_other_portals(context.run_id, source.portal, siblings, in_child_process=long_pull)
    return take_or_pull(context.run_id, source.table, pull(source))


def build_raw_asset(source: RawSource):
    """A weekly raw asset: the change log of `source`, pulled by week and streamed into COPY.

    Whatever weeks a run asks for, the pull reads every window from the earliest of them (or
    the first gap in the history, or the latest pull less the overlap) through the week in
    progress, so the change history stays complete (domain/history.py); the weeks read beyond
    the run's own are recorded as materialisations of their partitions too. The two portals
    are pulled at the same time (`concurrent_pulls.py`), so every weekly raw step has both.
    """

    @asset(
        name=source.table,
        key_prefix=["raw"],
        partitions_def=weekly_partitions,
        backfill_policy=BackfillPolicy.single_run(),
        group_name="raw",
        kinds={"postgres"},
        required_resource_keys={"warehouse", *_WEEKLY_PORTALS},
        description=source.description,
    )
    def _raw(context: AssetExecutionContext):
        requested = list(context.partition_keys)
        warehouse: WarehouseResource = context.resources.warehouse
        pulled = _pull_of_run(context, source)
        keys, counts, stats = pulled.keys, pulled.counts, pulled.stats
        context.log.info(pulled.message)
        extra = [k for k in keys if k not in set(requested)]
        with warehouse.connect() as conn:
            standard = table_metadata(
                conn, context.asset_key.path, sum(counts[k] for k in requested)
            )
        yield MaterializeResult(
            metadata={
                **standard,
                "records": sum(counts[k] for k in requested),
                "records_by_week": MetadataValue.json({k: counts[k] for k in requested}),
                "weeks_pulled": len(keys),
                "weeks_pulled_beyond_the_run": MetadataValue.json(
                    {"first": extra[0], "last": extra[-1], "count": len(extra)} if extra else {}
                ),
                "records_pulled": sum(counts.values()),
                "pulled_in": "this process" if pulled.pid == os.getpid() else "a child process",
                "portal_requests": stats["requests"],
                "portal_retries": stats["retries"],
                "token_refreshes": stats["token_refreshes"],
                # windows read again because the count fell short of the portal's total, and
                # records beyond the total (arrivals during the read, repeats): client.py
                "window_rereads": stats["rereads"],
                "records_beyond_total": stats["excess_records"],
            }
        )
        # after the run's own partitions: the weeks read beyond them
        for key in extra:
            context.log_event(
                AssetMaterialization(
                    asset_key=context.asset_key,
                    partition=key,
                    metadata={"records": counts[key], "pulled_with_run_for": requested[-1]},
                )
            )

    return _raw


RAW_WEEKLY_ASSETS = [build_raw_asset(s) for s in WEEKLY_SOURCES]


@asset(
    key=AssetKey(["raw", "national_chiso"]),
    partitions_def=monthly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    group_name="raw",
    kinds={"postgres"},
    description="The national portal's published monthly rates per unit (chiso), untouched.",
)
def raw_national_chiso(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    national_portal: PortalResource,
) -> MaterializeResult:
    keys = list(context.partition_keys)
    client = national_portal.client()

    counts: dict[str, int] = {}
    with warehouse.connect() as conn, conn.transaction():  # every month or none
        for key in keys:
            params = {"ma_tinh": national_portal.province_code, "thang": key[:4] + key[5:7]}
            items = client.iter_items("/api/v1/chiso", params)
            counts |= land_raw(
                conn, "national_chiso", [key], items, lambda _, k=key: k, context.run_id
            )
        standard = table_metadata(conn, context.asset_key.path, sum(counts.values()))
    client.close()
    return MaterializeResult(
        metadata={
            **standard,
            "records": sum(counts.values()),
            "records_by_month": MetadataValue.json(counts),
        }
    )


ASSETS = [*REFERENCE_ASSETS, *RAW_WEEKLY_ASSETS, raw_national_chiso]
