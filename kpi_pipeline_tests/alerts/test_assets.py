"""The alert assets through a real `dagster.materialize` on a real PostgreSQL database, with
a real SMTP server and webhook receiver on loopback."""

from __future__ import annotations

import json

import pytest
from dagster import AssetKey, DagsterInstance, materialize

from kpi_pipeline import settings
from kpi_pipeline.alerts.assets import ASSETS, friday_alerts, peak_month_alerts
from kpi_pipeline.alerts.delivery import AlertDeliveryResource
from kpi_pipeline.alerts.resources import build_alert_resource
from kpi_pipeline.config_files import build_config_files
from kpi_pipeline.warehouse import db
from kpi_pipeline.warehouse.resource import WarehouseResource
from kpi_pipeline_tests.alerts import scenario as S
from kpi_pipeline_tests.alerts.receivers import SmtpSink, WebhookReceiver
from kpi_pipeline_tests.reports.scenario import SO, C, D, E
from kpi_pipeline_tests.reports.warehouse_rows import at

WEEK = S.WEEK.isoformat()


@pytest.fixture
def sink():
    s = SmtpSink().start()
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def recipients(tmp_path, monkeypatch) -> str:
    """The scenario's recipients, through the variable a deployment sets."""
    path = S.write_recipients(tmp_path / "recipients.yaml")
    monkeypatch.setenv(settings.KPI_ALERT_RECIPIENTS_FILE, path)
    return path


@pytest.fixture
def hook():
    h = WebhookReceiver().start()
    yield h
    h.stop()


@pytest.fixture
def delivery(sink, hook, tmp_path) -> AlertDeliveryResource:
    return AlertDeliveryResource(
        smtp_host="127.0.0.1",
        smtp_port=str(sink.port),
        from_address="canhbao@ubnd.quangnam.example.vn",
        webhook_url=hook.url,
        webhook_token=S.TOKEN,
        backoff_seconds=0.01,
    )


def _run(asset, database_url, alerts, key=WEEK, instance=None):
    result = materialize(
        [asset],
        partition_key=key,
        resources={
            "warehouse": WarehouseResource(database_url=database_url),
            "alerts": alerts,
            "config_files": build_config_files(),  # KPI_ALERT_RECIPIENTS_FILE, as deployed
        },
        instance=instance,
    )
    assert result.success  # never fails the run
    return result, result.get_asset_materialization_events()[-1].materialization.metadata


def _sent(database_url) -> list[tuple]:
    with db.connect(database_url) as conn:
        return conn.execute(
            "SELECT alert_kind, period_start::text, unit_code, channel, recipient, change, status,"
            " attempts, sent_at IS NOT NULL, error FROM kpi.alerts_sent"
            " ORDER BY unit_code, channel, recipient"
        ).fetchall()


def test_assets_are_exported_downstream_of_the_reports():
    assert [a.key for a in ASSETS] == [
        AssetKey(["alerts", "friday_alerts"]),
        AssetKey(["alerts", "peak_month_alerts"]),
    ]
    assert friday_alerts.dependency_keys == {AssetKey(["reports", "friday_report"])}
    assert peak_month_alerts.dependency_keys == {
        AssetKey(["reports", "peak_month_report"]),
        AssetKey(["kpi", "drilldown_procedures_monthly"]),  # the report shows no drill-down
        AssetKey(["kpi", "overdue_dossiers_monthly"]),
    }


