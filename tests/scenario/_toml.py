"""A tiny TOML writer for tests (strings, numbers, booleans, dates, arrays, tables).

Tables nest as inline tables and arrays of tables as arrays of inline tables, which is valid
TOML and all the tests need; the package itself only reads TOML.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any


def value(v: Any) -> str:
    """One TOML value."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() else json.dumps(k)


def dumps(data: dict[str, Any]) -> str:
    """A document: one ``key = value`` line per top-level key."""
    return "".join(f"{key(k)} = {value(v)}\n" for k, v in data.items())
