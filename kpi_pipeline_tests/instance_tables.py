"""A test's Dagster instance made ready the way a deployment is."""

from __future__ import annotations

from pathlib import Path


def create_instance_tables(home: Path) -> None:
    """What `dagster instance migrate` does once before a deployment starts (SCALING.md):
    processes that open an empty storage database at once (two code servers, a daemon and the
    test) race to create its tables (`type "secondary_indexes" already exists`)."""
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home)):
        pass
