"""The data-quality outcome of a run as plain text lines, for people reading a terminal.

`check_lines(evaluations)` takes Dagster's asset check evaluations (what
`ExecuteInProcessResult.get_asset_check_evaluations()` returns) and says, for every failed
check, each failed rule with its count, share of the checked rows, the units it hit and a few
example keys; and for every check that passed with flagged records, the same for those
records. Reads only the metadata `checks.check_result` writes, so it is pure and testable
without a warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

EXAMPLES = 3  # keys printed per rule; the metadata and Data Docs keep up to 20
UNITS = 3  # units printed per rule, most flagged first


def check_lines(evaluations: Iterable, examples: int = EXAMPLES) -> list[str]:
    """Lines for the failed checks (then for flagged records), indented for the CLI."""
    failed, flagged = [], []
    for e in evaluations:
        meta = {k: getattr(v, "value", v) for k, v in (e.metadata or {}).items()}
        name = f"{e.severity.value} {e.asset_key.to_user_string()} {e.check_name}"
        if not e.passed:
            failed.append(f"    {name}: failed")
            rules = meta.get("failed_expectations") or {}
            failed += [f"      {rule_line(r, v, examples)}" for r, v in rules.items()]
            if not rules and e.description:
                failed.append(f"      {e.description}")
        for rule, value in (meta.get("flagged_records") or {}).items():
            flagged.append(f"    {name}: flagged {rule_line(rule, value, examples)}")
    return failed + flagged


def rule_line(rule: str, outcome: Mapping, examples: int = EXAMPLES) -> str:
    """`rule: N records (s% of the checked rows, max m%), units U1 (n), …; e.g. K1, K2, K3`."""
    count = outcome.get("unexpected_count")
    text = f"{rule}: {_count(count)}"
    if outcome.get("share") is not None:
        text += f" ({_percent(outcome['share'])} of the checked rows"
        if outcome.get("max_share") is not None:
            text += f", tolerated {_percent(outcome['max_share'])}"
        text += ")"
    units = list((outcome.get("by_unit") or {}).items())
    if units:
        shown = ", ".join(f"{u} ({n})" for u, n in units[:UNITS])
        more = f" and {len(units) - UNITS} more" if len(units) > UNITS else ""
        text += f" in unit {shown}{more}" if len(units) == 1 else f" in units {shown}{more}"
    keys = list(outcome.get("examples") or [])
    if keys:
        text += "; e.g. " + ", ".join(keys[:examples])
    return text


def _count(count) -> str:
    if count is None:
        return "unexpected"
    return f"{count} record" if count == 1 else f"{count} records"


def _percent(share: float) -> str:
    return f"{share * 100:.2f}".rstrip("0").rstrip(".") + "%"
