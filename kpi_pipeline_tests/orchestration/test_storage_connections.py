"""A run's events stored over the pooled connection: no backend start per materialization.

dagster-postgres asks whether `asset_event_tags` exists for every materialization it stores,
from inside the connection that stores it; with the pool's one connection busy, each question
opened an overflow connection (`executor._remember_tables` says why that is gone). Measured on
a real PostgreSQL-backed instance by counting the connections its engine opens and the
catalogue reflections it sends while one run materializes several partitions.
"""

from __future__ import annotations

from dagster import (
    BackfillPolicy,
    DagsterInstance,
    MaterializeResult,
    StaticPartitionsDefinition,
    asset,
    materialize,
)
from sqlalchemy import event

from kpi_pipeline.orchestration.executor import pool_storage_connections

PARTITIONS = StaticPartitionsDefinition([f"p{i}" for i in range(8)])


@asset(partitions_def=PARTITIONS, backfill_policy=BackfillPolicy.single_run())
def many_partitions(context) -> MaterializeResult:
    return MaterializeResult(metadata={"partitions": len(context.partition_keys)})


def _counted(instance: DagsterInstance) -> dict[str, int]:
    counts = {"connects": 0, "reflections": 0}
    engine = instance.event_log_storage._engine

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, connection_record):
        counts["connects"] += 1

    @event.listens_for(engine, "before_cursor_execute")
    def _execute(conn, cursor, statement, parameters, context, executemany):
        if "pg_catalog.pg_class" in statement:
            counts["reflections"] += 1

    return counts


def _materialize_all(instance: DagsterInstance) -> None:
    result = materialize(
        [many_partitions],
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": "p0",
            "dagster/asset_partition_range_end": "p7",
        },
    )
    assert result.success
    materialized = instance.get_materialized_partitions(many_partitions.key)
    assert materialized == set(PARTITIONS.get_partition_keys())


def test_a_run_opens_no_connection_per_materialization(dagster_home, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    with DagsterInstance.get() as instance:
        pool_storage_connections(instance)
        _materialize_all(instance)  # warm: the pool's connection and the tables found once
        counts = _counted(instance)
        _materialize_all(instance)
    # 8 partitions: 8 materialization events with tags. Before, each opened a connection and
    # reflected the catalogue; now the pooled connection serves them all.
    assert counts["reflections"] == 0, counts
    assert counts["connects"] <= 1, counts


def test_a_missing_table_is_asked_again(dagster_home, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    with DagsterInstance.get() as instance:
        pool_storage_connections(instance)
        storage = instance.event_log_storage
        assert storage.has_table("asset_event_tags")
        assert not storage.has_table("no_such_table")
        counts = _counted(instance)
        assert storage.has_table("asset_event_tags")
        assert counts["reflections"] == 0
        assert not storage.has_table("no_such_table")
        assert counts["reflections"] >= 1  # not remembered: asked again
