"""``--set path=value`` overrides of a scenario's raw data, applied before validation.

``path`` is written like the paths in error messages (``model.params.p_adopt_per_week``,
``events[2].support``, ``calendar.end``); ``value`` is a TOML value (``0.3``, ``2030-12-31``,
``"T8"``, ``["O", "B"]``, ``{O = 2}``); a bare word that is not TOML is taken as a string.
Overridden values are validated like the file's own, and problems are reported against the
file ``--set``.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Iterable
from typing import Any

from diffusion.scenario.merge import drop_alternatives
from diffusion.scenario.problems import Problem, dotted

#: the "file" that problems in overrides are reported against
SET_FILE = "--set"

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_INDEX = re.compile(r"\[(\d+)\]")


def parse_path(text: str) -> tuple[str | int, ...] | None:
    """``"events[2].support"`` -> ``("events", 2, "support")``; None if malformed."""
    parts: list[str | int] = []
    pos = 0
    while pos < len(text):
        if parts and text[pos] == "[":
            match = _INDEX.match(text, pos)
            if match is None:
                return None
            parts.append(int(match.group(1)))
        else:
            if parts:
                if text[pos] != ".":
                    return None
                pos += 1
            match = _NAME.match(text, pos)
            if match is None:
                return None
            parts.append(match.group(0))
        pos = match.end()
    return tuple(parts) if parts else None


def parse_value(text: str) -> Any:
    """Return a TOML value, or the text itself when it is not one (a bare word)."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text.strip()


class Override(str):
    """An override ``path=value`` that diffusion makes from another option or rule.

    It reads as the plain string (every function taking ``--set`` overrides takes it), and
    a problem with it names ``origin`` (e.g. ``--until``) instead of ``--set``, which the
    user did not give.

    Examples
    --------
    >>> until = Override("calendar.end=2020-12-31", "--until")
    >>> until, origin_of(until), origin_of("runs=5")
    ('calendar.end=2020-12-31', '--until', '--set')
    """

    origin: str

    def __new__(cls, text: str, origin: str) -> Override:
        """Make the override ``text`` of ``origin``."""
        made = super().__new__(cls, text)
        made.origin = origin
        return made

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        """Pickle and copy it with its origin (Dask sends scenarios to its workers)."""
        return str(self), self.origin


def origin_of(text: str) -> str:
    """Where an override comes from: its :class:`Override` origin, else ``--set``."""
    return getattr(text, "origin", SET_FILE)


class _Overridden(str):
    """The origin of a value an override set (``--set`` or an :class:`Override`'s)."""


def set_by_override(origin: str | None) -> bool:
    """Whether a value of this origin was set by an override, not read from a file."""
    return origin == SET_FILE or isinstance(origin, _Overridden)


def parse_override(text: str) -> tuple[tuple[str | int, ...], Any] | Problem:
    """``"a.b=1"`` -> ``(("a", "b"), 1)``, or a :class:`Problem` saying what is wrong."""
    name, sep, raw = text.partition("=")
    path = parse_path(name.strip())
    if not sep or path is None:
        return Problem(origin_of(text), "", "write --set path=value, e.g. runs=200", text)
    return path, parse_value(raw.strip())


def apply_overrides(
    data: dict[str, Any],
    origins: dict[tuple[str | int, ...], str],
    overrides: Iterable[str],
) -> list[Problem]:
    """Set every override into ``data`` (in place) and note ``--set`` as its origin.

    Returns the problems with the overrides themselves (malformed, or a path through a value
    that is not a table or an index past the end of an array); their values are checked later
    with the rest of the scenario.
    """
    problems = []
    for text in overrides:
        parsed = parse_override(text)
        if isinstance(parsed, Problem):
            problems.append(parsed)
            continue
        path, value = parsed
        if len(path) == 2 and isinstance(data.get(path[0]), dict):
            drop_alternatives(str(path[0]), data[path[0]], {path[1]: value}, origins)
        problem = _set(data, path, value)
        if problem is not None:
            problems.append(dataclasses.replace(problem, file=origin_of(text)))
            continue
        for key in [k for k in origins if k[: len(path)] == path]:
            del origins[key]
        origins[path] = _Overridden(origin_of(text))
    return problems


def _set(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> Problem | None:
    node: Any = data
    for depth, part in enumerate(path[:-1]):
        nxt = path[depth + 1]
        where = dotted(path[: depth + 1])
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                size = len(node) if isinstance(node, list) else 0
                return Problem(SET_FILE, where, f"no such item (the array has {size})", part)
            node = node[part]
        else:
            if not isinstance(node, dict):
                return Problem(SET_FILE, where, "not a table", node)
            if part not in node:
                node[part] = [] if isinstance(nxt, int) else {}
            node = node[part]
    last = path[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last >= len(node):
            size = len(node) if isinstance(node, list) else 0
            return Problem(SET_FILE, dotted(path), f"no such item (the array has {size})", last)
        node[last] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        return Problem(SET_FILE, dotted(path[:-1]), "not a table", node)
    return None
