"""The project's workspace as the UI and the daemon load it (the code location in its own gRPC
server process) on a fresh instance, to query through Dagster's GraphQL API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dagster import instance_for_test
from dagster_graphql.test.utils import define_out_of_process_context

from kpi_pipeline import settings


@contextmanager
def graphql_workspace() -> Iterator[tuple[object, dict[str, str]]]:
    """(request context, repository selector) of workspace.yaml's one code location."""
    workspace = str(settings.PROJECT_ROOT / "workspace.yaml")
    with (
        instance_for_test() as instance,
        define_out_of_process_context(workspace, None, instance) as context,
    ):
        (entry,) = context.get_code_location_entries().values()
        assert entry.load_error is None, entry.load_error
        (repo,) = entry.code_location.get_repositories()
        yield (
            context,
            {"repositoryLocationName": entry.origin.location_name, "repositoryName": repo},
        )
