"""An HTTP client for the portal contract (shared/docs/portal-api.md), on `requests`.

It survives what real portals do: expired tokens (401: new token, retry once), 429 with
Retry-After, 5xx, time-outs, connections reset mid-page, and 200 responses whose body is an
HTML error page. Retries (tenacity) back off exponentially with full jitter inside a bounded
total time; after that it raises `PortalError` naming the portal, URL and page. Paging trusts neither
`total` nor `page` (`PageCounter`). The client secret and the
bearer token are never put in a message or a log line: both go through the project's redactor
(`kpi_pipeline.redaction`), which also masks a URL's user info and secret query values that a
portal may echo back.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

import orjson
import requests
import tenacity
from requests.adapters import HTTPAdapter

from kpi_pipeline.redaction import RedactingFilter, redact

log = logging.getLogger(__name__)
log.addFilter(RedactingFilter())

RETRY_STATUSES = {429, 500, 502, 503, 504}


class PortalError(RuntimeError):
    """A portal call that failed for good (after retries, or at once for a client error).
    Its message is redacted when it is made, so no caller can leak what a portal echoed."""

    def __init__(self, message: str):
        super().__init__(redact(message))


class ShortRead(PortalError):
    """A paged read that ended with fewer records than the portal's total."""


class _Transient(Exception):
    """A failure worth retrying (network, time-out, 429/5xx, a 200 that is not JSON)."""

    def __init__(self, problem: str, retry_after: float | None = None):
        super().__init__(problem)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    total: int
    items: list[dict[str, Any]]
    echoed: int | None = None  # the `page` the response says it is


@dataclass
class RetryPolicy:
    max_total_seconds: float = 120.0
    base_delay: float = 0.5
    max_delay: float = 20.0
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max_delay, base * 2**attempt)]."""
        return self.rng.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


class _Throttle:
    """At most `rate` requests per second from this client (0 = unlimited)."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if now < self._next:
            time.sleep(self._next - now)
        self._next = max(now, self._next) + self.interval


