"""Delivery checks: an alert that could not be delivered fails a check a data engineer sees.

One asset check per alert asset and channel (`email_delivered`, `webhook_delivered`), on the
partitions the run materialised, reading `kpi.alerts_sent`: it fails (severity ERROR) when any
delivery of those periods on that channel is `failed`, i.e. still undelivered after the bounded
retries of `AlertDeliveryResource.deliver` (`max_attempts` with back-off), and names the units,
attempts and last error (redacted). It passes when every delivery went out, or when there was
nothing to send on that channel (not configured, no red unit, period skipped).

Why a check and not a failed step: the alerts come last, after the KPI tables and the report
are published; failing the run would call those bad, stop the month chained on the ingestion
(orchestration/schedules.py), and a rerun would change nothing until the receiver is fixed. The
check shows red on the asset in the UI, in the run's events and in `kpi-pipeline run`'s check
summary, and the next run of the period retries the failed deliveries (alerts/dispatch.py).
Not blocking: nothing is downstream of the alerts.
"""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from kpi_pipeline.alerts.delivery import EMAIL, WEBHOOK
from kpi_pipeline.alerts.model import FRIDAY, PEAK_MONTH
from kpi_pipeline.partitions import monthly_partitions, weekly_partitions
from kpi_pipeline.redaction import redact
from kpi_pipeline.warehouse.db import sql_text
from kpi_pipeline.warehouse.resource import WarehouseResource

ALERT_ASSETS = {
    FRIDAY: (AssetKey(["alerts", "friday_alerts"]), weekly_partitions),
    PEAK_MONTH: (AssetKey(["alerts", "peak_month_alerts"]), monthly_partitions),
}
CHANNELS = (EMAIL, WEBHOOK)


def delivery_result(rows: list[tuple], channel: str, partitions: str) -> AssetCheckResult:
    """The check's result from `select_alert_deliveries` rows (status, count, max attempts,
    failed units, last error)."""
    counts = {status: n for status, n, *_ in rows}
    failed = next((r for r in rows if r[0] == "failed"), None)
    total = sum(counts.values())
    metadata = {
        "partitions": partitions,
        "deliveries": total,
        "sent": counts.get("sent", 0),
        "failed": counts.get("failed", 0),
        "in_flight": counts.get("sending", 0),
    }
    if failed is None:
        description = (
            f"all {total} {channel} deliveries sent"
            if total
            else f"nothing to deliver by {channel} (not configured, no red unit, or skipped)"
        )
        return AssetCheckResult(passed=True, metadata=metadata, description=description)
    _, n, attempts, units, error = failed
    error = redact(error or "")
    metadata["failed_units"] = MetadataValue.json(list(units or []))
    metadata["last_error"] = MetadataValue.text(error)
    return AssetCheckResult(
        passed=False,
        severity=AssetCheckSeverity.ERROR,
        metadata=metadata,
        description=f"{n} of {total} {channel} deliveries failed after up to {attempts}"
        f" attempt(s); the next run of the period retries them. Last error: {error}",
    )


def build_check(kind: str, channel: str):
    key, partitions_def = ALERT_ASSETS[kind]

    @asset_check(
        asset=key,
        name=f"{channel}_delivered",
        description=f"Every {channel} alert of the period was delivered (kpi.alerts_sent).",
        blocking=False,
        partitions_def=partitions_def,
    )
    def _check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> AssetCheckResult:
        keys = list(context.partition_keys)
        window = context.partition_time_window
        params = {
            "kind": kind,
            "channel": channel,
            "start": window.start.date(),
            "end": window.end.date(),
        }
        with warehouse.connect() as conn:
            rows = conn.execute(sql_text("kpi/select_alert_deliveries"), params).fetchall()
        span = keys[0] if len(keys) == 1 else f"{keys[0]}..{keys[-1]}"
        result = delivery_result(rows, channel, span)
        context.log.info("%s %s: %s", key.to_user_string(), span, result.description)
        return result

    return _check


CHECKS = [build_check(kind, channel) for kind in ALERT_ASSETS for channel in CHANNELS]
