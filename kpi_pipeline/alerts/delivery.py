"""Delivering alert messages: an e-mail (SMTP) sender, a webhook sender, retries with
back-off, and the Dagster resource that holds their configuration (`alerts`).

Webhook payload, one POST per recipient (the shape of Zalo Official Account's "send message"
API, which similar chat gateways accept):

    POST <KPI_ALERT_WEBHOOK_URL>
    access_token: <KPI_ALERT_WEBHOOK_TOKEN>          (header name: `webhook_auth_header`)
    Idempotency-Key: kpi-alert-…                     (stable per alert: receivers may dedupe)
    Content-Type: application/json; charset=utf-8

    {"recipient": {"user_id": "…"}, "message": {"text": "…"}}

The text is the message's subject, a blank line and its body, cut to `webhook_max_chars`
(Zalo's limit: 2,000 characters). A 2xx answer whose JSON body has a non-zero `error` (Zalo
reports failures so) is a failure.

Retries: network errors, time-outs, HTTP 429 and 5xx, SMTP 4xx replies and dropped
connections are retried up to `max_attempts` with exponential back-off and jitter; other
failures (HTTP 4xx, SMTP 5xx, refused authentication) are not. A delivery never raises: it
returns what happened. Error texts go through the project's redactor (`kpi_pipeline.redaction`)
with the sender's secrets: the password, the token and the webhook URL's user info and query
values never reach `kpi.alerts_sent`, a log line or the run's metadata, even when a receiver
echoes the request back.
"""

from __future__ import annotations

import ipaddress
import random
import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit, urlunsplit

import requests
import tenacity
from dagster import ConfigurableResource
from pydantic import Field

from kpi_pipeline.alerts.model import Message
from kpi_pipeline.redaction import redact, url_secrets

EMAIL, WEBHOOK = "email", "webhook"


class DeliveryError(Exception):
    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    attempts: int
    error: str | None = None


