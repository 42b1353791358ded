"""The `alerts` resource from the environment (for `kpi_pipeline/resources.py`).

| variable | meaning |
|---|---|
| `KPI_ALERT_SMTP_HOST`, `KPI_ALERT_SMTP_PORT` | SMTP server (port default 587; 465 = implicit TLS) |
| `KPI_ALERT_SMTP_USER`, `KPI_ALERT_SMTP_PASSWORD` | SMTP login, if the server wants one |
| `KPI_ALERT_FROM` | the sender address; e-mail is on when it and the host are set |
| `KPI_ALERT_WEBHOOK_URL`, `KPI_ALERT_WEBHOOK_TOKEN` | the chat webhook and its access token |

The recipients file (`KPI_ALERT_RECIPIENTS_FILE`) is read through the `config_files` resource.

Values are passed as `EnvVar`s (read when a run starts, never stored in run configuration);
a variable that is not set leaves its field at the default (that channel off). Only whether a
variable is set is looked at here.
"""

import os

from dagster import EnvVar

from kpi_pipeline import settings
from kpi_pipeline.alerts.delivery import AlertDeliveryResource

FIELDS = {
    "smtp_host": settings.KPI_ALERT_SMTP_HOST,
    "smtp_port": settings.KPI_ALERT_SMTP_PORT,
    "smtp_user": settings.KPI_ALERT_SMTP_USER,
    "smtp_password": settings.KPI_ALERT_SMTP_PASSWORD,
    "from_address": settings.KPI_ALERT_FROM,
    "webhook_url": settings.KPI_ALERT_WEBHOOK_URL,
    "webhook_token": settings.KPI_ALERT_WEBHOOK_TOKEN,
}


def build_alert_resource(**overrides) -> AlertDeliveryResource:
    """`AlertDeliveryResource` with every KPI_ALERT_* variable that is set; `overrides` for
    the non-secret tuning fields (attempts, back-off, time-outs)."""
    config: dict = {f: EnvVar(v) for f, v in FIELDS.items() if os.environ.get(v)}
    return AlertDeliveryResource(**config, **overrides)
