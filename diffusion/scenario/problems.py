"""Problems found in a scenario, each one line ``file: dotted.path: message (got value)``.

All problems of a pass are collected and raised together as one :class:`ScenarioError`, so a
user fixes a file in one go. Paths read like the TOML they point into: ``events[2].date``,
``cohorts[0].quotas.department.X``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from diffusion.errors import InputError, excerpt, one_line

#: where a value came from: ``(path parts) -> file``; the longest matching prefix wins
Origins = Mapping[tuple[str | int, ...], str]


@dataclass(frozen=True)
class Problem:
    """One problem: the file, the dotted path in it, the message and the offending value."""

    file: str
    path: str
    message: str
    value: Any = None
    show_value: bool = True

    def __str__(self) -> str:
        got = f" (got {short(self.value)})" if self.show_value else ""
        return one_line(self.file, self.path, f"{self.message}{got}")


class ScenarioError(InputError):
    """One or more problems in a scenario; ``str()`` gives one line per problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("ScenarioError needs at least one problem")
        first = problems[0]
        super().__init__(first.file, first.path, first.message)
        self.problems = tuple(problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @property
    def lines(self) -> list[str]:
        """One line per problem."""
        return [str(p) for p in self.problems]


def short(value: object, limit: int = 60) -> str:
    """``repr`` of ``value`` cut to ``limit`` characters; dates as TOML writes them."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return excerpt(list(value) if isinstance(value, tuple) else value, limit)


def suggest(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the nearest of ``choices``, else a list of them."""
    choices = [str(c) for c in choices]
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    if len(choices) <= 12:
        return f"; valid: {', '.join(choices)}"
    return ""


def dotted(parts: Iterable[str | int]) -> str:
    """``("events", 2, "date")`` -> ``"events[2].date"``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def file_of(parts: Sequence[str | int], origins: Origins, default: str) -> str:
    """The file that set the value at ``parts`` (longest known prefix), else ``default``."""
    for n in range(len(parts), 0, -1):
        hit = origins.get(tuple(parts[:n]))
        if hit is not None:
            return hit
    return default


# ------------------------------------------------------------------------------ pydantic
def from_validation(
    exc: ValidationError, root: type[BaseModel], origins: Origins, default_file: str
) -> list[Problem]:
    """One :class:`Problem` per pydantic error, with paths, suggestions and hints."""
    problems = []
    for err in exc.errors():
        loc, parent = _clean_loc(root, err["loc"])
        message, value, show = err["msg"], err.get("input"), True
        cause = (err.get("ctx") or {}).get("error")
        kind = err["type"]
        if kind == "extra_forbidden":
            message = "unknown key" + suggest(str(loc[-1]), _fields_of(parent))
            value, show = loc[-1], False
        elif kind == "missing":
            message, show = "missing; this key is required", False
        elif kind == "union_tag_invalid":
            tag = (err.get("ctx") or {}).get("tag")
            expected = (err.get("ctx") or {}).get("expected_tags", "")
            choices = [t.strip(" '") for t in str(expected).split(",")]
            loc = (*loc, "kind")
            message, value = "unknown event kind" + suggest(str(tag), choices), tag
        elif kind == "union_tag_not_found":
            loc = (*loc, "kind")
            message, show = "missing; give the event's kind", False
        elif hasattr(cause, "path"):
            loc = (*loc, *_split(cause.path))
            message, value = cause.message, cause.value
        elif kind == "date_type" and isinstance(value, str):
            message += "; write dates unquoted, e.g. 2018-05-01"
        elif kind in ("int_type", "float_type") and isinstance(value, str):
            message += "; write numbers without quotes"
        elif kind == "literal_error":
            expected = (err.get("ctx") or {}).get("expected", "")
            choices = [t.strip(" '") for t in str(expected).replace(" or ", ",").split(",")]
            message = "not a valid choice" + suggest(str(value), [c for c in choices if c])
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        where = file_of(loc, origins, default_file)
        problems.append(Problem(where, dotted(loc), message, value, show))
    return problems


def _split(path: str) -> tuple[str | int, ...]:
    """``"teams[1].name"`` -> ``("teams", 1, "name")``."""
    out: list[str | int] = []
    for piece in path.replace("[", ".[").split("."):
        if piece.startswith("[") and piece.endswith("]"):
            out.append(int(piece[1:-1]))
        elif piece:
            out.append(piece)
    return tuple(out)


def _clean_loc(
    root: type[BaseModel], loc: Sequence[str | int]
) -> tuple[tuple[str | int, ...], Any]:
    """Drop the union tags pydantic puts into a location (``events.0.buddies.date``).

    Returns the clean location and the annotation of the table holding its last part.
    """
    out: list[str | int] = []
    annotation: Any = root
    parent: Any = None
    for part in loc:
        options = _models_in(annotation)
        if isinstance(part, str) and len(options) > 1 and _tag_of(options, part) is not None:
            annotation = _tag_of(options, part)
            continue
        out.append(part)
        parent, annotation = annotation, _child(annotation, part)
    return tuple(out), parent


def _fields_of(annotation: Any) -> list[str]:
    """Valid keys of a table of type ``annotation`` (for suggestions)."""
    models = _models_in(annotation)
    return list(models[0].model_fields) if len(models) == 1 else []


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation may hold (through Annotated, unions, None)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(annotation) for m in _models_in(a)]
    return []


def _tag_of(models: list[type[BaseModel]], tag: str) -> type[BaseModel] | None:
    for model in models:
        field = model.model_fields.get("kind")
        if field is not None and typing.get_args(field.annotation) == (tag,):
            return model
    return None


def _child(annotation: Any, part: str | int) -> Any:
    """The annotation one step down: a field of a model or an item of a tuple or dict."""
    models = _models_in(annotation)
    if len(models) == 1 and isinstance(part, str):
        field = models[0].model_fields.get(part)
        return field.annotation if field is not None else None
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is tuple and args:
        return args[0]
    if typing.get_origin(annotation) is dict and len(args) == 2:
        return args[1]
    return None
