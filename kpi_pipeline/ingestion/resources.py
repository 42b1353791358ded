"""The two portals as Dagster resources; values come from the environment (see resources.py)."""

from __future__ import annotations

from dagster import ConfigurableResource

from kpi_pipeline.ingestion.client import PortalClient, RetryPolicy


class PortalResource(ConfigurableResource):
    """A portal of the contract: base URL, OAuth client credentials, time-outs and paging."""

    name: str
    base_url: str
    client_id: str
    client_secret: str
    page_size: int = 500
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retry_budget_seconds: float = 120.0
    requests_per_second: float = 0.0  # 0 = no limit; a backfill can be polite to the portal
    province_code: str = "49"

    def client(self) -> PortalClient:
        return PortalClient(
            self.name,
            self.base_url,
            self.client_id,
            self.client_secret,
            page_size=self.page_size,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            retry=RetryPolicy(max_total_seconds=self.retry_budget_seconds),
            requests_per_second=self.requests_per_second,
        )
