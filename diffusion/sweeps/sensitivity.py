"""Sensitivity indices (SALib) with a dummy input as the noise floor.

Two methods, each from the output at the points of its design:

``sobol``
    First-order indices ``S1`` (the share of the output's variance due to one parameter
    alone) and total indices ``ST`` (its share with all its interactions), from a Saltelli
    design (:func:`diffusion.sweeps.design.sobol`): ``N (k + 3)`` points.
``morris``
    Elementary effects (:func:`diffusion.sweeps.design.morris`): ``mu*``, the mean absolute
    change of the output when one input moves by 2/3 of its range, divided by that 2/3 (so
    in output units per whole range; for ``log:a:b``, per whole range on the log scale), and
    ``sigma``, their spread (non-linearity or interactions): ``r (k + 2)`` points. A cheap
    screening: it ranks the inputs, it does not apportion the variance.

Both come with bootstrap confidence intervals.

Why a dummy
-----------
A simulated output is a mean over a finite number of runs, so it carries Monte Carlo noise,
and noise inflates the indices. The design carries a dummy input that changes nothing but
the random numbers (it picks the block of runs), so its indices estimate what noise alone
gives: a parameter whose index does not clearly exceed the dummy's is indistinguishable from
noise. With fewer than :data:`ADVISED_RUNS` runs per point the floor is high
(``docs/dependencies.md``: dummy ``ST`` 0.029 at 1 run a point, 0.003 at 10).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from diffusion.errors import InputError
from diffusion.sweeps.design import DUMMY, Design
from diffusion.sweeps.spec import ParamSpec

if TYPE_CHECKING:
    from diffusion.sweeps.plan import SweepPlan
    from diffusion.sweeps.runner import Sweep

#: runs per point below which the command warns that noise will swamp small indices
ADVISED_RUNS = 10
#: points of a design when none are given: Sobol base samples, Morris trajectories
DEFAULT_POINTS: dict[str, int] = {"sobol": 64, "morris": 10}


class _NoiseFloor:
    """The dummy input as the noise floor of an index (the last entry of ``headline``)."""

    @property
    def headline(self) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def noise_floor(self) -> float:
        """The dummy's headline index plus its confidence half-width."""
        value, conf = self.headline
        return float(value[-1] + conf[-1])

    @property
    def above_noise(self) -> np.ndarray:
        """Bool ``(k + 1,)``: the headline index's interval lies above the noise floor."""
        value, conf = self.headline
        return (value - conf) > self.noise_floor

    #: the names of the inputs, then ``"dummy"`` (set by each kind of indices)
    names: tuple[str, ...]
    #: the columns of :meth:`rows`, each with the attribute holding its values
    columns: ClassVar[dict[str, str]] = {}

    def rows(self) -> list[dict[str, object]]:
        """Return one row per input (the dummy last).

        Its name, each of :attr:`columns`, and whether it stands above the noise floor.
        """
        return [
            {"parameter": name}
            | {column: float(getattr(self, attr)[i]) for column, attr in self.columns.items()}
            | {"above_noise": bool(self.above_noise[i]) if name != DUMMY else ""}
            for i, name in enumerate(self.names)
        ]

    def to_pandas(self) -> Any:
        """Return the indices as a :class:`pandas.DataFrame`, one row per parameter (dummy last)."""
        import pandas as pd

        return pd.DataFrame(self.rows())