class PortalClient:
    """One portal (provincial or national): token, retries, paging."""

    def __init__(
        self,
        name: str,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        page_size: int = 500,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        requests_per_second: float = 0.0,
        sleep=time.sleep,
        retry_log_level: int = logging.WARNING,
        total_slack: int | None = None,
        read_passes: int = 3,
    ):
        self.name = name
        self.base_url = base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self.page_size = page_size
        self.total_slack = total_slack  # records beyond `total` tolerated (None: one page)
        self.read_passes = read_passes  # reads of a window whose count falls short of `total`
        self.timeout = (connect_timeout, read_timeout)
        self.retry = retry or RetryPolicy()
        self._throttle = _Throttle(requests_per_second)
        self._sleep = sleep
        self._retry_log_level = retry_log_level
        self._token: str | None = None
        self._token_expires = 0.0
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=4, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.stats = {
            "requests": 0,
            "retries": 0,
            "token_refreshes": 0,
            "excess_records": 0,
            "rereads": 0,
        }

    def __repr__(self) -> str:  # never show the secret
        return f"PortalClient({self.name!r}, {self.base_url!r})"

    def close(self) -> None:
        self.session.close()

    # -- auth -------------------------------------------------------------------------------
    def _fetch_token(self, deadline: float) -> str:
        url = f"{self.base_url}/oauth/token"
        data = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        body = self._send("POST", url, deadline, what="token", data=data)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise PortalError(f"{self.name} portal: {url} returned no access_token")
        self._token = token
        self._token_expires = time.monotonic() + max(float(body.get("expires_in", 3600)) - 30, 1)
        self.stats["token_refreshes"] += 1
        return token

    def get_token(self) -> None:
        """Fetch a token now (within the retry budget): a cheap check of URL and credentials."""
        self._fetch_token(time.monotonic() + self.retry.max_total_seconds)

    def _bearer(self, deadline: float) -> str:
        if self._token is None or time.monotonic() >= self._token_expires:
            return self._fetch_token(deadline)
        return self._token

    # -- one call with retries -----------------------------------------------------------------
    def _send(self, method: str, url: str, deadline: float, what: str, **kwargs) -> Any:
        """One logical call; transient failures (`_Transient`) are retried until `deadline`
        (monotonic): a delay that would end past it gives up with the last problem named."""
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Transient),
            wait=self._delay,
            stop=lambda rs: time.monotonic() + rs.upcoming_sleep > deadline,
            sleep=self._sleep,
            before_sleep=lambda rs: self._log_retry(rs, url, what),
            retry_error_callback=lambda rs: self._give_up(rs, url, what),
        )
        return retrying(self._attempt, method, url, what, **kwargs)

    def _attempt(self, method: str, url: str, what: str, **kwargs) -> Any:
        """One request: the body, `_Unauthorized`, or `_Transient` / `PortalError` (for good)."""
        self._throttle.wait()
        self.stats["requests"] += 1
        try:
            resp = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema) as exc:
            raise PortalError(f"{self.name} portal: bad URL {url!r}: {exc}") from None
        except (
            requests.ConnectionError,
            requests.Timeout,
            requests.exceptions.ChunkedEncodingError,
        ) as exc:
            raise _Transient(f"{type(exc).__name__}: {_short(str(exc))}") from None
        if resp.status_code == 200:
            try:
                return _json_body(resp)
            except ValueError:
                raise _Transient(
                    f"status 200 but the body is not JSON "
                    f"(Content-Type {resp.headers.get('Content-Type')!r}): "
                    f"{_short(resp.text, 200)!r}"
                ) from None
        if resp.status_code == 401 and what != "token":
            return _Unauthorized(resp)
        if resp.status_code in RETRY_STATUSES:
            raise _Transient(
                f"status {resp.status_code}: {_short(resp.text, 200)!r}", _retry_after(resp)
            )
        raise PortalError(
            f"{self.name} portal: {url} {what} failed with status "
            f"{resp.status_code}: {_short(resp.text, 300)!r}"
        )

    def _delay(self, rs: tenacity.RetryCallState) -> float:
        """The portal's Retry-After (plus a little jitter), else full-jitter back-off."""
        retry_after = rs.outcome.exception().retry_after
        if retry_after is not None:
            return retry_after + self.retry.rng.uniform(0, 0.1)
        return self.retry.backoff(rs.attempt_number - 1)

    def _log_retry(self, rs: tenacity.RetryCallState, url: str, what: str) -> None:
        self.stats["retries"] += 1
        log.log(
            self._retry_log_level,
            "%s portal: %s %s: %s; retry %d in %.1fs",
            self.name, url, what, rs.outcome.exception(), rs.attempt_number, rs.upcoming_sleep,
        )  # fmt: skip

    def _give_up(self, rs: tenacity.RetryCallState, url: str, what: str):
        raise PortalError(
            f"{self.name} portal: {url} {what} still failing after {rs.attempt_number} "
            f"attempts and the retry budget of {self.retry.max_total_seconds:.0f}s; "
            f"last problem: {rs.outcome.exception()}"
        )

    def get_json(self, path: str, params: dict[str, Any], what: str | None = None) -> Any:
        """GET with bearer auth; on 401 fetch a new token and retry once."""
        url = f"{self.base_url}{path}"
        what = what or ""
        deadline = time.monotonic() + self.retry.max_total_seconds
        for second_try in (False, True):
            headers = {"Authorization": f"Bearer {self._bearer(deadline)}"}
            body = self._send("GET", url, deadline, what=what, params=params, headers=headers)
            if not isinstance(body, _Unauthorized):
                return body
            self._token = None
            if second_try:
                raise PortalError(
                    f"{self.name} portal: {url} {what} refused the credentials (401 twice): "
                    f"check the client id and secret"
                )
        raise AssertionError("unreachable")

    # -- paging -------------------------------------------------------------------------------
    def iter_pages(self, path: str, params: dict[str, Any]) -> Iterator[Page]:
        """Pages in order, each validated to the contract's shape, fetched as they are read.

        `total` is not trusted to end the read (see `PageCounter`): reading stops at the first
        short or empty page, and the count is then held against the portal's totals. A count
        short of the total reads the window again (`read_passes` in all: records that left the
        window during the read shift others onto pages already read); the pages of a later
        pass are numbered on from the earlier ones, so "the later page" stays "read later"
        (staging keeps the latest version of a repeated record). A count still short, too far
        beyond the total, or a page served twice raises `PortalError` naming the URL.
        """
        where = f"{self.name} portal: {self.base_url}{path}"
        if params:  # the window read (no secret travels in the query)
            where += "?" + urlencode(params)
        offset = 0
        for read_pass in range(1, self.read_passes + 1):
            counter = PageCounter(where, slack=self.total_slack or self.page_size)
            number = 1
            while True:
                what = f"page {number}"
                query = {**params, "page": number, "size": self.page_size}
                body = self.get_json(path, query, what)
                page = _as_page(body, number, f"{where} {what}")
                counter.add(page)
                yield replace(page, number=offset + number) if offset else page
                if len(page.items) < page.size:
                    break
                number += 1
            try:
                counter.finish()
            except ShortRead as short:
                if read_pass == self.read_passes:
                    raise PortalError(f"{short} (after {read_pass} reads)") from None
                self.stats["rereads"] += 1
                log.warning("%s; reading it again (read %d)", short, read_pass + 1)
                offset += number
                continue
            self.stats["excess_records"] += counter.excess
            return

    def iter_items(self, path: str, params: dict[str, Any]) -> Iterator[tuple[int, dict]]:
        for page in self.iter_pages(path, params):
            for item in page.items:
                yield page.number, item


