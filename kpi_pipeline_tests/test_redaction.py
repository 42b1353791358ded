"""The one redactor (kpi_pipeline/redaction.py): what it masks, and what it leaves readable."""

from __future__ import annotations

import logging

import pytest

from kpi_pipeline.redaction import RedactingFilter, redact, url_secrets

CASES = [
    ("postgresql://kpi:s3cret@db:5432/kpi", "postgresql://kpi:***@db:5432/kpi"),
    ("postgresql+psycopg2://kpi:p%40ss@db/kpi", "postgresql+psycopg2://kpi:***@db/kpi"),
    ("https://tok3n4711@hooks.example/x", "https://***@hooks.example/x"),
    ('HTTP 403 {"message": "rejected /hook?access_token=abc123&v=3"}', "access_token=***&v=3"),
    ("GET /api?token=t0k&page=2&size=500&ma_tinh=49", "token=***&page=2&size=500&ma_tinh=49"),
    ("grant_type=client_credentials&client_secret=shh", "client_secret=***"),
    ("?key=k1&api_key=k2&apikey=k3&signature=s&sig=s2", "?key=***&api_key=***&apikey=***"),
    ("?password=pw&pwd=pw2&X-Amz-Credential=c", "?password=***&pwd=***&X-Amz-Credential=***"),
    ("Authorization: Bearer eyJ.abc.def", "Authorization: ***"),
    ("X-Gateway-Token: 0a1b2c\nnext", "X-Gateway-Token: ***\nnext"),
    (
        "{'Authorization': 'Basic dXNlcjpwdw==', 'X-Api-Key': 'k'}",
        "{'Authorization': '***', 'X-Api-Key': '***'}",
    ),
    (
        '{"access_token": "tok-999", "expires_in": 3600}',
        '{"access_token": "***", "expires_in": 3600}',
    ),
    ("retrying with Bearer abc.def", "retrying with Bearer ***"),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[1][:30] for c in CASES])
def test_secrets_are_masked(text, expected):
    assert expected in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://kpi@db:5432/kpi",
        "provincial portal: https://portal.example/api/dossiers page 3 failed with status 500",
        "status 401: 'no access_token in response'; check PROVINCIAL_PORTAL_CLIENT_SECRET",
        "SMTP authentication refused (535)",
        "see https://portal.example/a?from=2024-06-07&to=2024-06-14 or mail a@b.example",
        "postgresql+psycopg2://u@h/db?options=-csearch_path%3Ddagster&sslmode=require",
        "monkey=banana design=ok page=2",
    ],
)
def test_ordinary_text_is_left_readable(text):
    assert redact(text) == text


def test_known_secrets_are_masked_under_any_name_and_url_encoded():
    url = "https://hooks.example/v3?t=ab/cd+ef&v=3"
    secrets = url_secrets(url)
    assert secrets == ["ab/cd ef"]  # the query value, decoded; "3" is too short to mask
    echoed = "rejected /v3?t=ab%2Fcd%20ef&v=3 (raw: ab/cd ef)"
    assert redact(echoed, secrets) == "rejected /v3?t=***&v=3 (raw: ***)"
    assert url_secrets("postgresql://kpi:pw12@db/kpi") == ["pw12"]
    assert url_secrets(None) == [] and url_secrets("http://[broken") == []


def test_logging_filter_redacts_formatted_records(caplog):
    log = logging.getLogger("kpi_pipeline_tests.redaction")
    log.addFilter(RedactingFilter(["s3cret-known"]))
    with caplog.at_level(logging.INFO, logger=log.name):
        log.info("GET %s failed: %s", "https://h/x?access_token=tok42", "echo s3cret-known")
    assert caplog.messages == ["GET https://h/x?access_token=*** failed: echo ***"]


def test_portal_errors_and_retry_logs_mask_a_password_in_the_portal_url(caplog):
    """A real client against a closed loopback port: the failure message and every retry log
    line name the URL, never its password."""
    from kpi_pipeline.ingestion.client import PortalClient, PortalError, RetryPolicy

    client = PortalClient(
        "provincial",
        "http://kpi:url-pass-9931@127.0.0.1:1/p",
        "id",
        "client-secret-4410",
        connect_timeout=0.5,
        retry=RetryPolicy(max_total_seconds=0.6, base_delay=0.05, max_delay=0.1),
    )
    logger = "kpi_pipeline.ingestion.client"
    with caplog.at_level(logging.WARNING, logger=logger), pytest.raises(PortalError) as info:
        client.get_token()
    client.close()
    message = str(info.value)
    assert "127.0.0.1:1/p/oauth/token" in message and "kpi:***@" in message
    assert caplog.messages, "the retries were logged"
    for text in [message, *caplog.messages]:
        assert "url-pass-9931" not in text and "client-secret-4410" not in text
