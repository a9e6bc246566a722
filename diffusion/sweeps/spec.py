"""``--param PATH=SPEC``: which scenario value a sweep varies, and over what.

``PATH`` is written as for ``--set`` (``model.params.p_adopt_per_week``, ``events[1].support``,
``calendar.end``). ``SPEC`` is one of

``a:b:n``
    ``n`` evenly spaced values from ``a`` to ``b`` (both included);
``log:a:b:n``
    ``n`` values from ``a`` to ``b`` evenly spaced on a log scale (``0 < a, b``);
``[x, y, z]``
    the listed values, each a TOML value (``[0.1, 0.5]``, ``["T8", "T11"]``,
    ``[2018-07-01, 2019-07-01]``).

A grid design takes every value of every ``--param``; the sampling designs (``lhs``,
``sobol``) use ``a`` and ``b`` as bounds (``a:b`` or ``log:a:b``; a count ``:n`` is ignored
and ``--points`` sets the number of points), and cannot sample a list.

A swept value keeps the type of the value it replaces (an integer parameter such as
``model.params.course_weeks`` gets integers: a grid's values must be whole, sampled values are
rounded), so that it is validated exactly as if it had been written in the file.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from diffusion.scenario.overrides import parse_path, parse_value
from diffusion.scenario.problems import Problem, ScenarioError, dotted

#: the "file" that problems with ``--param`` are reported against
PARAM_FILE = "--param"

Kind = Literal["linear", "log", "list"]

_INT = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class ParamSpec:
    """One swept scenario value.

    Attributes
    ----------
    path : str
        Dotted path as for ``--set``, e.g. ``"model.params.p_adopt_per_week"``.
    kind : {"linear", "log", "list"}
        How the values are spread.
    low, high : float or None
        The range's ends (``linear`` and ``log``), in the parameter's own unit.
    count : int or None
        Number of grid values (``a:b:n``); None for a range given as ``a:b``.
    values : tuple or None
        The listed values (``list``).
    integer : bool or None
        The value replaced is an integer (swept values are integers too) or not; None when
        unknown: a grid then gives integers when both ends are written as integers and
        every value is whole, and sampled values are floats.
    text : str
        The ``PATH=SPEC`` as given, for messages and provenance.
    """

    path: str
    kind: Kind
    low: float | None = None
    high: float | None = None
    count: int | None = None
    values: tuple[Any, ...] | None = None
    integer: bool | None = None
    text: str = ""

    @property
    def written_as_integers(self) -> bool:
        """Both ends of the range are written as integers (``10:30:5``)."""
        ends = self.text.partition("=")[2].strip().removeprefix("log:").split(":")[:2]
        return self.kind != "list" and all(_INT.fullmatch(t.strip()) for t in ends)

    @property
    def parts(self) -> tuple[str | int, ...]:
        """The path split as :func:`~diffusion.scenario.overrides.parse_path` does."""
        parts = parse_path(self.path)
        assert parts is not None  # checked by parse_param
        return parts

    def grid_values(self) -> tuple[Any, ...]:
        """Return the values a grid design takes, in order.

        Raises
        ------
        ScenarioError
            For a range without a count, or an integer parameter given non-whole values.
        """
        if self.kind == "list":
            assert self.values is not None
            return self.values
        if self.count is None:
            raise _error(self, "a grid needs the number of values: write a:b:n")
        assert self.low is not None and self.high is not None
        spread = np.geomspace if self.kind == "log" else np.linspace
        values = spread(self.low, self.high, self.count)
        whole = np.allclose(values, np.round(values), rtol=0, atol=1e-9)
        if self.integer and not whole:
            raise _error(self, f"{self.path} takes integers; these values are not whole")
        if self.integer or (self.integer is None and whole and self.written_as_integers):
            return tuple(int(np.rint(v)) for v in values)
        return tuple(float(v) for v in values)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map points ``u`` ``(points,)`` in [0, 1) onto the range (linear or log scale).

        Integer parameters (``integer`` True) are rounded to the nearest whole value.
        """
        assert self.low is not None and self.high is not None
        u = np.asarray(u, dtype=np.float64)
        if self.kind == "log":
            x = self.low * (self.high / self.low) ** u
        else:
            x = self.low + (self.high - self.low) * u
        return np.rint(x).astype(np.int64) if self.integer else x


def _error(spec: ParamSpec | str, message: str, option: str = PARAM_FILE) -> ScenarioError:
    """One problem with an option (``--param`` unless named), as a :class:`ScenarioError`."""
    text = spec.text if isinstance(spec, ParamSpec) else spec
    return ScenarioError([Problem(option, "", message, text)])


def _number(token: str, what: str) -> float:
    token = token.strip()
    try:
        value = float(token)
    except ValueError:
        raise ValueError(f"{what} {token!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite (got {token!r})")
    return value