class SmtpSender:
    """One e-mail per recipient, plain text UTF-8. Port 465: implicit TLS; otherwise
    STARTTLS whenever the server offers it. Credentials are never sent without TLS except to
    a loopback server."""

    channel = EMAIL

    def __init__(
        self,
        host: str,
        port: int,
        from_address: str,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 20.0,
    ):
        self.host, self.port, self.from_address = host, port, from_address
        self.user, self.password, self.timeout = user, password, timeout

    def secrets(self) -> list[str]:
        return [s for s in (self.password,) if s]

    def build(self, recipient: str, message: Message) -> EmailMessage:
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = self.from_address
        mail["To"] = recipient
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(idstring=message.key, domain="kpi-pipeline.local")
        mail["X-KPI-Alert"] = message.key
        mail.set_content(message.text, charset="utf-8")
        return mail

    def send_once(self, recipient: str, message: Message) -> None:
        mail = self.build(recipient, message)
        try:
            if self.port == 465:
                smtp = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                smtp.ehlo()
                tls = self.port == 465
                if not tls and smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                    tls = True
                if self.user:
                    if not tls and not _loopback(self.host):
                        raise DeliveryError(
                            "the SMTP server offers no STARTTLS: credentials not sent",
                            retryable=False,
                        )
                    smtp.login(self.user, self.password or "")
                smtp.send_message(mail, from_addr=self.from_address, to_addrs=[recipient])
        except DeliveryError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"SMTP authentication refused ({exc.smtp_code})", False) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(
                f"SMTP recipient refused ({', '.join(map(str, codes))})",
                retryable=all(400 <= c < 500 for c in codes),
            ) from exc
        except smtplib.SMTPResponseException as exc:
            text = _text(exc.smtp_error)
            raise DeliveryError(
                f"SMTP {exc.smtp_code}: {text}", retryable=400 <= exc.smtp_code < 500
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP {type(exc).__name__}: {exc}", retryable=True) from exc


class WebhookSender:
    """One JSON POST per recipient, in the shape described in this module's docstring."""

    channel = WEBHOOK

    def __init__(
        self,
        url: str,
        token: str | None = None,
        auth_header: str = "access_token",
        timeout: float = 20.0,
        max_chars: int = 2000,
        session: requests.Session | None = None,
    ):
        self.url, self.token, self.auth_header = url, token, auth_header
        self.timeout, self.max_chars = timeout, max_chars
        self.session = session or requests.Session()

    def secrets(self) -> list[str]:
        return [s for s in (self.token, *url_secrets(self.url)) if s]

    def payload(self, recipient: dict, message: Message) -> dict:
        text = f"{message.subject}\n\n{message.text}"
        if len(text) > self.max_chars:
            text = text[: self.max_chars - 1] + "…"
        return {"recipient": dict(recipient), "message": {"text": text}}

    def headers(self, message: Message) -> dict:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.key,
            "User-Agent": "kpi-pipeline-alerts",
        }
        if self.token:
            value = self.token
            if self.auth_header.lower() == "authorization":
                value = f"Bearer {self.token}"
            headers[self.auth_header] = value
        return headers

    def send_once(self, recipient: dict, message: Message) -> None:
        where = _safe_url(self.url)
        try:
            resp = self.session.post(
                self.url,
                json=self.payload(recipient, message),
                headers=self.headers(message),
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise DeliveryError(f"POST {where}: {type(exc).__name__}", retryable=True) from exc
        if resp.status_code == 429 or resp.status_code >= 500:
            raise DeliveryError(f"POST {where}: HTTP {resp.status_code}", retryable=True)
        if resp.status_code >= 300:
            raise DeliveryError(
                f"POST {where}: HTTP {resp.status_code} {_text(resp.text)[:200]}", retryable=False
            )
        try:
            body = resp.json()
        except ValueError:
            return  # a 2xx without JSON: accepted
        if isinstance(body, dict) and body.get("error") not in (None, 0, "0"):
            raise DeliveryError(
                f"POST {where}: error {body.get('error')}: {_text(str(body.get('message')))[:200]}",
                retryable=False,
            )


def deliver(
    sender,
    recipient,
    message: Message,
    *,
    max_attempts: int = 3,
    backoff_seconds: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryResult:
    """Send with retries (tenacity: retryable `DeliveryError`s, exponential back-off with
    jitter); never raises. The error text is redacted of the sender's secrets."""
    if max_attempts < 1:
        return DeliveryResult(False, max_attempts, None)
    attempts = 0

    def once() -> None:
        nonlocal attempts
        attempts += 1
        sender.send_once(recipient, message)

    def delay(rs: tenacity.RetryCallState) -> float:
        base = backoff_seconds * 2 ** (rs.attempt_number - 1)
        return base + random.uniform(0, base / 4)

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(lambda e: isinstance(e, DeliveryError) and e.retryable),
        stop=tenacity.stop_after_attempt(max_attempts),
        wait=delay,
        sleep=sleep,
        reraise=True,
    )
    try:
        retrying(once)
        return DeliveryResult(True, attempts)
    except DeliveryError as exc:
        error = str(exc)
    except Exception as exc:  # a bug or an unexpected library error: recorded, not raised
        error = f"{type(exc).__name__}: {exc}"
    return DeliveryResult(False, attempts, redact(error, sender.secrets()))


def _safe_url(url: str) -> str:
    """The URL without user info, query or fragment (tokens are often passed there)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).strip().replace("\r", " ").replace("\n", " ")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


# -- the Dagster resource ------------------------------------------------------------------------


class AlertDeliveryResource(ConfigurableResource):
    """Where alerts go. Built from the environment by `alerts.resources.build_alert_resource`
    (KPI_ALERT_*). A channel is on when its address is set: e-mail with `smtp_host` and
    `from_address`, the webhook with `webhook_url`; with neither, alerts are only recorded in
    the run's metadata (nothing is sent and nothing is marked sent)."""

    smtp_host: str | None = None
    # text, so that a malformed KPI_ALERT_SMTP_PORT is reported by the alert asset (recorded,
    # not raised) instead of failing the run when the resource starts
    smtp_port: str = "587"
    smtp_user: str | None = None
    smtp_password: str | None = None
    from_address: str | None = None
    webhook_url: str | None = None
    webhook_token: str | None = None
    webhook_auth_header: str = "access_token"
    webhook_max_chars: int = 2000
    max_attempts: int = 3
    backoff_seconds: float = 2.0
    timeout_seconds: float = 20.0
    max_age_days: int = Field(
        default=14,
        description="Periods that ended longer ago are not alerted (a backfill sends nothing).",
    )
    stale_claim_minutes: int = Field(
        default=30,
        description="A delivery left 'sending' by a run that died is retried after this long.",
    )

    def senders(self) -> dict[str, SmtpSender | WebhookSender]:
        out: dict = {}
        if self.smtp_host and self.from_address:
            try:
                port = int(self.smtp_port)
            except ValueError:
                raise ValueError(
                    f"KPI_ALERT_SMTP_PORT is not a port number: {self.smtp_port!r}"
                ) from None
            out[EMAIL] = SmtpSender(
                self.smtp_host,
                port,
                self.from_address,
                self.smtp_user or None,
                self.smtp_password or None,
                self.timeout_seconds,
            )
        if self.webhook_url:
            out[WEBHOOK] = WebhookSender(
                self.webhook_url,
                self.webhook_token or None,
                self.webhook_auth_header,
                self.timeout_seconds,
                self.webhook_max_chars,
            )
        return out

    def secrets(self) -> list[str]:
        """Every configured secret, for redacting errors outside a sender (alerts/assets.py)."""
        return [
            s for s in (self.smtp_password, self.webhook_token, *url_secrets(self.webhook_url)) if s
        ]

    def deliver(self, sender, recipient, message: Message) -> DeliveryResult:
        return deliver(
            sender,
            recipient,
            message,
            max_attempts=self.max_attempts,
            backoff_seconds=self.backoff_seconds,
        )

    def describe(self) -> dict:
        """What is configured, without secrets (for run metadata)."""
        return {
            "email": bool(self.smtp_host and self.from_address),
            "smtp": f"{self.smtp_host}:{self.smtp_port}" if self.smtp_host else None,
            "smtp_auth": bool(self.smtp_user),
            "webhook": _safe_url(self.webhook_url) if self.webhook_url else None,
            "webhook_token": bool(self.webhook_token),
            "max_attempts": self.max_attempts,
        }
