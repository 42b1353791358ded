"""The alert assets: after the Friday report and after the end-of-peak-month report, a message
per responsible unit that turned red or stayed red (docs/leaders.md).

- `alerts/friday_alerts`, weekly partitions, downstream of `reports/friday_report`;
- `alerts/peak_month_alerts`, monthly partitions, downstream of `reports/peak_month_report`
  and of the monthly drill-down tables (the report shows no drill-down; the alerts do);
  a month that is not a peak month sends nothing and says so.

They never block the pipeline: the KPI tables and reports are upstream and already written
when these run, and these never fail a run (a failed run would also stop the chained monthly
job, see orchestration/schedules.py). Every delivery failure is recorded in `kpi.alerts_sent`
and the materialisation's metadata, and fails the channel's delivery check (alerts/checks.py);
any other error (e.g. no KPI rows) is logged and recorded in the metadata, not raised.

Only closed, recent periods are alerted: a period not yet ended (the peak-month daily
monitoring runs the week and month in progress) or ended more than `max_age_days` ago (a
backfill) sends nothing.
"""

from datetime import date, datetime

from dagster import (
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from kpi_pipeline.alerts.delivery import AlertDeliveryResource
from kpi_pipeline.alerts.dispatch import Outcome, collect, send_all, summary
from kpi_pipeline.alerts.model import CHANGE_TEXT, FRIDAY, PEAK_MONTH
from kpi_pipeline.config_files import ConfigFilesResource
from kpi_pipeline.domain.calendar import TZ, is_peak_month, month_window, week_window
from kpi_pipeline.partitions import monthly_partitions, weekly_partitions
from kpi_pipeline.redaction import redact
from kpi_pipeline.reports import labels as L
from kpi_pipeline.warehouse.resource import WarehouseResource

CHANNEL_LABELS = {"email": "Thư điện tử", "webhook": "Tin nhắn"}
STATUS_LABELS = {
    "sent": "Đã gửi",
    "failed": "Gửi không được",
    "already_sent": "Đã gửi trước đó",
    "in_flight": "Đang gửi (lượt chạy khác)",
}


# The peak-month alerts' drill-down (the Friday alerts' comes through the Friday report's deps).
MONTHLY_DRILLDOWN = [
    AssetKey(["kpi", "drilldown_procedures_monthly"]),
    AssetKey(["kpi", "overdue_dossiers_monthly"]),
]


def _now() -> datetime:
    return datetime.now(TZ)


@asset(
    key=AssetKey(["alerts", "friday_alerts"]),
    partitions_def=weekly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    group_name="alerts",
    kinds={"email", "postgres"},
    deps=[AssetKey(["reports", "friday_report"])],
    description="After the Friday report: a message per unit that turned or stayed red, by"
    " e-mail and webhook, each delivery recorded once in kpi.alerts_sent. Never fails the run.",
)
def friday_alerts(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    alerts: AlertDeliveryResource,
    config_files: ConfigFilesResource,
) -> MaterializeResult:
    return _run(context, warehouse, alerts, config_files, FRIDAY)


@asset(
    key=AssetKey(["alerts", "peak_month_alerts"]),
    partitions_def=monthly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    group_name="alerts",
    kinds={"email", "postgres"},
    deps=[AssetKey(["reports", "peak_month_report"]), *MONTHLY_DRILLDOWN],
    description="At the end of a peak month (March, June, September, December): a message per"
    " unit that turned or stayed red that month. Other months: nothing to send.",
)
def peak_month_alerts(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    alerts: AlertDeliveryResource,
    config_files: ConfigFilesResource,
) -> MaterializeResult:
    return _run(context, warehouse, alerts, config_files, PEAK_MONTH)


def _run(
    context, warehouse, delivery: AlertDeliveryResource, files, kind: str
) -> MaterializeResult:
    periods = []
    for key in context.partition_keys:
        start = date.fromisoformat(key)
        try:
            periods.append(_period(context, warehouse, delivery, files, kind, start))
        except Exception as exc:  # never block the pipeline: record, log, go on
            error = redact(f"{type(exc).__name__}: {exc}", delivery.secrets())
            context.log.error("alerts %s %s not sent: %s", kind, key, error)
            periods.append({"period": key, "skipped": "error", "error": error})
    return MaterializeResult(metadata=_metadata(periods, delivery, files))


def _period(context, warehouse, delivery, files, kind: str, start: date) -> dict:
    key = start.isoformat()
    if kind == PEAK_MONTH and not is_peak_month(start):
        return {"period": key, "skipped": "not_peak_month"}
    window = week_window(start) if kind == FRIDAY else month_window(start)
    now = _now()
    if now < window.end:
        context.log.info("alerts %s %s: the period has not ended; nothing sent", kind, key)
        return {"period": key, "skipped": "not_ended"}
    if (now - window.end).days > delivery.max_age_days:
        context.log.info(
            "alerts %s %s: ended over %d days ago (a backfill); nothing sent",
            kind,
            key,
            delivery.max_age_days,
        )
        return {"period": key, "skipped": "too_old"}

    with warehouse.connect() as conn:
        conn.read_only = True
        with conn.transaction():
            collected = collect(conn, kind, start)
    red = {a.unit_code: a for a in collected.alerts}
    result = {
        "period": key,
        "units": collected.units,
        "low_volume_units": collected.low_volume,
        "red_units": len(red),
        "turned_red": sum(1 for a in red.values() if a.change == "turned_red"),
        "stayed_red": sum(1 for a in red.values() if a.change == "stayed_red"),
        "alerts": [(a.unit_code, a.unit.unit_name, a.change) for a in collected.alerts],
    }
    if not delivery.senders():
        context.log.warning(
            "alerts %s %s: no channel configured (KPI_ALERT_SMTP_HOST + KPI_ALERT_FROM, or"
            " KPI_ALERT_WEBHOOK_URL); %d alert(s) not sent",
            kind,
            key,
            len(red),
        )
        return {**result, "skipped": "not_configured", "outcomes": []}
    with warehouse.connect(autocommit=True) as conn:
        outcomes, nobody = send_all(conn, collected, delivery, files.recipients(), context.run_id)
    counts = summary(outcomes)
    context.log.info(
        "alerts %s %s: %d red unit(s); %d sent, %d failed, %d already sent",
        kind,
        key,
        len(red),
        counts["sent"],
        counts["failed"],
        counts["already_sent"],
    )
    for o in outcomes:
        if o.status == "failed":
            context.log.warning(
                "alert to %s (%s) failed after %d attempt(s): %s",
                o.unit_code,
                o.channel,
                o.attempts,
                o.error,
            )
    if nobody:
        context.log.warning(
            "alerts %s %s: no recipient for %s (see KPI_ALERT_RECIPIENTS_FILE)",
            kind,
            key,
            ", ".join(nobody),
        )
    return {**result, **counts, "outcomes": outcomes, "no_recipient": nobody}


def _metadata(periods: list[dict], delivery: AlertDeliveryResource, files) -> dict:
    totals = {
        k: sum(p.get(k, 0) for p in periods)
        for k in ("red_units", "turned_red", "stayed_red", "sent", "failed", "already_sent")
    }
    meta: dict = {**totals}
    meta["periods"] = MetadataValue.json(
        [{k: v for k, v in p.items() if k not in ("outcomes", "alerts")} for p in periods]
    )
    meta["channels"] = MetadataValue.json(
        {**delivery.describe(), "recipients_file": files.path("recipients_file")}
    )
    skipped = [p for p in periods if p.get("skipped")]
    if skipped:
        meta["skipped"] = MetadataValue.json({p["period"]: p["skipped"] for p in skipped})
        meta["note"] = MetadataValue.text(
            "; ".join(f"{p['period']}: {SKIP_NOTES[p['skipped']]}" for p in skipped)
        )
    meta["preview"] = MetadataValue.md(_markdown(periods))
    return meta


SKIP_NOTES = {
    "not_peak_month": "không phải tháng cao điểm, không có cảnh báo",
    "not_ended": "kỳ chưa kết thúc, chưa gửi cảnh báo",
    "too_old": "kỳ đã kết thúc từ lâu (chạy bù), không gửi cảnh báo",
    "not_configured": "chưa cấu hình kênh gửi (thư điện tử, tin nhắn), không gửi",
    "error": "lỗi khi lập cảnh báo (xem nhật ký)",
}


def _markdown(periods: list[dict]) -> str:
    lines = []
    for p in periods:
        lines.append(f"**{p['period']}**: {p.get('red_units', 0)} đơn vị xếp loại Đỏ")
        if p.get("skipped"):
            lines.append(f"- {SKIP_NOTES[p['skipped']]}")
            for code, name, change in p.get("alerts", []):
                lines.append(f"- {L.nfc(name)} ({code}): {CHANGE_TEXT[change]}")
            lines.append("")
            continue
        outcomes: list[Outcome] = p.get("outcomes", [])
        if outcomes:
            lines += [
                "",
                "| Đơn vị | Diễn biến | Kênh | Kết quả | Số lần thử |",
                "|---|---|---|---|---|",
            ]
            for o in outcomes:
                lines.append(
                    f"| {L.nfc(o.unit_name)} | {CHANGE_TEXT[o.change]} |"
                    f" {CHANNEL_LABELS[o.channel]} | {STATUS_LABELS[o.status]} | {o.attempts} |"
                )
        for code in p.get("no_recipient", []):
            lines.append(f"- {code}: chưa có người nhận")
        lines.append("")
    return "\n".join(lines) or "Không có cảnh báo."


ASSETS = [friday_alerts, peak_month_alerts]
