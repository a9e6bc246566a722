"""Priors of the calibrated parameters: ``--params path=PRIOR``.

``path`` is a model parameter, ``model.params.<name>``; ``PRIOR`` is one of

``uniform(a, b)``
    uniform on ``[a, b]``;
``loguniform(a, b)``
    ``log x`` uniform on ``[log a, log b]`` (``0 < a < b``), for rates and gains whose order
    of magnitude is unknown;
``normal(m, s)``
    normal with mean ``m`` and standard deviation ``s > 0``, truncated to the parameter's
    allowed range.

Bounds must lie inside the parameter's allowed range (its field metadata ``range``); integer
parameters cannot be calibrated. Errors read as one line, ``--params: <path>: <message>``.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from diffusion.errors import InputError

#: the "file" that problems with ``--params`` are reported against
PARAMS_FILE = "--params"
PREFIX = "model.params."

Kind = Literal["uniform", "loguniform", "normal"]
_PRIOR = re.compile(r"^\s*(?P<kind>[a-z]+)\s*\((?P<args>[^()]*)\)\s*$")
_KINDS: tuple[Kind, ...] = ("uniform", "loguniform", "normal")


@dataclass(frozen=True)
class Prior:
    """The prior of one parameter.

    Attributes
    ----------
    path : str
        ``model.params.<name>``.
    kind : {"uniform", "loguniform", "normal"}
    a, b : float
        ``uniform``/``loguniform``: the bounds; ``normal``: mean and standard deviation.
    low, high : float
        The support: the bounds, or for ``normal`` the parameter's allowed range.
    """

    path: str
    kind: Kind
    a: float
    b: float
    low: float
    high: float

    @property
    def name(self) -> str:
        """The parameter's name without the path's prefix."""
        return self.path.removeprefix(PREFIX)

    def __str__(self) -> str:
        return f"{self.kind}({self.a:g}, {self.b:g})"

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws, float64 ``(n,)``."""
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b, n)
        if self.kind == "loguniform":
            return np.exp(rng.uniform(math.log(self.a), math.log(self.b), n))
        from scipy import stats

        lo, hi = (self.low - self.a) / self.b, (self.high - self.a) / self.b
        return stats.truncnorm.ppf(rng.uniform(0, 1, n), lo, hi, loc=self.a, scale=self.b)

    def scipy(self) -> Any:
        """Return the frozen ``scipy.stats`` distribution (for pyabc and densities)."""
        from scipy import stats

        if self.kind == "uniform":
            return stats.uniform(self.a, self.b - self.a)
        if self.kind == "loguniform":
            return stats.loguniform(self.a, self.b)
        lo, hi = (self.low - self.a) / self.b, (self.high - self.a) / self.b
        return stats.truncnorm(lo, hi, loc=self.a, scale=self.b)

    def pyabc_rv(self) -> Any:
        """Return the same distribution as a ``pyabc.RV``."""
        import pyabc

        if self.kind == "uniform":
            return pyabc.RV("uniform", self.a, self.b - self.a)
        if self.kind == "loguniform":
            return pyabc.RV("loguniform", self.a, self.b)
        lo, hi = (self.low - self.a) / self.b, (self.high - self.a) / self.b
        return pyabc.RV("truncnorm", lo, hi, loc=self.a, scale=self.b)


def parse_prior(text: str, params: Any) -> Prior:
    """Parse ``path=PRIOR`` against the parameter dataclass instance ``params``.

    Raises
    ------
    InputError
        One line naming the path and what is wrong.
    """
    path, sep, spec = text.partition("=")
    path, spec = path.strip(), spec.strip()
    if not sep or not path or not spec:
        raise InputError(
            PARAMS_FILE, text, "write path=PRIOR, e.g. model.params.leader_effect=uniform(0, 1)"
        )
    if not path.startswith(PREFIX):
        raise InputError(
            PARAMS_FILE, path, f"only model parameters can be calibrated: {PREFIX}<name>"
        )
    name = path.removeprefix(PREFIX)
    fields = {f.name: f for f in dataclasses.fields(params)}
    if name not in fields:
        import difflib

        close = difflib.get_close_matches(name, fields, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise InputError(PARAMS_FILE, path, f"the model has no parameter {name!r}{hint}")
    field = fields[name]
    if isinstance(field.default, int) and not isinstance(field.default, bool):
        raise InputError(PARAMS_FILE, path, "an integer parameter cannot be calibrated")
    low, high = field.metadata.get("range", (-math.inf, math.inf))
    m = _PRIOR.match(spec)
    if m is None or m["kind"] not in _KINDS:
        raise InputError(
            PARAMS_FILE,
            path,
            f"{spec!r} is not a prior; write uniform(a, b), loguniform(a, b) or normal(m, s)",
        )
    kind: Kind = m["kind"]  # type: ignore[assignment]
    try:
        args = [float(x) for x in m["args"].split(",")]
    except ValueError:
        args = []
    if len(args) != 2 or not all(math.isfinite(x) for x in args):
        raise InputError(PARAMS_FILE, path, f"{kind} takes two finite numbers, got ({m['args']})")
    a, b = args
    where = f"the parameter's allowed range [{low:g}, {high:g}]"
    if kind == "normal":
        if b <= 0:
            raise InputError(PARAMS_FILE, path, f"normal(m, s) needs s > 0, got {b:g}")
        if not low <= a <= high:
            raise InputError(PARAMS_FILE, path, f"the mean {a:g} is outside {where}")
        return Prior(path, kind, a, b, low, high)
    if not a < b:
        raise InputError(PARAMS_FILE, path, f"{kind}(a, b) needs a < b, got ({a:g}, {b:g})")
    if kind == "loguniform" and a <= 0:
        raise InputError(PARAMS_FILE, path, f"loguniform(a, b) needs a > 0, got {a:g}")
    if a < low or b > high:
        raise InputError(PARAMS_FILE, path, f"[{a:g}, {b:g}] is not inside {where}")
    return Prior(path, kind, a, b, a, b)


def parse_priors(texts: Sequence[str], params: Any) -> tuple[Prior, ...]:
    """Parse every ``--params``; a path given twice is an error."""
    priors = [parse_prior(t, params) for t in texts]
    seen: set[str] = set()
    for p in priors:
        if p.path in seen:
            raise InputError(PARAMS_FILE, p.path, "given twice")
        seen.add(p.path)
    if not priors:
        raise InputError(PARAMS_FILE, "", "give at least one --params path=PRIOR")
    return tuple(priors)


def sample_priors(priors: Sequence[Prior], rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` independent draws of every prior, float64 ``(n, parameters)``."""
    return np.stack([p.sample(rng, n) for p in priors], axis=1)
