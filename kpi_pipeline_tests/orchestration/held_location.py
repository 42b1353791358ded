"""A code location for the run-monitoring test: one job tagged like every run of a province
(`kpi/province`), whose only step holds its run worker until the test kills it."""

import time

from dagster import Definitions, in_process_executor, job, op

from kpi_pipeline.orchestration.jobs import PROVINCE_TAG


@op
def hold() -> None:
    time.sleep(600)


@job(tags={PROVINCE_TAG: "49"}, executor_def=in_process_executor)
def province_run():
    hold()


defs = Definitions(jobs=[province_run])