class PageCounter:
    """The count of one paged read held against the portal's `total`, both ways.

    - Fewer records than the largest `total` any page reported is a `ShortRead`: a record may
      have been skipped (a server that stops early, or records that left the window during
      the read and shifted the rest onto pages already read). The client reads again.
    - More records than that total is tolerated up to `slack` (default: one page): records that
      arrived during the read, or a record that changed during the read and appears on two
      pages (the contract allows it; staging keeps the latest version). Beyond that the total
      does not describe what was served, and that is an error too.
    - A page whose `page` differs from the one asked for, or a full page with exactly the items
      of the page before, means the server ignores `page`: an error at once (without it, such a
      server would be read for ever).
    """

    def __init__(self, where: str, slack: int):
        self.where, self.slack = where, slack
        self.count = 0
        self.max_total = 0
        self.excess = 0
        self._previous: list | None = None

    def add(self, page: Page) -> None:
        if page.echoed is not None and page.echoed != page.number:
            raise PortalError(
                f"{self.where} page {page.number}: the response says page {page.echoed}; "
                f"the portal ignores the page parameter, records would be lost or repeated"
            )
        if page.items and page.items == self._previous:
            raise PortalError(
                f"{self.where} page {page.number}: the same {len(page.items)} records as page "
                f"{page.number - 1}; the portal ignores the page parameter, records would be "
                f"lost or repeated"
            )
        self._previous = page.items
        self.count += len(page.items)
        self.max_total = max(self.max_total, page.total)

    def finish(self) -> None:
        if self.count < self.max_total:
            raise ShortRead(
                f"{self.where}: read {self.count} records but the portal's total is "
                f"{self.max_total}; {self.max_total - self.count} records would be lost"
            )
        self.excess = self.count - self.max_total
        if self.excess > self.slack:
            raise PortalError(
                f"{self.where}: read {self.count} records but the portal's total is "
                f"{self.max_total}; more than {self.slack} beyond it is not records that "
                f"arrived during the read: the portal's paging cannot be trusted"
            )
        if self.excess:
            log.info(
                "%s: %d records beyond the total %d (arrived or changed during the read)",
                self.where, self.excess, self.max_total,
            )  # fmt: skip


class _Unauthorized:
    def __init__(self, resp: requests.Response):
        self.resp = resp


def _json_body(resp: requests.Response) -> Any:
    """The body parsed by orjson (3x the standard library on a page of 500 records), or by the
    standard library for what orjson refuses (an integer beyond 64 bits, NaN), so that such a
    record still lands and meets its rule; neither parses: `ValueError`."""
    try:
        return orjson.loads(resp.content)
    except orjson.JSONDecodeError:
        return resp.json()


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _short(text: str, n: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def _as_page(body: Any, number: int, where: str) -> Page:
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise PortalError(f"{where}: response is not a page object: {_short(repr(body), 200)}")
    fields = {}
    for name in ("total", "size", "page"):
        value = body.get(name)
        if value is None and name != "total":
            continue
        if isinstance(value, str) and value.strip().isdigit():  # "330": a number all the same
            value = int(value)
        low = 1 if name == "page" or (name == "size" and body["items"]) else 0
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise PortalError(
                f"{where}: bad paging field {name}={_short(repr(value), 40)} "
                f"(the contract: a whole number, total >= 0, page >= 1, size >= 1 with items)"
            )
        fields[name] = value
    items = body["items"]
    size = fields.get("size") or len(items) or 1
    return Page(
        number=number, size=size, total=fields["total"], items=items, echoed=fields.get("page")
    )
