"""The e-mail and webhook senders against real receivers on loopback, with retries."""

from __future__ import annotations

import pytest

from kpi_pipeline.alerts.delivery import SmtpSender, WebhookSender, deliver
from kpi_pipeline.alerts.model import Message
from kpi_pipeline_tests.alerts.receivers import SmtpSink, WebhookReceiver

MSG = Message(
    "[Cảnh báo Đỏ] Xã Trà Mai – tuần 07/06–13/06/2024",
    "Kính gửi: Xã Trà Mai\n\nĐơn vị tiếp tục xếp loại Đỏ. Tỷ lệ giải quyết đúng hạn: 40,0%",
    "kpi-alert-abc",
)


@pytest.fixture
def sink():
    s = SmtpSink().start()
    yield s
    s.stop()


@pytest.fixture
def hook():
    h = WebhookReceiver().start()
    yield h
    h.stop()


def test_email_arrives_with_vietnamese_intact(sink):
    sender = SmtpSender("127.0.0.1", sink.port, "canhbao@ubnd.example.vn")
    result = deliver(sender, "tramai@example.vn", MSG, backoff_seconds=0.01)
    assert result.ok and result.attempts == 1 and result.error is None
    (got,) = sink.messages
    assert got.rcpt_to == ["tramai@example.vn"] and got.mail_from == "canhbao@ubnd.example.vn"
    mail = got.message
    assert mail["Subject"] == MSG.subject
    assert mail["X-KPI-Alert"] == "kpi-alert-abc"
    assert mail.get_content().rstrip("\n") == MSG.text


def test_smtp_temporary_failure_is_retried_then_reported(sink):
    sink.fail_with = "451 4.3.0 thử lại sau"
    sleeps = []
    sender = SmtpSender("127.0.0.1", sink.port, "canhbao@ubnd.example.vn")
    result = deliver(
        sender, "a@example.vn", MSG, max_attempts=3, backoff_seconds=0.01, sleep=sleeps.append
    )
    assert not result.ok and result.attempts == 3
    assert result.error.startswith("SMTP 451")
    assert sink.connections == 3 and len(sleeps) == 2 and sleeps[1] > sleeps[0]  # back-off
    sink.fail_with = "550 5.1.1 no such user"
    result = deliver(sender, "a@example.vn", MSG, max_attempts=3, sleep=sleeps.append)
    assert not result.ok and result.attempts == 1  # permanent: not retried


def test_smtp_password_never_in_the_error(sink):
    sender = SmtpSender("127.0.0.1", sink.port, "x@example.vn", "user", "pa55-secret")
    result = deliver(sender, "a@example.vn", MSG, max_attempts=2, backoff_seconds=0.01)
    assert not result.ok  # the sink offers no AUTH
    assert "pa55-secret" not in result.error


def test_webhook_posts_the_chat_shape(hook):
    sender = WebhookSender(hook.url, token="tok-123")
    result = deliver(sender, {"user_id": "zalo-1"}, MSG)
    assert result.ok and result.attempts == 1
    (req,) = hook.requests
    assert req.path == "/v3.0/oa/message/cs"
    assert req.body == {
        "recipient": {"user_id": "zalo-1"},
        "message": {"text": f"{MSG.subject}\n\n{MSG.text}"},
    }
    assert req.headers["access_token"] == "tok-123"
    assert req.headers["Idempotency-Key"] == "kpi-alert-abc"
    assert req.headers["Content-Type"].startswith("application/json")


def test_webhook_text_is_cut_to_the_chat_limit(hook):
    long = Message("Tiêu đề", "Đỏ " * 2000, "k")
    sender = WebhookSender(hook.url, max_chars=2000)
    assert deliver(sender, {"user_id": "u"}, long).ok
    text = hook.requests[0].body["message"]["text"]
    assert len(text) == 2000 and text.endswith("…")


@pytest.mark.parametrize(
    "status, body, attempts, error",
    [
        (503, None, 3, "HTTP 503"),  # retried
        (429, None, 3, "HTTP 429"),
        (400, None, 1, "HTTP 400"),  # permanent
        (200, {"error": -216, "message": "Access token is invalid"}, 1, "error -216"),
    ],
)
def test_webhook_failures(hook, status, body, attempts, error):
    hook.status, hook.body = status, body if body is not None else {"error": 1}
    sender = WebhookSender(hook.url + "?access_token=in-url-secret", token="tok-secret")
    result = deliver(sender, {"user_id": "u"}, MSG, max_attempts=3, backoff_seconds=0.01)
    assert not result.ok and result.attempts == attempts and error in result.error
    assert len(hook.requests) == attempts
    assert "secret" not in result.error


def test_unreachable_webhook_is_retried_then_reported():
    sender = WebhookSender("http://127.0.0.1:9/hook", token="tok-xyz", timeout=2)
    result = deliver(sender, {"user_id": "u"}, MSG, max_attempts=2, backoff_seconds=0.01)
    assert not result.ok and result.attempts == 2 and "ConnectionError" in result.error
