"""The merge rules of ``extends`` and ``--set``: how a child's data replaces its parent's.

``extends = "base.toml"`` makes a scenario file a child of another, merged deeply:

* tables merge key by key, the child's value winning;
* arrays and plain values replace the parent's: an ``events`` or ``cohorts`` array in the
  child replaces the parent's whole array, while ``events_add`` and ``cohorts_add`` append
  to it;
* a table's alternatives replace each other: a child naming an organisation source
  (``builtin``, ``spec``, ``roster``, ``graph``) drops the parent's source (and ``ties``); a
  child giving the calendar's ``end`` or ``years`` drops the parent's ``end`` and ``years``;
  a child naming another model drops the parent's ``model.params``.

A ``--set`` override of a table's key follows the same alternatives rule
(:mod:`diffusion.scenario.overrides`). Every function here works on raw TOML data and an
``origins`` map (path parts -> the file that set the value), in place; reading files is
:mod:`diffusion.scenario.load`'s job.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from diffusion.scenario.problems import Problem
from diffusion.scenario.schema import ALTERNATIVES, DEFAULT_MODEL

#: child keys that append to the parent's array instead of replacing it
APPEND_KEYS: dict[str, str] = {"events_add": "events", "cohorts_add": "cohorts"}

#: a value's place in the data: keys of tables and indexes of arrays
Key = tuple[str | int, ...]


def forget(origins: dict[Key, str], prefix: Key) -> None:
    """Drop the origins of ``prefix`` and of everything under it."""
    for key in [k for k in origins if k[: len(prefix)] == prefix]:
        del origins[key]


def merge(
    base: dict[str, Any], child: dict[str, Any], origins: dict[Key, str], file: str, prefix: Key
) -> None:
    """Merge ``child`` (read from ``file``) into ``base`` in place: tables merge, the rest replaces.

    Examples
    --------
    >>> base, origins = {"calendar": {"end": "2030-12-31"}, "runs": 100}, {}
    >>> merge(base, {"calendar": {"years": 2}, "runs": 10}, origins, "child.toml", ())
    >>> base
    {'calendar': {'years': 2}, 'runs': 10}
    >>> origins[("runs",)]
    'child.toml'
    """
    for key, value in child.items():
        path = (*prefix, key)
        old = base.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            if not prefix:
                drop_alternatives(key, old, value, origins)
            merge(old, value, origins, file, path)
            continue
        base[key] = copy.deepcopy(value)
        forget(origins, path)
        origins[path] = file


def drop_alternatives(
    table: str, old: dict[str, Any], new: dict[str, Any], origins: dict[Key, str]
) -> None:
    """Drop the keys of ``old`` (the parent's ``table``) that a key of ``new`` replaces.

    Examples
    --------
    >>> old = {"builtin": "etten-leur", "seed": 3}
    >>> drop_alternatives("organisation", old, {"spec": "org.toml"}, {})
    >>> old
    {'seed': 3}
    """
    dropped: Iterable[str] = ()
    if table in ALTERNATIVES:
        triggers, alternatives = ALTERNATIVES[table]
        if triggers & set(new):
            dropped = alternatives
    elif table == "model" and "name" in new and new["name"] != old.get("name", DEFAULT_MODEL):
        dropped = ("params",)
    for key in dropped:
        old.pop(key, None)
        forget(origins, (table, key))


def append(
    data: dict[str, Any],
    adds: dict[str, Any],
    origins: dict[Key, str],
    file: str,
    aliases: dict[Key, tuple[str, Key]] | None = None,
) -> list[Problem]:
    """Append the arrays of ``adds`` (``events_add``, ``cohorts_add``) to their targets.

    Returns the problems (an ``*_add`` that is not an array of tables, or a target that is
    not an array); the other additions are made. ``aliases``, when given, gets for each
    appended item its place in ``data`` -> ``(file, its place in the file)``, e.g.
    ``("events", 3) -> ("child.toml", ("events_add", 0))``.
    """
    problems = []
    for add_key, value in adds.items():
        target = APPEND_KEYS[add_key]
        if not isinstance(value, list):
            problems.append(Problem(file, add_key, f"write [[{add_key}]] tables", value))
            continue
        base = data.setdefault(target, [])
        if not isinstance(base, list):
            problems.append(Problem(file, target, f"{add_key} needs {target} to be an array", base))
            continue
        for k, item in enumerate(value):
            origins[(target, len(base))] = file
            if aliases is not None:
                aliases[(target, len(base))] = (file, (add_key, k))
            base.append(copy.deepcopy(item))
    return problems
