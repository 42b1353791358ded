"""The `config_files` and `artifacts` resources a materialisation needs beside the warehouse
and the portals: the packaged files (or those given) and artifacts under KPI_HOME (or a root)."""

from kpi_pipeline.artifacts import ArtifactStoreResource
from kpi_pipeline.config_files import ConfigFilesResource


def file_resources(artifact_root: str = "", **files: str) -> dict:
    return {
        "config_files": ConfigFilesResource(**files),
        "artifacts": ArtifactStoreResource(root=artifact_root),
    }
