"""Typed pieces of the YAML configuration files (pydantic models), shared by their loaders.

Each file is a `FileModel` (every key required, no unknown key); `validated` turns pydantic's
failure into the file's own error class with one line per problem, naming the file and the
key (`kpi.yaml: targets.on_time.percent: 'ninety' is not a number`), so a typo never falls
back to a default.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)


class FileModel(BaseModel):
    """A mapping of a configuration file: exactly its keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def integer_in(low: int, high: int):
    """An integer in low..high (a YAML true/false is not an integer here)."""

    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"expected an integer in {low}..{high}, got {value!r}")
        return value

    return Annotated[int, BeforeValidator(check)]


def number_in(low: float, high: float):
    """A float in low..high."""

    def check(value: object) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise ValueError(f"expected a number in {low}..{high}, got {value!r}")
        return float(value)

    return Annotated[float, BeforeValidator(check)]


def exact_decimal(value: object) -> Decimal:
    """An exact decimal from an int, a decimal string or a YAML float (via its shortest text)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"expected a number, got {value!r}")
    try:
        result = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except ArithmeticError:
        raise ValueError(f"{value!r} is not a number") from None
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def one_of(*values: str):
    """A text that is one of `values`."""

    def check(value: object) -> str:
        if value not in values:
            raise ValueError(f"expected one of {values}, got {value!r}")
        return value

    return Annotated[str, BeforeValidator(check)]


def strict_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


Bool = Annotated[bool, BeforeValidator(strict_bool)]


def validated(model: type[M], data: object, source: str, error: type[Exception]) -> M:
    """`data` as `model`, or `error` naming `source` and each key in fault."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = [_describe(e) for e in exc.errors()]
        raise error(f"{source}: " + "; ".join(lines)) from None


def _describe(e: Any) -> str:
    loc = [str(p) for p in e["loc"]]
    where = ".".join(loc) or "top level"
    parent = ".".join(loc[:-1]) or "top level"
    if e["type"] == "missing":
        return f"{parent}: missing key(s) {[loc[-1]]}"
    if e["type"] == "extra_forbidden":
        return f"{parent}: unknown key(s) {[loc[-1]]}"
    if e["type"] in ("model_type", "dict_type"):
        return f"{where}: expected a mapping, got {type(e['input']).__name__}"
    return f"{where}: {e['msg'].removeprefix('Value error, ')}"


def read_yaml(path: Path, what: str, error: type[Exception]) -> object:
    """The parsed document at `path`, or `error` saying why it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc})") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML ({exc})") from exc
