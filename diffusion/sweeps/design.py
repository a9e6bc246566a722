"""Designs: the points of a sweep (grid, Latin hypercube, Sobol-Saltelli).

A :class:`Design` lists, for every point, the value of every swept parameter, and the block
of run indices the point simulates:

* ``grid``: every combination of the ``--param`` values, the first ``--param`` varying
  slowest; ``prod(n_i)`` points.
* ``lhs``: ``--points`` points of a Latin hypercube in the ranges' unit cube (each
  parameter's range cut into ``--points`` equal strata, exactly one point in each), mapped
  onto the ranges (linear or log scale).
* ``sobol``: Saltelli's design for Sobol indices, from a scrambled Sobol sequence of
  ``--points`` = ``N`` base samples (a power of 2), with a *dummy* input added to the ``k``
  parameters: ``N * (k + 3)`` points (rows ``A, AB_1 .. AB_{k+1}, B`` per base sample, as
  :func:`SALib.analyze.sobol.analyze` reads them without second-order indices).
* ``morris``: ``--points`` = ``r`` Morris trajectories (elementary effects) on a grid of
  :data:`MORRIS_LEVELS` levels in the unit cube, with the same dummy input: ``r * (k + 2)``
  points, each trajectory moving one input at a time by ``levels / (2 (levels - 1))``.

Common random numbers
---------------------
Every point is simulated with the sweep's one root seed. In ``grid`` and ``lhs`` designs
every point uses runs ``0 .. R-1``, so points differ by their parameters, not by their noise.
In ``sobol`` and ``morris`` designs the dummy input chooses the block of runs
(``run_block``): the dummy changes nothing in the model but the random numbers, so its
indices measure the Monte Carlo noise of the output, the floor below which a parameter's
index means nothing. Rows that share their dummy value share their runs (``A`` with every
``AB_i`` of a real parameter; the points of a trajectory until the dummy moves), which keeps
the differences the estimators take free of noise where the model allows it.

The designs' own randomness (the LHS permutation, the Sobol scrambling) is drawn from the
root seed too, so a sweep is reproduced by its command.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from diffusion.sweeps.spec import ParamSpec, _error

DesignKind = Literal["grid", "lhs", "sobol", "morris"]
DESIGNS: tuple[DesignKind, ...] = ("grid", "lhs", "sobol", "morris")
#: grid levels of a Morris design (the step is levels / (2 (levels - 1)) = 2/3 of the range)
MORRIS_LEVELS = 4
#: name of the dummy input of a Sobol design
DUMMY = "dummy"
#: spawn key of the design's random stream under the root seed (the simulation uses others)
_DESIGN_KEY = 0x5EED


@dataclass(frozen=True)
class Design:
    """The points of a sweep.

    Attributes
    ----------
    kind : {"grid", "lhs", "sobol", "morris"}
    specs : tuple of ParamSpec
        The swept parameters, ``k`` of them.
    values : tuple of tuple
        ``values[p][i]`` is parameter ``i``'s value at point ``p`` (``points`` x ``k``).
    run_block : int64 array ``(points,)``
        Point ``p`` simulates runs ``run_block[p] * R + (0 .. R-1)`` for ``R`` runs a point.
    unit : float array ``(points, k + 1)`` or None
        Sobol and Morris designs: the points in the unit cube, the dummy last (for the
        analysis).
    n_base : int or None
        Sobol designs: the number of base samples ``N``; Morris designs: of trajectories.
    """

    kind: DesignKind
    specs: tuple[ParamSpec, ...]
    values: tuple[tuple[Any, ...], ...]
    run_block: np.ndarray
    unit: np.ndarray | None = None
    n_base: int | None = None

    @property
    def n_points(self) -> int:
        """Number of points of the design."""
        return len(self.values)

    @property
    def paths(self) -> tuple[str, ...]:
        """The swept parameters' paths, in order."""
        return tuple(s.path for s in self.specs)

    def column(self, i: int) -> list[Any]:
        """Parameter ``i``'s values over the points."""
        return [row[i] for row in self.values]


