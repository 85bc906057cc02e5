"""Reading TOML configuration at the edge: typed field readers that fail with clear messages.

Every reader takes the table, the key and a ``where`` label (e.g. ``"exercise 'rainbow'"``) so that an error
names the file, the item and the field. Nothing here knows about exercises or thresholds.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


class FeedbackConfigError(ValueError):
    """A catalogue or thresholds file is missing, unreadable or does not match its schema."""


def load_toml(path: Path, what: str) -> dict[str, Any]:
    """Parse a TOML file; raise :class:`FeedbackConfigError` naming ``what`` and ``path`` on failure."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise FeedbackConfigError(f"{what} file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise FeedbackConfigError(f"{what} file {path} is not valid TOML: {exc}") from exc


def check_keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    """Reject unknown keys so that a misspelt field is an error, not a silently ignored line."""
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise FeedbackConfigError(f"{where}: unknown field(s) {unknown}; allowed: {sorted(allowed)}")


def req_table(table: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = table.get(key)
    if not isinstance(value, Mapping):
        raise FeedbackConfigError(f"{where}: field '{key}' must be a table, got {_describe(value)}")
    return value


def req_str(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise FeedbackConfigError(
            f"{where}: field '{key}' must be a non-empty string, got {_describe(value)}"
        )
    return value.strip()


def req_str_list(table: Mapping[str, Any], key: str, where: str, *, min_len: int = 1) -> tuple[str, ...]:
    value = table.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise FeedbackConfigError(
            f"{where}: field '{key}' must be a list of non-empty strings, got {_describe(value)}"
        )
    if len(value) < min_len:
        raise FeedbackConfigError(
            f"{where}: field '{key}' needs at least {min_len} item(s), got {len(value)}"
        )
    return tuple(v.strip() for v in value)


def req_float(table: Mapping[str, Any], key: str, where: str) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FeedbackConfigError(f"{where}: field '{key}' must be a finite number, got {_describe(value)}")
    return float(value)


def req_int(table: Mapping[str, Any], key: str, where: str, *, minimum: int = 0) -> int:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise FeedbackConfigError(f"{where}: field '{key}' must be an integer, got {_describe(value)}")
    if value < minimum:
        raise FeedbackConfigError(f"{where}: field '{key}' must be >= {minimum}, got {value}")
    return value


def opt_int(table: Mapping[str, Any], key: str, where: str, *, minimum: int = 1) -> int | None:
    return None if key not in table else req_int(table, key, where, minimum=minimum)


def opt_float(table: Mapping[str, Any], key: str, where: str) -> float | None:
    return None if key not in table else req_float(table, key, where)


def opt_bool(table: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    if key not in table:
        return default
    value = table[key]
    if not isinstance(value, bool):
        raise FeedbackConfigError(f"{where}: field '{key}' must be true or false, got {_describe(value)}")
    return value


def _describe(value: object) -> str:
    if value is None:
        return "nothing (missing)"
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}"
