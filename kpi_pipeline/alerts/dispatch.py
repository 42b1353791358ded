"""Collecting a period's alerts from the warehouse and sending each once.

Reads go through the reports' query layer (`reports/queries.py`: unit rows, previous bands
and the red units' drill-down), so drill-down has one reader to switch.

Each delivery (alert kind, period, unit, channel, recipient) is a row of `kpi.alerts_sent`:
claimed as `sending` before it is sent, then marked `sent` or `failed` with its attempts and
error. A delivery already `sent` (or being sent by another run) is skipped: a rerun sends
nothing twice. A `failed` one is tried again by the next run of the period; one left
`sending` by a run that died is tried again after `stale_claim_minutes`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import psycopg

from kpi_pipeline.alerts.delivery import AlertDeliveryResource
from kpi_pipeline.alerts.model import FRIDAY, Alert, compose, select_alerts
from kpi_pipeline.domain.alert_recipients import Recipients, recipient_id
from kpi_pipeline.reports import queries
from kpi_pipeline.warehouse.db import sql_text

SENT, FAILED, ALREADY_SENT, IN_FLIGHT = "sent", "failed", "already_sent", "in_flight"


@dataclass(frozen=True)
class Collected:
    alerts: list[Alert]
    parents: dict[str, str | None]  # unit -> parent, for recipients inherited from parents
    province_name: str | None
    units: int  # units with KPI rows in the period
    low_volume: int = 0  # of them, too few dossiers to be rated (never alerted)


@dataclass(frozen=True)
class Outcome:
    unit_code: str
    unit_name: str
    change: str
    channel: str
    recipient: str
    status: str  # sent | failed | already_sent | in_flight
    attempts: int = 0
    error: str | None = None


def period_kind(kind: str) -> str:
    return "week" if kind == FRIDAY else "month"


def previous_period(kind: str, start: date) -> date:
    if kind == FRIDAY:
        return start - timedelta(days=7)
    return (start - timedelta(days=1)).replace(day=1)


def collect(conn: psycopg.Connection, kind: str, period_start: date) -> Collected:
    """The red units of the period, turned or stayed red, with their drill-down."""
    period = period_kind(kind)
    units = queries.unit_rows(conn, period, period_start)
    if not units:
        table = "unit_kpi_weekly" if period == "week" else "unit_kpi_monthly"
        raise queries.MissingKpiData(
            f"kpi.{table} has no unit row for {period_start}: materialise it first"
        )
    previous = queries.overall_bands(conn, period, previous_period(kind, period_start))
    red = [u for u in units if u.rated_band == "red"]
    drill = queries.read_red_unit_drilldowns(conn, period_start, red, period=period)
    province = next(
        (u.parent_name for u in units if u.unit_level in ("SO_NGANH", "HUYEN") and u.parent_name),
        None,
    )
    return Collected(
        select_alerts(kind, period_start, units, previous, drill),
        {u.unit_code: u.parent_code for u in units},
        province,
        len(units),
        sum(1 for u in units if u.low_volume),
    )


def send_all(
    conn: psycopg.Connection,
    collected: Collected,
    delivery: AlertDeliveryResource,
    recipients: Recipients,
    run_id: str,
) -> tuple[list[Outcome], list[str]]:
    """Send every alert on every configured channel to its recipients, once; returns the
    outcomes and the units that have no recipient on any configured channel. `conn` must be
    in autocommit mode: each claim and each result is committed as it happens."""
    senders = delivery.senders()
    outcomes: list[Outcome] = []
    nobody: list[str] = []
    for alert in collected.alerts:
        message = compose(alert, collected.province_name)
        targets = [
            (channel, sender, r)
            for channel, sender in senders.items()
            for r in recipients.for_unit(alert.unit_code, channel, collected.parents)
        ]
        if not targets:
            nobody.append(alert.unit_code)
        for channel, sender, recipient in targets:
            rid = recipient_id(channel, recipient)
            key = {
                "kind": alert.kind,
                "period_start": alert.period_start,
                "unit_code": alert.unit_code,
                "channel": channel,
                "recipient": rid,
                "run_id": run_id,
            }

            def outcome(status, attempts=0, error=None, alert=alert, channel=channel, rid=rid):
                return Outcome(
                    alert.unit_code,
                    alert.unit.unit_name,
                    alert.change,
                    channel,
                    rid,
                    status,
                    attempts,
                    error,
                )

            claimed = conn.execute(
                sql_text("kpi/claim_alert"),
                {
                    **key,
                    "change": alert.change,
                    "stale": f"{delivery.stale_claim_minutes} minutes",
                },
            ).fetchone()
            if claimed is None:
                status = conn.execute(sql_text("kpi/select_alert_status"), key).fetchone()[0]
                outcomes.append(outcome(ALREADY_SENT if status == SENT else IN_FLIGHT))
                continue
            result = delivery.deliver(sender, recipient, message)
            status = SENT if result.ok else FAILED
            conn.execute(
                sql_text("kpi/record_alert"),
                {**key, "status": status, "attempts": result.attempts, "error": result.error},
            )
            outcomes.append(outcome(status, result.attempts, result.error))
    return outcomes, nobody


def summary(outcomes: list[Outcome]) -> dict[str, int]:
    counts = Counter(o.status for o in outcomes)
    return {s: counts.get(s, 0) for s in (SENT, FAILED, ALREADY_SENT, IN_FLIGHT)}