def make_design(
    kind: str, specs: Sequence[ParamSpec], n_points: int | None = None, seed: int = 0
) -> Design:
    """Build the design ``kind`` of ``specs``.

    Parameters
    ----------
    kind : {"grid", "lhs", "sobol", "morris"}
    specs : sequence of ParamSpec
    n_points : int, optional
        ``lhs``: the number of points; ``sobol``: the number of base samples ``N`` (a power
        of 2); ``morris``: the number of trajectories. Not used by ``grid``.
    seed : int
        Root seed; the design's random stream is derived from it.

    Raises
    ------
    ScenarioError
        One line per problem (a list in a sampling design, a missing or bad ``--points``).
    """
    specs = tuple(specs)
    if kind == "grid":
        return grid(specs)
    if kind not in DESIGNS:
        raise _error(kind, f"unknown design; choose one of {', '.join(DESIGNS)}", "--design")
    if n_points is None:
        raise _error(kind, f"the {kind} design needs --points N", "--design")
    lists = [s for s in specs if s.kind == "list"]
    if lists:
        raise _error(lists[0], f"the {kind} design samples ranges; give a:b, not a list")
    if kind == "lhs":
        return lhs(specs, n_points, seed)
    if kind == "morris":
        return morris(specs, n_points, seed)
    return sobol(specs, n_points, seed)


def design_size(kind: str, specs: Sequence[ParamSpec], n_points: int | None) -> int:
    """Return how many points :func:`make_design` would make, without making them.

    0 where the design cannot be made (a range without a count in a grid, no ``--points``
    for a sampling design): :func:`make_design` then says why.

    Examples
    --------
    >>> from diffusion.sweeps.spec import parse_params
    >>> specs = parse_params(["model.params.p_adopt_per_week=0:0.1:1000", "runs=[2, 3]"])
    >>> design_size("grid", specs, None), design_size("sobol", specs[:1], 64)
    (2000, 256)
    """
    k = len(specs)
    if kind == "grid":
        counts = [len(s.values or ()) if s.kind == "list" else s.count or 0 for s in specs]
        return math.prod(counts)
    per_point = {"lhs": 1, "sobol": k + 3, "morris": k + 2}.get(kind, 0)
    return per_point * max(n_points or 0, 0)


def grid(specs: Sequence[ParamSpec]) -> Design:
    """Every combination of the specs' values; the first spec varies slowest."""
    columns = [s.grid_values() for s in specs]
    values = tuple(itertools.product(*columns))
    return Design("grid", tuple(specs), values, np.zeros(len(values), dtype=np.int64))


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_DESIGN_KEY,)))


def _qmc(cls: Any, d: int, seed: int, **kwargs: Any) -> Any:
    """``cls(d, rng=...)``; SciPy < 1.15 names the argument ``seed``."""
    try:
        return cls(d, rng=_rng(seed), **kwargs)
    except TypeError:
        return cls(d, seed=_rng(seed), **kwargs)


def lhs_unit(n_points: int, d: int, seed: int) -> np.ndarray:
    """Return a Latin hypercube of ``n_points`` in ``[0, 1)^d``, ``(n_points, d)``."""
    from scipy.stats import qmc

    unit: np.ndarray = _qmc(qmc.LatinHypercube, d, seed).random(n_points)
    return unit


def lhs(specs: Sequence[ParamSpec], n_points: int, seed: int) -> Design:
    """Return a Latin hypercube design of ``n_points`` points over the specs' ranges."""
    if n_points < 1:
        raise _error(str(n_points), "give at least 1 point", "--points")
    unit = lhs_unit(n_points, len(specs), seed)
    columns = [s.from_unit(unit[:, i]) for i, s in enumerate(specs)]
    values = tuple(tuple(c[p].item() for c in columns) for p in range(n_points))
    return Design("lhs", tuple(specs), values, np.zeros(n_points, dtype=np.int64))


