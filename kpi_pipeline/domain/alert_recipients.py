"""Who receives a unit's alerts, per channel: a YAML file (docs/leaders.md).

```yaml
default:                      # units with no address of their own (nor a parent's)
  email: [vanphong@ubnd.example.vn]
  webhook: [{user_id: "2468013579"}]
units:
  "000.00.46.H47":            # MaDonVi
    email: [vanphong@namtramy.example.vn]
    webhook: ["1357924680"]   # a string is a Zalo OA user_id; a mapping is sent as is
```

A unit without addresses for a channel gets its parent's (a commune: its district's), up its
parents, then `default`'s; a channel with no address anywhere sends nothing for that unit.

The packaged file (`kpi_pipeline/config/alert_recipients.yaml`) lists nobody; point
`KPI_ALERT_RECIPIENTS_FILE` at the deployment's file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator

from kpi_pipeline.domain.config_values import FileModel, read_yaml, validated

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "config" / "alert_recipients.yaml"
CHANNELS = ("email", "webhook")
MAX_PARENTS = 6


class RecipientsError(ValueError):
    """The recipients file is missing, unreadable or invalid."""


@dataclass(frozen=True)
class Recipients:
    units: Mapping[str, Mapping[str, tuple]] = field(default_factory=dict)
    default: Mapping[str, tuple] = field(default_factory=dict)
    source: str = "<memory>"

    def for_unit(self, unit_code: str, channel: str, parents: Mapping[str, str | None]) -> tuple:
        """The unit's addresses on `channel`: its own, else the nearest parent's, else the
        default's. Email addresses are strings; webhook recipients are mappings."""
        code: str | None = unit_code
        for _ in range(MAX_PARENTS):
            if code is None:
                break
            found = self.units.get(code, {}).get(channel, ())
            if found:
                return found
            code = parents.get(code)
        return self.default.get(channel, ())


def recipient_id(channel: str, recipient) -> str:
    """The text that identifies a recipient in `kpi.alerts_sent`."""
    if channel == "email":
        return recipient
    return json.dumps(recipient, sort_keys=True, ensure_ascii=False)


def _email(value: object) -> str:
    if not (isinstance(value, str) and "@" in value and not any(c in value for c in "\r\n,;<>")):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value.strip()


def _webhook(value: object) -> dict:
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return {"user_id": str(value).strip()}
    if isinstance(value, dict) and value:
        return dict(value)
    raise ValueError(f"{value!r} is neither a user id nor a mapping")


def _or_empty(value: object) -> object:
    return {} if value is None else value


def _codes(value: object) -> object:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value


Email = Annotated[str, BeforeValidator(_email)]
Webhook = Annotated[dict, BeforeValidator(_webhook)]


class _Entry(FileModel):
    email: Annotated[tuple[Email, ...], BeforeValidator(lambda v: v or ())] = ()
    webhook: Annotated[tuple[Webhook, ...], BeforeValidator(lambda v: v or ())] = ()


class RecipientsFile(FileModel):
    """The recipients file: `default` and `units`, both optional."""

    default: Annotated[_Entry, BeforeValidator(_or_empty)] = _Entry()
    units: Annotated[dict[str, _Entry], BeforeValidator(_or_empty), BeforeValidator(_codes)] = {}


def load_recipients(path: str | Path | None = None) -> Recipients:
    """The recipients in `path`, else the packaged file (nobody); the `config_files` resource
    passes the deployment's file (`KPI_ALERT_RECIPIENTS_FILE`)."""
    path = Path(path or DEFAULT_FILE)
    raw = read_yaml(path, "alert recipients", RecipientsError)
    return parse_recipients({} if raw is None else raw, source=str(path))


def parse_recipients(raw: object, source: str = "<memory>") -> Recipients:
    f = validated(RecipientsFile, raw, source, RecipientsError)

    def entry(e: _Entry) -> dict[str, tuple]:
        return {"email": e.email, "webhook": e.webhook}

    return Recipients({c: entry(e) for c, e in f.units.items()}, entry(f.default), source)
