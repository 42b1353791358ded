"""Shape checks for values read from the YAML configuration files, shared by their loaders.

Each loader binds its own error class (`functools.partial(mapping, error=KpiConfigError)`),
so a message names the file's error type and the place in the file (`where`).
"""

from __future__ import annotations


def mapping(
    value: object,
    where: str,
    keys: set[str] | None,
    *,
    error: type[Exception],
    optional: set[str] = frozenset(),
) -> dict:
    """`value` as a mapping with exactly `keys`, plus any of `optional` (any keys when None)."""
    if not isinstance(value, dict):
        raise error(f"{where}: expected a mapping, got {type(value).__name__}")
    if keys is not None:
        missing, unknown = keys - set(value), set(value) - keys - optional
        if missing:
            raise error(f"{where}: missing key(s) {sorted(missing)}")
        if unknown:
            raise error(f"{where}: unknown key(s) {sorted(unknown)}")
    return value


def integer(value: object, where: str, low: int, high: int, *, error: type[Exception]) -> int:
    """`value` as an integer in low..high (a YAML true/false is not an integer here)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise error(f"{where}: expected an integer in {low}..{high}, got {value!r}")
    return value
