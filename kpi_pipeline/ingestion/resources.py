"""The two portals as Dagster resources; values come from the environment (see resources.py)."""

from __future__ import annotations

from dagster import ConfigurableResource, InitResourceContext

from kpi_pipeline.ingestion.client import PortalClient, RetryPolicy
from kpi_pipeline.ingestion.preflight import check_portal


class PortalResource(ConfigurableResource):
    """A portal of the contract: base URL, OAuth client credentials, time-outs and paging.

    At run start (`setup_for_execution`) it checks the URL's shape and fetches one token, so a
    bad URL (or plain http outside loopback, unless `allow_insecure_http`), an unreachable
    portal or refused credentials stop the run before any data moves,
    with a message naming the `<NAME>_PORTAL_*` variable to set (never the secret). Refused
    credentials and a malformed URL fail at once; an unreachable portal is retried for
    `preflight_seconds` (default: the whole retry budget, so a short outage at the start of a
    scheduled run is survived as it would be mid-run).
    """

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
    preflight_seconds: float | None = None
    # plain http:// to a host that is not loopback (KPI_ALLOW_INSECURE_PORTAL, ingestion/preflight.py)
    allow_insecure_http: bool = False

    def setup_for_execution(self, context: InitResourceContext) -> None:
        check_portal(
            self.name,
            self.base_url,
            self.client_id,
            self.client_secret,
            budget_seconds=self.preflight_seconds or self.retry_budget_seconds,
            connect_timeout=self.connect_timeout,
            allow_insecure=self.allow_insecure_http,
        )

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
