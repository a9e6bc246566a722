"""What a scenario can say, read from the code that checks it: model parameters and events.

``diffusion params`` and ``diffusion events`` print these tables, so a consultant writing a
scenario sees the names, units, defaults and ranges that validation will apply, without
reading the source. Nothing here is written by hand twice: the ideas model's parameters come
from their field metadata (:mod:`diffusion.models.ideas_params`), the standard models' from
their parameter dataclasses and numpydoc ``Attributes`` sections, and the events from the
scenario schema's pydantic models (:data:`diffusion.scenario.schema.EVENT_KINDS`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import json
import math
import re
import types
import typing
from typing import Any

from pydantic.fields import FieldInfo

__all__ = ["event_rows", "model_names", "parameter_rows"]


def model_names() -> list[str]:
    """Return the names a scenario's ``model.name`` accepts, sorted."""
    from diffusion.models.registry import MODELS

    return sorted(MODELS)


def _numpydoc_attributes(cls: type) -> dict[str, tuple[str, str]]:
    """``name -> (type, meaning)`` from the ``Attributes`` sections of ``cls`` and its bases."""
    out: dict[str, tuple[str, str]] = {}
    for klass in reversed(cls.__mro__):
        doc = inspect.cleandoc(klass.__dict__.get("__doc__") or "")
        match = re.search(r"^Attributes\n-+\n(.*?)(?:\n\S[^\n]*\n-+\n|\Z)", doc, re.S | re.M)
        if not match:
            continue
        name = None
        for line in match.group(1).splitlines():
            head = re.match(r"^(\w+) : (.+)$", line)
            if head:
                name = head.group(1)
                out[name] = (head.group(2).strip(), "")
            elif name and line.strip():
                kind, text = out[name]
                out[name] = (kind, f"{text} {line.strip()}".strip())
    return out


def _show_range(low: float, high: float) -> str:
    return f"[{low:g}, {'inf)' if math.isinf(high) else f'{high:g}]'}"


def parameter_rows(model: str = "ideas") -> list[dict[str, Any]]:
    """One row per parameter of ``model``: name, default, unit, range, mechanism, meaning.

    Parameters
    ----------
    model : str
        A model name (:func:`model_names`).

    Returns
    -------
    list of dict
        Keys ``name``, ``default``, ``unit``, ``range``, ``mechanism``, ``neutral`` (the value
        that switches the mechanism off, ``""`` where none) and ``meaning``. For the standard
        models ``unit`` is the parameter's type and ``range``/``mechanism`` are ``""``: their
        checks are in the meaning.

    Raises
    ------
    ValueError
        For an unknown model, naming the valid ones.

    Examples
    --------
    >>> rows = parameter_rows("sir")
    >>> [r["name"] for r in rows][:2], rows[0]["default"]
    (['beta', 'initial_infected'], 0.1)
    """
    from diffusion.models.registry import MODELS, default_params

    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; valid: {', '.join(model_names())}")
    params = default_params(MODELS[model])
    docs = _numpydoc_attributes(type(params))
    neutral: dict[str, float] = {}
    if model == "ideas":
        from diffusion.models import ideas_params

        neutral = getattr(ideas_params, "NEUTRAL", {})
    rows = []
    for f in dataclasses.fields(params):
        meta = f.metadata
        kind, meaning = docs.get(f.name, ("", ""))
        rows.append(
            {
                "name": f.name,
                "default": getattr(params, f.name),
                "unit": meta.get("unit", kind),
                "range": _show_range(*meta["range"]) if "range" in meta else "",
                "mechanism": meta.get("mechanism", ""),
                "neutral": neutral.get(f.name, ""),
                "meaning": meta.get("doc", meaning),
            }
        )
    return rows


def _metadata(annotation: Any) -> list[Any]:
    """Return the constraint objects inside ``Annotated`` types, also below ``X | None``."""
    out = []
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        for item in extra:
            out += list(getattr(item, "metadata", [])) if isinstance(item, FieldInfo) else [item]
        return out + _metadata(base)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            out += _metadata(arg)
    return out


def _bounds(info: FieldInfo) -> str:
    """Return a field's numeric bounds as text, e.g. ``>= 1`` or ``(0, 10]``."""
    low = high = None
    low_open = high_open = False
    for item in [*info.metadata, *_metadata(info.annotation)]:
        for attr, is_low, is_open in (("ge", 1, 0), ("gt", 1, 1), ("le", 0, 0), ("lt", 0, 1)):
            value = getattr(item, attr, None)
            if value is None:
                continue
            if is_low:
                low, low_open = value, bool(is_open)
            else:
                high, high_open = value, bool(is_open)
    if low is None and high is None:
        return ""
    if high is None:
        return f"{'>' if low_open else '>='} {low:g}"
    if low is None:
        return f"{'<' if high_open else '<='} {high:g}"
    return f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


_PLAIN = {str: "text", int: "integer", float: "number", bool: "true/false", dt.date: "date"}


def _type_name(annotation: Any) -> str:
    """Return a field's type in a scenario writer's words: ``number``, ``list of text``, ..."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        given = [a for a in args if a is not type(None)]
        text = " or ".join(_type_name(a) for a in given)
        return f"{text}, optional" if len(given) < len(args) else text
    if origin is typing.Literal:
        return "one of " + ", ".join(json.dumps(a) for a in args)
    if origin is tuple:
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin is dict:
        return f"table of {_type_name(args[0])} to {_type_name(args[1])}"
    return _PLAIN.get(annotation, getattr(annotation, "__name__", str(annotation)))


def event_rows() -> list[dict[str, Any]]:
    """One row per field of each scenario event kind: kind, field, type, default, meaning.

    Returns
    -------
    list of dict
        Keys ``kind`` (the event's ``kind = "..."``), ``what`` (the event's first sentence,
        on its first row only), ``field``, ``type``, ``required`` (bool), ``default`` and
        ``bounds``.

    Examples
    --------
    >>> rows = event_rows()
    >>> sorted({r["kind"] for r in rows})[:3]
    ['alderman_leaves', 'buddies', 'cohort']
    >>> next(r for r in rows if r["kind"] == "landscape_shock" and r["field"] == "factor")["bounds"]
    '[0, 10]'
    """
    from diffusion.scenario.schema import EVENT_KINDS

    rows = []
    for kind, model in EVENT_KINDS.items():
        doc = " ".join(inspect.cleandoc(model.__doc__ or "").split())
        what = doc.split(". ")[0].rstrip(".") + "." if doc else ""
        first = True
        for name, info in model.model_fields.items():
            if name == "kind":
                continue
            required = info.is_required()
            rows.append(
                {
                    "kind": kind,
                    "what": what if first else "",
                    "field": name,
                    "type": _type_name(info.annotation),
                    "required": required,
                    "default": "" if required else info.get_default(call_default_factory=True),
                    "bounds": _bounds(info),
                }
            )
            first = False
    return rows