@dataclass(frozen=True)
class SobolIndices(_NoiseFloor):
    """Sobol indices of one output, each array ``(k + 1,)``: the parameters, then the dummy.

    Attributes
    ----------
    names : tuple of str
        Parameter paths, then ``"dummy"``.
    s1, s1_conf : float arrays
        First-order indices and the half-widths of their confidence intervals.
    st, st_conf : float arrays
        Total indices and the half-widths of their confidence intervals.
    n_base : int
        Base samples ``N`` of the design.
    conf_level : float
        Level of the bootstrap confidence intervals.
    """

    names: tuple[str, ...]
    s1: np.ndarray
    s1_conf: np.ndarray
    st: np.ndarray
    st_conf: np.ndarray
    n_base: int
    conf_level: float

    @property
    def headline(self) -> tuple[np.ndarray, np.ndarray]:
        """The total index and its confidence half-width, ``(k + 1,)`` each."""
        return self.st, self.st_conf

    columns: ClassVar[dict[str, str]] = {
        "S1": "s1",
        "S1_conf": "s1_conf",
        "ST": "st",
        "ST_conf": "st_conf",
    }

    def bars(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Return what a bar chart shows: label -> (indices, half-widths), ``(k + 1,)``."""
        return {"first order S1": (self.s1, self.s1_conf), "total ST": (self.st, self.st_conf)}

    #: what the noise floor is, for legends
    floor_label = "dummy ST + interval"


@dataclass(frozen=True)
class MorrisIndices(_NoiseFloor):
    """Morris elementary-effect measures of one output, each array ``(k + 1,)``.

    The arrays hold the parameters, then the dummy.

    Attributes
    ----------
    names : tuple of str
        Parameter paths, then ``"dummy"``.
    mu_star, mu_star_conf : float arrays
        Mean absolute elementary effect (output units per whole range of the input) and the
        half-width of its bootstrap confidence interval.
    mu, sigma : float arrays
        Mean and standard deviation of the elementary effects.
    n_base : int
        Trajectories of the design.
    conf_level : float
        Level of the confidence intervals.
    """

    names: tuple[str, ...]
    mu_star: np.ndarray
    mu_star_conf: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    n_base: int
    conf_level: float

    @property
    def headline(self) -> tuple[np.ndarray, np.ndarray]:
        """``mu*`` and its confidence half-width, ``(k + 1,)`` each."""
        return self.mu_star, self.mu_star_conf

    columns: ClassVar[dict[str, str]] = {
        "mu_star": "mu_star",
        "mu_star_conf": "mu_star_conf",
        "mu": "mu",
        "sigma": "sigma",
    }

    def bars(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Return what a bar chart shows: label -> (values, half-widths), ``(k + 1,)``."""
        return {"mu*": (self.mu_star, self.mu_star_conf)}

    #: what the noise floor is, for legends
    floor_label = "dummy mu* + interval"


Indices = SobolIndices | MorrisIndices


def analyze(
    design: Design,
    y: np.ndarray,
    *,
    seed: int = 0,
    num_resamples: int = 1000,
    conf_level: float = 0.95,
) -> Indices:
    """Sensitivity indices of the output ``y`` ``(points,)`` at the points of a design.

    Parameters
    ----------
    design : Design
        A ``sobol`` design (``N (k + 3)`` points: Sobol indices) or a ``morris`` design
        (``r (k + 2)`` points: elementary effects).
    y : float array ``(points,)``
        The output at each point, e.g. the mean number of adopters at the end.
    seed : int
        Seed of the bootstrap of the confidence intervals.
    num_resamples : int
        Bootstrap resamples.
    conf_level : float
        Level of the confidence intervals.

    Raises
    ------
    InputError
        If the design is neither, ``y`` does not match it, or ``y`` is constant.
    """
    if design.kind not in ("sobol", "morris") or design.unit is None:
        raise InputError(
            "", "--design", f"indices need a sobol or morris design, not {design.kind}"
        )
    names = (*design.paths, DUMMY)
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1 or y.size != design.n_points:
        raise InputError(
            "", "", f"{y.size} outputs do not fit a design of {design.n_points} points"
        )
    if not np.all(np.isfinite(y)):
        raise InputError("", "", "the output is not finite at every point")
    if np.ptp(y) == 0:
        raise InputError("", "", "the output is the same at every point: nothing to apportion")
    d = len(names)
    problem = {"num_vars": d, "names": list(names), "bounds": [[0.0, 1.0]] * d}
    if design.kind == "morris":
        from SALib.analyze import morris as salib_morris

        from diffusion.sweeps.design import MORRIS_LEVELS

        res = salib_morris.analyze(
            problem,
            np.asarray(design.unit, dtype=np.float64),
            y,
            num_resamples=num_resamples,
            conf_level=conf_level,
            num_levels=MORRIS_LEVELS,
            seed=seed,
        )
        return MorrisIndices(
            names=names,
            mu_star=np.asarray(res["mu_star"], dtype=np.float64),
            mu_star_conf=np.asarray(res["mu_star_conf"], dtype=np.float64),
            mu=np.asarray(res["mu"], dtype=np.float64),
            sigma=np.asarray(res["sigma"], dtype=np.float64),
            n_base=y.size // (d + 1),
            conf_level=conf_level,
        )
    from SALib.analyze import sobol as salib_sobol

    res = salib_sobol.analyze(
        problem,
        y,
        calc_second_order=False,
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=seed,
    )
    return SobolIndices(
        names=names,
        s1=np.asarray(res["S1"], dtype=np.float64),
        s1_conf=np.asarray(res["S1_conf"], dtype=np.float64),
        st=np.asarray(res["ST"], dtype=np.float64),
        st_conf=np.asarray(res["ST_conf"], dtype=np.float64),
        n_base=y.size // (d + 2),
        conf_level=conf_level,
    )


def design_indices(
    method: str,
    evaluate: Callable[[np.ndarray, np.ndarray], np.ndarray],
    specs: Sequence[ParamSpec],
    n_base: int,
    *,
    seed: int = 0,
    num_resamples: int = 1000,
    conf_level: float = 0.95,
) -> Indices:
    """Compute the indices of a function at the points of a design with a dummy input.

    Parameters
    ----------
    method : {"sobol", "morris"}
    evaluate : callable ``(x, run_block) -> y``
        ``x`` ``(points, k)`` holds the parameter values (in the specs' units), ``run_block``
        ``(points,)`` the block of random numbers the dummy picks (a deterministic function
        ignores it; a stochastic one seeds its noise with it); returns ``y`` ``(points,)``.
    specs : sequence of ParamSpec
        The ``k`` inputs with their ranges.
    n_base : int
        ``sobol``: base samples ``N`` (a power of 2; ``N (k + 3)`` evaluations);
        ``morris``: trajectories ``r`` (``r (k + 2)`` evaluations).
    seed : int
        Seed of the design and of the bootstrap.

    Examples
    --------
    >>> from diffusion.sweeps.spec import parse_param
    >>> specs = [parse_param(f"x{i}=0:1") for i in (1, 2)]
    >>> f = lambda x, _: x[:, 0] + 0.1 * x[:, 1]
    >>> si = design_indices("sobol", f, specs, 256, num_resamples=10)
    >>> bool(si.st[0] > 0.9 and si.st[1] < 0.05 and abs(si.st[2]) < 1e-12)
    True
    >>> design_indices("morris", f, specs, 4, num_resamples=10).mu_star.round(6).tolist()
    [1.0, 0.1, 0.0]
    """
    from diffusion.sweeps.design import make_design

    design = make_design(method, specs, n_base, seed)
    x = np.array(design.values, dtype=np.float64).reshape(design.n_points, len(specs))
    y = np.asarray(evaluate(x, design.run_block), dtype=np.float64)
    return analyze(design, y, seed=seed, num_resamples=num_resamples, conf_level=conf_level)


# ------------------------------------------------------------------------------ test functions
def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """Return the Ishigami function of ``x`` ``(points, 3)`` in ``[-pi, pi]^3``, ``(points,)``.

    ``sin x1 + a sin^2 x2 + b x3^4 sin x1``, whose Sobol indices are known exactly
    (:func:`ishigami_indices`); SALib and the literature use it as the standard check.
    """
    x = np.asarray(x, dtype=np.float64)
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Return the exact first-order and total Sobol indices ``(3,)`` of :func:`ishigami`."""
    pi = np.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    s1 = np.array([v1, v2, 0.0]) / v
    st = np.array([v1 + v13, v2, v13]) / v
    return s1, st


def linear(x: np.ndarray, coefficients: Sequence[float]) -> np.ndarray:
    """``sum_i c_i x_i`` of ``x`` ``(points, k)``, ``(points,)``.

    Its Morris ``mu*`` for an input on ``[a, b]`` is exactly ``|c_i| (b - a)``, with ``sigma = 0``.
    """
    return np.asarray(x, dtype=np.float64) @ np.asarray(coefficients, dtype=np.float64)


__all__ = [
    "ADVISED_RUNS",
    "Indices",
    "MorrisIndices",
    "SobolIndices",
    "analyze",
    "design_indices",
    "ishigami",
    "ishigami_indices",
    "linear",
]


def output_check(measure: str, group: str) -> Callable[[SweepPlan], None]:
    """Return a check that a sweep's store will hold ``measure`` in ``group``.

    Given to :func:`~diffusion.sweeps.runner.prepare_sweep`, it refuses a plan before any
    point runs.

    Raises
    ------
    InputError
        (the check) For an output or a group the store will not hold.
    """

    def check(plan: SweepPlan) -> None:
        layout = plan.layout
        names = [*layout.reduction.measures, *layout.count_outcomes, *layout.value_outcomes]
        if measure not in names:
            measures = list(layout.reduction.measures)
            raise InputError("", "--measure", f"no output {measure!r}; measures: {measures}")
        if group not in layout.groups:
            raise InputError("", "--group", f"no group {group!r}; groups: {list(layout.groups)}")

    return check


def indices_of(sweep: Sweep, measure: str, at: str = "end", group: str = "all") -> Indices:
    """Compute the indices of an output of a ``sobol`` or ``morris`` sweep.

    The output is ``measure`` in ``group`` at ``at``
    (:func:`~diffusion.sweeps.store.output_values`), the bootstrap seeded with the sweep's
    seed.
    """
    from diffusion.sweeps.store import open_store, output_values

    y = output_values(open_store(sweep.store), measure, at, group)
    return analyze(sweep.plan.design, y, seed=int(sweep.plan.attrs["seed"]))