def parse_param(text: str) -> ParamSpec:
    """Parse one ``PATH=SPEC``.

    Parameters
    ----------
    text : str
        E.g. ``"model.params.p_adopt_per_week=0.005:0.02:4"``.

    Returns
    -------
    ParamSpec

    Raises
    ------
    ScenarioError
        One line ``--param: message (got 'TEXT')`` saying what is wrong and how to write it.

    Examples
    --------
    >>> parse_param("model.params.leader_effect=0:0.8:5").grid_values()
    (0.0, 0.2, 0.4, 0.6000000000000001, 0.8)
    >>> parse_param("calendar.years=[2, 4]").values
    (2, 4)
    """
    name, sep, spec = text.partition("=")
    path = name.strip()
    spec = spec.strip()
    if not sep or not spec or parse_path(path) is None:
        raise _error(text, "write --param path=SPEC, with SPEC a:b:n, log:a:b:n or [x, y]")
    path = dotted(parse_path(path) or ())
    if spec.startswith("["):
        value = parse_value(spec)
        if not isinstance(value, list) or not value:
            raise _error(text, "a list is written [x, y, z] (TOML values, at least one)")
        return ParamSpec(path, "list", values=tuple(value), text=text)
    kind: Kind = "linear"
    if spec.startswith("log:"):
        kind, spec = "log", spec[4:]
    tokens = spec.split(":")
    if len(tokens) not in (2, 3):
        raise _error(text, "write a range as a:b:n, log:a:b:n (or a:b as bounds), or a list [x, y]")
    try:
        low, high = _number(tokens[0], "the start"), _number(tokens[1], "the end")
        count = None
        if len(tokens) == 3:
            if not _INT.fullmatch(tokens[2].strip()) or int(tokens[2]) < 1:
                raise ValueError(f"the count {tokens[2].strip()!r} must be a whole number >= 1")
            count = int(tokens[2])
    except ValueError as exc:
        raise _error(text, str(exc)) from None
    if kind == "log" and (low <= 0 or high <= 0):
        raise _error(text, "a log range needs a > 0 and b > 0")
    if low == high and count != 1:
        raise _error(text, "the range is empty (a == b); use --set for a fixed value")
    return ParamSpec(path, kind, low=low, high=high, count=count, text=text)


def parse_params(texts: Sequence[str]) -> list[ParamSpec]:
    """Parse every ``--param``; report all problems (and repeated paths) at once.

    Raises
    ------
    ScenarioError
        One line per bad ``--param``.
    """
    problems: list[Problem] = []
    specs: list[ParamSpec] = []
    seen: set[str] = set()
    for text in texts:
        try:
            spec = parse_param(text)
        except ScenarioError as exc:
            problems += exc.problems
            continue
        if spec.path in seen:
            problems.append(Problem(PARAM_FILE, spec.path, "swept twice; give it once", text))
        seen.add(spec.path)
        specs.append(spec)
    if not texts:
        problems.append(Problem(PARAM_FILE, "", "give at least one --param path=SPEC", None, False))
    if problems:
        raise ScenarioError(problems)
    return specs


def typed_like(specs: Sequence[ParamSpec], resolved: dict[str, Any]) -> list[ParamSpec]:
    """Give each spec the type of the value it replaces in the scenario ``resolved``.

    ``resolved`` is the scenario as data (:meth:`~diffusion.scenario.LoadedScenario.resolved`);
    model parameters not written there take their default's type. A value the scenario lacks
    keeps the type its spec was written in (integers when both ends are).
    """
    out = []
    for spec in specs:
        current = base_value(resolved, spec.parts)
        if spec.kind == "list" or current is _MISSING:
            out.append(spec)
        else:
            is_int = isinstance(current, int) and not isinstance(current, bool)
            out.append(replace(spec, integer=is_int))
    return out


_MISSING = object()


def base_value(resolved: dict[str, Any], parts: tuple[str | int, ...]) -> Any:
    """Return the value at ``parts`` in the data, a parameter's default, or a sentinel."""
    node: Any = resolved
    for part in parts:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return _param_default(resolved, parts)
    return node


def _param_default(resolved: dict[str, Any], parts: tuple[str | int, ...]) -> Any:
    if len(parts) != 3 or parts[:2] != ("model", "params"):
        return _MISSING
    from diffusion.scenario.build import DEFAULT_MODEL, model_classes, param_fields

    cls = model_classes().get(resolved.get("model", {}).get("name", DEFAULT_MODEL))
    field = param_fields(cls).get(str(parts[2])) if cls is not None else None
    return _MISSING if field is None else field.default


def toml_value(value: Any) -> str:
    """``value`` written as TOML, so that ``path=<this>`` is a valid ``--set`` override.

    Examples
    --------
    >>> [toml_value(v) for v in (0.1, 3, True, "T8", dt.date(2018, 7, 1), [1, "a"])]
    ['0.1', '3', 'true', '"T8"', '2018-07-01', '[1, "a"]']
    """
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return repr(float(value))
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as TOML")