def saltelli_unit(n_base: int, d: int, seed: int) -> np.ndarray:
    """Saltelli's matrix for first-order and total Sobol indices of ``d`` inputs.

    Parameters
    ----------
    n_base : int
        Base samples ``N``, a power of 2 (the Sobol sequence's balance needs it).
    d : int
        Number of inputs (including any dummy).
    seed : int
        Root seed of the scrambling.

    Returns
    -------
    float array ``(N * (d + 2), d)``
        For each base sample ``j``: ``A_j``, then ``AB_j^i`` (``A_j`` with column ``i`` from
        ``B_j``) for ``i = 1..d``, then ``B_j``; ``A`` and ``B`` are the two halves of a
        scrambled Sobol sequence in ``2d`` dimensions.

    Raises
    ------
    ScenarioError
        When ``n_base`` is not a power of 2.
    """
    if n_base < 2 or n_base & (n_base - 1):
        raise _error(str(n_base), "the sobol design needs a power of 2 (e.g. 64, 128)", "--points")
    from scipy.stats import qmc

    base = _qmc(qmc.Sobol, 2 * d, seed, scramble=True).random(n_base)
    a, b = base[:, :d], base[:, d:]
    out = np.empty((n_base, d + 2, d))
    out[:, 0] = a
    for i in range(d):
        out[:, 1 + i] = a
        out[:, 1 + i, i] = b[:, i]
    out[:, d + 1] = b
    return out.reshape(n_base * (d + 2), d)


def sobol(specs: Sequence[ParamSpec], n_base: int, seed: int) -> Design:
    """Saltelli's design of ``n_base`` base samples over the specs' ranges, plus a dummy."""
    k = len(specs)
    unit = saltelli_unit(n_base, k + 1, seed)
    columns = [s.from_unit(unit[:, i]) for i, s in enumerate(specs)]
    values = tuple(tuple(c[p].item() for c in columns) for p in range(len(unit)))
    return Design("sobol", tuple(specs), values, dummy_blocks(unit[:, k]), unit=unit, n_base=n_base)


def morris_unit(n_traj: int, d: int, seed: int, levels: int = MORRIS_LEVELS) -> np.ndarray:
    """Morris trajectories in ``[0, 1]^d`` on a grid of ``levels`` levels.

    Each trajectory starts at a random grid point and moves every input once, in a random
    order, by ``delta = levels / (2 (levels - 1))`` up or down (staying on the grid), as
    :func:`SALib.analyze.morris.analyze` reads them.

    Returns
    -------
    float array ``(n_traj * (d + 1), d)``
        The ``d + 1`` points of each trajectory, one after another.

    Raises
    ------
    ScenarioError
        For fewer than 2 trajectories (no confidence interval without 2).
    """
    if n_traj < 2:
        raise _error(str(n_traj), "the morris design needs at least 2 trajectories", "--points")
    rng = _rng(seed)
    delta = levels / (2 * (levels - 1))
    low = np.arange(levels // 2) / (levels - 1)  # grid values from which + delta stays <= 1
    out = np.empty((n_traj, d + 1, d))
    for t in range(n_traj):
        up = rng.random(d) < 0.5
        x = rng.choice(low, size=d) + np.where(up, 0.0, delta)
        out[t, 0] = x
        for j, i in enumerate(rng.permutation(d)):
            x = x.copy()
            x[i] += delta if up[i] else -delta
            out[t, j + 1] = x
    out = np.round(out * (levels - 1)) / (levels - 1)  # exactly on the grid: equal dummies
    return out.reshape(n_traj * (d + 1), d)


def morris(specs: Sequence[ParamSpec], n_traj: int, seed: int) -> Design:
    """Return a Morris design of ``n_traj`` trajectories over the specs' ranges, plus a dummy."""
    k = len(specs)
    unit = morris_unit(n_traj, k + 1, seed)
    columns = [s.from_unit(unit[:, i]) for i, s in enumerate(specs)]
    values = tuple(tuple(c[p].item() for c in columns) for p in range(len(unit)))
    return Design(
        "morris", tuple(specs), values, dummy_blocks(unit[:, k]), unit=unit, n_base=n_traj
    )


def dummy_blocks(dummy: np.ndarray) -> np.ndarray:
    """Run blocks from the dummy input ``(points,)``: the rank of its value among its values.

    Points with the same dummy value share a block (and so their random numbers).
    """
    _, block = np.unique(np.asarray(dummy), return_inverse=True)
    return block.reshape(-1).astype(np.int64)
