"""A webhook token in the URL's query string, echoed back by a rejecting receiver, appears
nowhere: not in `kpi.alerts_sent`, the Dagster event log (a real `DagsterInstance` on disk), the
materialisation's metadata, nor anything the run prints. And every delivery failing makes the
channel's delivery check fail, while the run itself still succeeds (alerts/checks.py)."""

from __future__ import annotations

import json

import pytest
from dagster import DagsterInstance, materialize, serialize_value

from kpi_pipeline import settings
from kpi_pipeline.alerts.assets import friday_alerts, peak_month_alerts
from kpi_pipeline.alerts.checks import CHECKS
from kpi_pipeline.alerts.delivery import AlertDeliveryResource
from kpi_pipeline.alerts.resources import build_alert_resource
from kpi_pipeline.config_files import build_config_files
from kpi_pipeline.warehouse import db
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline_tests.alerts import scenario as S
from kpi_pipeline_tests.alerts.receivers import SmtpSink, WebhookReceiver
from kpi_pipeline_tests.alerts.test_assets import WEEK

URL_TOKEN = "qs-token-5b1e9c77d2"
CHECKS_OF = {
    "friday": [c for c in CHECKS if friday_alerts.key in {k.asset_key for k in c.check_keys}],
    "peak": [c for c in CHECKS if peak_month_alerts.key in {k.asset_key for k in c.check_keys}],
}


@pytest.fixture
def instance(tmp_path):
    with DagsterInstance.local_temp(str(tmp_path)) as inst:
        yield inst


def _materialize(instance, database_url, alerts, asset=friday_alerts, key=WEEK):
    checks = CHECKS_OF["friday" if asset is friday_alerts else "peak"]
    result = materialize(
        [asset, *checks],
        partition_key=key,
        instance=instance,
        resources={
            "warehouse": WarehouseResource(database_url=database_url),
            "alerts": alerts,
            "config_files": build_config_files(),  # KPI_ALERT_RECIPIENTS_FILE, as deployed
        },
    )
    assert result.success  # the alerts never fail the run
    return result


def _table_text(database_url) -> str:
    with db.connect(database_url) as conn:
        rows = conn.execute("SELECT to_jsonb(a)::text FROM kpi.alerts_sent a").fetchall()
    return "\n".join(r[0] for r in rows)


def _event_log_text(instance, run_id) -> str:
    return "\n".join(serialize_value(e) for e in instance.all_logs(run_id))


def _checks(result) -> dict[str, object]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_a_query_string_token_echoed_back_is_masked_everywhere(
    loaded, instance, tmp_path, monkeypatch, capfd, clock
):
    hook = WebhookReceiver(status=403, echo=True).start()
    try:
        monkeypatch.setenv("KPI_ALERT_WEBHOOK_URL", f"{hook.url}?access_token={URL_TOKEN}&v=3")
        monkeypatch.setenv("KPI_ALERT_WEBHOOK_TOKEN", S.TOKEN)
        monkeypatch.setenv("KPI_ALERT_RECIPIENTS_FILE", S.write_recipients(tmp_path / "r.yaml"))
        result = _materialize(instance, loaded, build_alert_resource(backoff_seconds=0.01))
    finally:
        hook.stop()
    # the receiver really got the token, and really echoed it back
    assert hook.requests and all(URL_TOKEN in r.path for r in hook.requests)
    assert all(r.headers["access_token"] == S.TOKEN for r in hook.requests)

    table = _table_text(loaded)
    assert table.count('"status": "failed"') == 3 and "HTTP 403" in table
    assert "access_token=***" in table  # the echo is there, masked
    events = _event_log_text(instance, result.run_id)
    assert "HTTP 403" in events and "webhook_delivered" in events
    out = capfd.readouterr()
    printed = out.out + out.err
    for text in (table, events, printed):
        assert URL_TOKEN not in text and S.TOKEN not in text

    check = _checks(result)["webhook_delivered"]
    assert not check.passed and check.severity.value == "ERROR"
    assert URL_TOKEN not in json.dumps({k: str(v) for k, v in check.metadata.items()})


def test_every_delivery_failing_fails_the_channel_checks_then_a_fixed_receiver_passes(
    loaded, instance, tmp_path, clock, monkeypatch
):
    monkeypatch.setenv(settings.KPI_ALERT_RECIPIENTS_FILE, S.write_recipients(tmp_path / "r.yaml"))
    sink = SmtpSink(fail_with="451 4.3.0 try again later").start()
    hook = WebhookReceiver(status=503).start()
    try:
        delivery = AlertDeliveryResource(
            smtp_host="127.0.0.1",
            smtp_port=str(sink.port),
            from_address="canhbao@example.vn",
            webhook_url=hook.url,
            max_attempts=2,
            backoff_seconds=0.01,
        )
        result = _materialize(instance, loaded, delivery)
        checks = _checks(result)
        assert set(checks) == {"email_delivered", "webhook_delivered"}
        for name, check in checks.items():
            assert not check.passed and check.severity.value == "ERROR", name
            assert check.metadata["failed"].value == 3 and check.metadata["sent"].value == 0
            assert check.description.startswith(f"3 of 3 {name.split('_')[0]} deliveries failed")
        assert checks["webhook_delivered"].metadata["last_error"].value.endswith("HTTP 503")
        assert "451" in checks["email_delivered"].metadata["last_error"].value
        assert len(hook.requests) == 6  # bounded: 3 recipients x 2 attempts

        # the receivers are fixed: the next run retries the failed deliveries, the checks pass
        sink.fail_with, hook.status = None, 200
        again = _checks(_materialize(instance, loaded, delivery))
        assert all(c.passed for c in again.values())
        assert again["webhook_delivered"].metadata["sent"].value == 3
        assert again["email_delivered"].description == "all 3 email deliveries sent"
    finally:
        sink.stop()
        hook.stop()


def test_nothing_to_send_passes_and_says_so(loaded, instance, clock):
    result = _materialize(instance, loaded, AlertDeliveryResource())  # no channel configured
    checks = _checks(result)
    assert all(c.passed for c in checks.values())
    assert checks["email_delivered"].description.startswith("nothing to deliver by email")
    delivery = AlertDeliveryResource()
    peak = _checks(_materialize(instance, loaded, delivery, peak_month_alerts, "2024-05-01"))
    assert set(peak) == {"email_delivered", "webhook_delivered"}
    assert all(c.passed for c in peak.values())
