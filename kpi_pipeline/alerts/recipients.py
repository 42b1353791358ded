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

import yaml

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


def load_recipients(path: str | Path | None = None) -> Recipients:
    path = Path(path or DEFAULT_FILE)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RecipientsError(f"{path}: cannot read the alert recipients: {exc}") from exc
    return parse_recipients(raw, source=str(path))


def parse_recipients(raw: object, source: str = "<memory>") -> Recipients:
    if not isinstance(raw, dict) or set(raw) - {"default", "units"}:
        raise RecipientsError(f"{source}: expected a mapping with `default` and `units`")
    units = {}
    if not isinstance(raw.get("units") or {}, dict):
        raise RecipientsError(f"{source}: units: expected a mapping of unit codes")
    for code, entry in (raw.get("units") or {}).items():
        units[str(code)] = _entry(entry, f"{source}: units.{code}")
    return Recipients(units, _entry(raw.get("default") or {}, f"{source}: default"), source)


def _entry(entry: object, where: str) -> dict[str, tuple]:
    if not isinstance(entry, dict) or set(entry) - set(CHANNELS):
        raise RecipientsError(f"{where}: expected a mapping with `email` and/or `webhook`")
    out = {}
    emails = entry.get("email") or []
    if not isinstance(emails, list) or not all(
        isinstance(e, str) and "@" in e and not any(c in e for c in "\r\n,;<>") for e in emails
    ):
        raise RecipientsError(f"{where}.email: expected a list of e-mail addresses")
    out["email"] = tuple(e.strip() for e in emails)
    hooks = []
    for h in entry.get("webhook") or []:
        if isinstance(h, str | int) and str(h).strip():
            hooks.append({"user_id": str(h).strip()})
        elif isinstance(h, dict) and h:
            hooks.append(dict(h))
        else:
            raise RecipientsError(f"{where}.webhook: {h!r} is neither a user id nor a mapping")
    out["webhook"] = tuple(hooks)
    return out