def test_friday_alerts_reach_each_unit_once_with_vietnamese_intact(
    loaded, delivery, sink, hook, clock
):
    _, meta = _run(friday_alerts, loaded, delivery)
    assert (meta["red_units"].value, meta["turned_red"].value, meta["stayed_red"].value) == (
        3,
        2,
        1,
    )
    assert (meta["sent"].value, meta["failed"].value) == (6, 0)

    # e-mail: SO its own address; D and its commune E (no own address) to D's
    mails = {(m.rcpt_to[0], m.message["Subject"]): m.message for m in sink.messages}
    assert sorted(mails) == [
        ("namtramy@example.vn", "[Cảnh báo Đỏ] Huyện Nam Trà My – tuần 07/06–13/06/2024"),
        ("namtramy@example.vn", "[Cảnh báo Đỏ] Xã Trà Tập – tuần 07/06–13/06/2024"),
        ("sotuphap@example.vn", "[Cảnh báo Đỏ] Sở Tư pháp – tuần 07/06–13/06/2024"),
    ]
    d_mail = mails[
        ("namtramy@example.vn", "[Cảnh báo Đỏ] Huyện Nam Trà My – tuần 07/06–13/06/2024")
    ]
    body = d_mail.get_content()
    assert "đơn vị chuyển sang xếp loại Đỏ (tuần trước: Xanh)" in body  # green -> red
    assert "- Tỷ lệ giải quyết đúng hạn: 50,0% (5/10 hồ sơ) – Đỏ; mục tiêu ≥ 90%" in body
    assert "1. Đăng ký khai sinh (1.001612.000.00.00.H47): 2/2 hồ sơ trễ hạn" in body
    assert "D-over-1 – Cấp giấy chứng nhận quyền sử dụng đất – hạn trả 23/05/2024" in body
    assert "Báo cáo tuần của Ủy ban nhân dân Tỉnh Quảng Nam" in body
    so_mail = mails[("sotuphap@example.vn", "[Cảnh báo Đỏ] Sở Tư pháp – tuần 07/06–13/06/2024")]
    assert "đơn vị tiếp tục xếp loại Đỏ (tuần trước: Đỏ)" in so_mail.get_content()  # red -> red

    # webhook: SO its own recipient, D and E the default
    posts = sorted(
        (json.dumps(r.body["recipient"]), r.body["message"]["text"].split("\n")[0])
        for r in hook.requests
    )
    assert posts == [
        ('{"user_id": "zalo-so"}', "[Cảnh báo Đỏ] Sở Tư pháp – tuần 07/06–13/06/2024"),
        ('{"user_id": "zalo-vanphong"}', "[Cảnh báo Đỏ] Huyện Nam Trà My – tuần 07/06–13/06/2024"),
        ('{"user_id": "zalo-vanphong"}', "[Cảnh báo Đỏ] Xã Trà Tập – tuần 07/06–13/06/2024"),
    ]
    assert all(r.headers["access_token"] == S.TOKEN for r in hook.requests)

    rows = _sent(loaded)
    assert {(r[2], r[5]) for r in rows} == {
        (SO[0], "stayed_red"),
        (D[0], "turned_red"),
        (E[0], "turned_red"),
    }  # green -> green (C) and red -> green (Z) are not alerted
    assert all(r[6:9] == ("sent", 1, True) and r[9] is None for r in rows)
    assert C[0] not in {r[2] for r in rows}

    # a rerun sends nothing new
    _, again = _run(friday_alerts, loaded, delivery)
    assert (again["sent"].value, again["already_sent"].value) == (0, 6)
    assert len(sink.messages) == 3 and len(hook.requests) == 3
    assert _sent(loaded) == rows


def test_a_failing_receiver_is_retried_recorded_and_does_not_fail_the_run(
    loaded, delivery, sink, hook, clock
):
    hook.status = 500
    instance = DagsterInstance.ephemeral()
    result, meta = _run(friday_alerts, loaded, delivery, instance=instance)
    assert (meta["sent"].value, meta["failed"].value) == (3, 3)
    assert len(hook.requests) == 9  # 3 recipients x 3 attempts
    failed = [r for r in _sent(loaded) if r[3] == "webhook"]
    assert all(r[6] == "failed" and r[7] == 3 and not r[8] for r in failed)
    assert all("HTTP 500" in r[9] for r in failed)
    assert "Gửi không được" in meta["preview"].value
    # no secret anywhere in the run's logs or the table
    logs = " ".join(str(e) for e in instance.all_logs(result.run_id))
    assert "HTTP 500" in logs
    assert S.TOKEN not in logs and S.TOKEN not in json.dumps([list(map(str, r)) for r in failed])

    # the next run retries the failed deliveries only
    hook.status = 200
    _, again = _run(friday_alerts, loaded, delivery)
    assert (again["sent"].value, again["already_sent"].value, again["failed"].value) == (3, 3, 0)
    assert len(sink.messages) == 3 and len(hook.requests) == 12
    webhook = [r for r in _sent(loaded) if r[3] == "webhook"]
    assert all(r[6] == "sent" and r[7] == 4 and r[9] is None for r in webhook)


def test_a_failing_smtp_server_and_a_bad_password_do_not_fail_the_run(
    loaded, sink, hook, tmp_path, clock
):
    sink.fail_with = "451 4.3.0 hộp thư tạm thời không nhận"
    delivery = AlertDeliveryResource(
        smtp_host="127.0.0.1",
        smtp_port=str(sink.port),
        from_address="canhbao@example.vn",
        smtp_user="canhbao",
        smtp_password=S.PASSWORD,
        max_attempts=2,
        backoff_seconds=0.01,
    )
    instance = DagsterInstance.ephemeral()
    result, meta = _run(friday_alerts, loaded, delivery, instance=instance)
    assert (meta["sent"].value, meta["failed"].value) == (0, 3)
    rows = _sent(loaded)
    assert all(r[3] == "email" and r[6] == "failed" and r[7] == 2 for r in rows)
    logs = " ".join(str(e) for e in instance.all_logs(result.run_id))
    assert S.PASSWORD not in logs and all(S.PASSWORD not in (r[9] or "") for r in rows)


