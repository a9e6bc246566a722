"""The one strict-model base of the input schemas: organisation specs and scenario files.

Both are trees of frozen pydantic models read from TOML: strict types (no ``"3"`` for
``3``), unknown keys refused, ``nan`` and ``inf`` refused (valid TOML floats, but no field's
value). A validator reports a problem below the model it checks by raising
:class:`PathError`, whose ``path`` :func:`problems_of`, the one formatter of validation
errors, appends to pydantic's location.

Examples
--------
>>> class Team(StrictModel):
...     name: str
...     size: Count = 0
>>> Team(name="T1", size=3)
Team(name='T1', size=3)
>>> Team.model_validate({"name": "T1", "seize": 3})
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for Team
seize
  Extra inputs are not permitted ...
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from diffusion.errors import Problem

#: where a value came from: ``(path parts) -> file``; the longest matching prefix wins
Origins = Mapping[tuple[str | int, ...], str]


class StrictModel(BaseModel):
    """Base of every table of a spec or a scenario: strict, closed, frozen, finite."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)


class PathError(ValueError):
    """Raised inside a validator: a problem at ``path`` below the model being checked.

    Parameters
    ----------
    path : str
        Dotted path below the model (``"teams[2].size"``).
    message : str
        What is wrong and how to fix it.
    value : object
        The offending value.
    """

    def __init__(self, path: str, message: str, value: object) -> None:
        super().__init__(message)
        self.path, self.message, self.value = path, message, value


def as_tuple(value: Any) -> Any:
    """Return a TOML array (a list) as a tuple, for tuple fields; anything else unchanged."""
    return tuple(value) if isinstance(value, list) else value


#: a count of people, seats, ties...: an integer >= 0
Count = Annotated[int, Field(ge=0)]
#: a probability or a level in [0, 1]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


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
    """Return the file that set the value at ``parts`` (longest known prefix), else ``default``."""
    for n in range(len(parts), 0, -1):
        hit = origins.get(tuple(parts[:n]))
        if hit is not None:
            return hit
    return default


# ------------------------------------------------------------------------------ pydantic
def problems_of(
    exc: ValidationError, root: type[BaseModel], origins: Origins, default_file: str
) -> list[Problem]:
    """Turn pydantic's errors into problems, with paths, suggestions and hints.

    One :class:`~diffusion.errors.Problem` per error: the one formatter of validation errors,
    for specs and scenarios alike.

    Parameters
    ----------
    exc : pydantic.ValidationError
        The errors of validating ``root``.
    root : type of BaseModel
        The model validated (its fields give suggestions for unknown keys).
    origins : mapping
        ``path parts -> file`` that set each value (the longest matching prefix applies).
    default_file : str
        The file of a value no origin names.

    Examples
    --------
    >>> class Team(StrictModel):
    ...     name: str
    ...     size: Count = 0
    >>> try:
    ...     Team.model_validate({"name": "T1", "seize": 3, "size": "3"})
    ... except ValidationError as exc:
    ...     for problem in problems_of(exc, Team, {}, "org.toml"):
    ...         print(problem)
    org.toml: size: Input should be a valid integer; write numbers without quotes (got '3')
    org.toml: seize: unknown key; did you mean 'size'?
    """
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
        elif isinstance(cause, PathError):
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
    """Return the valid keys of a table of type ``annotation`` (for suggestions)."""
    models = _models_in(annotation)
    return list(models[0].model_fields) if len(models) == 1 else []


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Return the pydantic models an annotation may hold (through Annotated, unions, None)."""
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
    """Return the annotation one step down: a field of a model or an item of a tuple or dict."""
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