def test_periods_not_ended_or_long_past_and_missing_data_send_nothing(
    loaded, delivery, sink, hook, clock
):
    clock(at(2024, 6, 11, 17, 0))  # peak-month daily monitoring, mid-week
    _, meta = _run(friday_alerts, loaded, delivery)
    assert meta["skipped"].value == {WEEK: "not_ended"}
    clock(at(2024, 9, 1, 6, 0))  # a backfill long after
    _, meta = _run(friday_alerts, loaded, delivery)
    assert meta["skipped"].value == {WEEK: "too_old"}
    clock(at(2024, 6, 21, 6, 30))
    _, meta = _run(friday_alerts, loaded, delivery, key="2024-06-14")  # no KPI rows that week
    assert meta["skipped"].value == {"2024-06-14": "error"}
    assert "MissingKpiData" in meta["periods"].value[0]["error"]
    assert not sink.messages and not hook.requests and not _sent(loaded)


def test_without_a_channel_alerts_are_listed_not_sent(loaded, clock):
    _, meta = _run(friday_alerts, loaded, AlertDeliveryResource())
    assert meta["skipped"].value == {WEEK: "not_configured"}
    assert meta["red_units"].value == 3
    assert "Huyện Nam Trà My (000.00.46.H47): chuyển sang xếp loại Đỏ" in meta["preview"].value
    assert not _sent(loaded)


def test_peak_month_alerts_after_a_peak_month_only(loaded, delivery, sink, hook, clock):
    clock(at(2024, 6, 1, 9, 0))
    _, meta = _run(peak_month_alerts, loaded, delivery, key="2024-05-01")
    assert meta["skipped"].value == {"2024-05-01": "not_peak_month"}
    assert not sink.messages
    clock(at(2024, 7, 1, 9, 0))
    _, meta = _run(peak_month_alerts, loaded, delivery, key="2024-06-01")
    assert (meta["sent"].value, meta["stayed_red"].value, meta["turned_red"].value) == (6, 1, 2)
    subjects = sorted(m.message["Subject"] for m in sink.messages)
    assert subjects[0] == "[Cảnh báo Đỏ] Huyện Nam Trà My – tháng cao điểm 6/2024"
    body = next(m for m in sink.messages if "Sở Tư pháp" in m.message["Subject"]).message
    assert "Trong tháng cao điểm 6/2024, đơn vị tiếp tục xếp loại Đỏ (tháng trước: Đỏ)." in (
        body.get_content()
    )
    # the month's drill-down, from the monthly drill-down tables
    d_body = next(m for m in sink.messages if "Nam Trà My" in m.message["Subject"]).message
    assert "1. Đăng ký khai sinh (1.001612.000.00.00.H47): 2/2 hồ sơ trễ hạn" in (
        d_body.get_content()
    )
    assert "D-over-1 – Cấp giấy chứng nhận quyền sử dụng đất – hạn trả 23/05/2024" in (
        d_body.get_content()
    )
    assert {r[0] for r in _sent(loaded)} == {"peak_month"}


def test_resource_from_the_environment(loaded, sink, hook, tmp_path, monkeypatch, clock):
    monkeypatch.setenv("KPI_ALERT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KPI_ALERT_SMTP_PORT", str(sink.port))
    monkeypatch.setenv("KPI_ALERT_FROM", "canhbao@example.vn")
    monkeypatch.setenv("KPI_ALERT_WEBHOOK_URL", hook.url)
    monkeypatch.setenv("KPI_ALERT_WEBHOOK_TOKEN", S.TOKEN)
    monkeypatch.setenv("KPI_ALERT_RECIPIENTS_FILE", S.write_recipients(tmp_path / "r.yaml"))
    _, meta = _run(friday_alerts, loaded, build_alert_resource(backoff_seconds=0.01))
    assert meta["sent"].value == 6
    assert meta["channels"].value["webhook"] == hook.url and meta["channels"].value["webhook_token"]
    assert S.TOKEN not in json.dumps(meta["channels"].value)
    assert len(sink.messages) == 3 and len(hook.requests) == 3


def test_a_misconfigured_resource_is_recorded_not_raised(loaded, tmp_path, clock, monkeypatch):
    delivery = AlertDeliveryResource(
        smtp_host="127.0.0.1", smtp_port="smtp", from_address="canhbao@example.vn"
    )
    _, meta = _run(friday_alerts, loaded, delivery)
    assert meta["skipped"].value == {WEEK: "error"}
    assert "KPI_ALERT_SMTP_PORT" in meta["periods"].value[0]["error"]
    broken = tmp_path / "broken.yaml"
    broken.write_text("units: [not, a, mapping]", encoding="utf-8")
    monkeypatch.setenv(settings.KPI_ALERT_RECIPIENTS_FILE, str(broken))
    delivery = AlertDeliveryResource(webhook_url="http://127.0.0.1:9/")
    _, meta = _run(friday_alerts, loaded, delivery)
    assert "RecipientsError" in meta["periods"].value[0]["error"]
