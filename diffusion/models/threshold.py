"""Threshold models: a person adopts once enough of their ties have.

* :class:`FractionalThreshold` (Granovetter 1978, "Threshold models of collective behavior",
  Am. J. Sociol. 83:1420; Watts 2002, "A simple model of global cascades on random networks",
  PNAS 99:5766): person ``i`` becomes active when the weighted fraction of their ties to
  active people reaches their threshold ``theta_i``. Thresholds are one value for all, one
  per person, or drawn per run and person from a normal distribution clipped to [0, 1]
  (Watts's heterogeneous thresholds).
* :class:`AbsoluteThreshold` (Centola and Macy 2007, "Complex contagions and the weakness of
  long ties", Am. J. Sociol. 113:702; bootstrap percolation, Chalupa, Leath and Reich 1979,
  J. Phys. C 12:L31): person ``i`` becomes active when at least ``k_i`` of the people they
  are tied to are active, whatever the tie weights ("complex contagion" for ``k >= 2``).
* :class:`LinearThreshold` (Kempe, Kleinberg and Tardos 2003, "Maximizing the spread of
  influence through a social network", KDD, section 2): ties carry weights ``b_ij`` with
  ``sum_j b_ij <= 1`` (by default the weights normalised per person); person ``i`` becomes
  active when ``sum_{j active} b_ij >= theta_i`` with ``theta_i`` uniform on (0, 1], drawn
  once per run and person.

One step ``t -> t + 1`` (synchronous, deterministic given the thresholds): the neighbour
pressure of every inactive person is computed from the active set at ``t``, and those whose
pressure reaches their threshold become active. Activation is permanent. A threshold of 0
makes a person active at the first step whatever their ties (Granovetter's instigators);
a person without ties and a positive threshold never activates through ties.

When the threshold is reached (the "need")
------------------------------------------
Reaching the threshold exactly counts: 2 active ties of 4 reach a threshold of 0.5, 1 of 5
reaches 0.2, 2 of 6 reach 1/3.

* Ties of equal weight (every unweighted graph): the pressure is the number ``a`` of active
  ties and the need is the integer ``need_i = min {a : fl(a / d_i) >= theta_i}``, ``d_i`` the
  number of ties and ``fl`` rounding to the nearest float64 (IEEE division). Because
  ``fl(j / d)`` and a threshold written as the same fraction (``0.2``, ``1 / 3``, ``j / d``)
  are the same float64, a fraction equal to the threshold on paper always counts as
  reached; one below it counts only within float64 rounding (a relative 1.1e-16) of it.
  With the linear threshold's unnormalised weights the test is ``fl(a * w) >= theta_i``,
  ``w`` the common tie weight.
* Ties of unequal weight: the pressure is the float32 sum of the active ties' weights and
  the need is ``theta_i * W_i * (1 - 1e-6)``, ``W_i`` the total weight of person ``i``'s
  ties (1 with unnormalised linear-threshold weights): the relative slack of 1e-6 absorbs
  the float32 rounding of the sum (about 6e-8 per term), so a weighted fraction equal to
  the threshold on paper counts as reached, and one more than about 1e-6 (relative) below
  it does not.
* :class:`AbsoluteThreshold`: the pressure is the number of active people tied to ``i``
  (a pair tied by several kinds counts once; weights are ignored) and the need is ``k_i``.

Thresholds fixed by the parameters (one value or one per person) are used as float64 and
their needs computed once per organisation; thresholds drawn per run are kept in float32
(``state.extra["theta"]``, ``(runs, nodes)``), the rounding being part of the draw.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from scipy.special import ndtri

from diffusion.compile import CompiledOrg
from diffusion.models._kernels import (
    NeighbourSum,
    check_seeds,
    count_dtype,
    influence_matrix,
    seed_mask,
)
from diffusion.models.base import Model, Moves, State
from diffusion.rng import RunRandom

_INACTIVE, _ACTIVE = 0, 1
#: relative slack of the need with unequal tie weights (float32 sums of the weights)
_WEIGHT_SLACK = 1e-6
_prep_ids = itertools.count(1)


@dataclass(frozen=True, eq=False)
class ThresholdPrep:
    """Neighbour sums and what turns a threshold into the pressure it needs.

    Attributes
    ----------
    sums : NeighbourSum
        Counts (ties of equal weight) or float32 weighted sums over active neighbours.
    total : float64 array ``(nodes,)``
        What the pressure is divided by before it is compared with a threshold: the number
        of ties (fractional thresholds, counts), the total tie weight (fractional, unequal
        weights) or ones (absolute thresholds).
    per_tie : float
        Pressure of one counted tie: 1, or the common tie weight for unnormalised linear
        thresholds.
    fixed_need : array ``(nodes,)`` or None
        The need of every person when the model's thresholds do not vary between runs.
    token : int
        Identifies this prep, so a state knows when its cached per-run needs are stale.
    """

    sums: NeighbourSum
    total: np.ndarray
    per_tie: float = 1.0
    fixed_need: np.ndarray | None = None
    token: int = field(default_factory=lambda: next(_prep_ids))

    def need(self, theta: np.ndarray) -> np.ndarray:
        """Pressure needed for thresholds ``theta`` (``(nodes,)`` or ``(runs, nodes)``).

        Same shape as ``theta``: integer neighbour counts when :attr:`sums` counts, else
        float32 weight; see the module docstring for the rule. A person who can never reach
        their threshold gets a need above any pressure.
        """
        theta = np.asarray(theta, dtype=np.float64)
        isolated = self.total <= 0
        if self.sums.is_count:
            cap = self.sums.max_count + 1
            need = _least_count(theta, self.per_tie, np.where(isolated, 1.0, self.total), cap)
            need = np.where(isolated & (theta > 0), cap, need)
            return need.astype(count_dtype(cap))
        need = theta * self.total * (1.0 - _WEIGHT_SLACK)
        need = np.where(isolated & (theta > 0), np.inf, need)
        return need.astype(np.float32)


def _least_count(theta: np.ndarray, per_tie: float, total: np.ndarray, cap: int) -> np.ndarray:
    """Least ``a`` in ``0..cap`` with ``fl(a * per_tie / total) >= theta`` (``cap`` if none).

    ``theta`` float64 ``(..., nodes)``; ``total`` float64 ``(nodes,)``, positive. The guess
    ``ceil(theta * total / per_tie)`` is off by at most one or two; the loop corrects it
    with the comparison itself, which grows with ``a`` (rounding is monotone).
    """

    def reached(a: np.ndarray) -> np.ndarray:
        return (a * per_tie) / total >= theta

    need = np.clip(np.ceil(theta * total / per_tie), 0, cap)
    while True:
        down = (need > 0) & reached(need - 1)
        need -= down
        up = (need < cap) & ~reached(need)
        need += up
        if not (down.any() or up.any()):
            return need


@dataclass(frozen=True)
class _Threshold(Model):
    """Shared machinery: the state, the step and the bookkeeping of the threshold models.

    Subclasses give the thresholds: :meth:`_fixed_thresholds` (the same in every run) or
    :meth:`_drawn_thresholds` (per run). ``state.extra`` holds ``changed`` (bool
    ``(runs,)``: someone became active at the last step) and, for drawn thresholds, ``theta``
    (float32 ``(runs, nodes)``), ``need`` (the same in pressure units, cached) and
    ``token`` (``(runs,)``, the prep ``need`` was made for).
    """

    state_names: ClassVar[tuple[str, ...]] = ("inactive", "active")
    adopted_states: ClassVar[tuple[str, ...]] = ("active",)
    cohort_state: ClassVar[str] = "active"
    reports_moves: ClassVar[bool] = True
    finished_check_every: ClassVar[int] = 1

    def _sums(self, org: CompiledOrg) -> NeighbourSum:
        return NeighbourSum.from_weights(influence_matrix(org, self.params.tie_kinds))

    def _total(self, sums: NeighbourSum) -> np.ndarray:
        """Ties per person (equal weights) or their total weight: fractional thresholds."""
        if sums.is_count:
            return np.diff(sums.matrix.indptr).astype(np.float64)
        return sums.in_weight

    def _per_tie(self, sums: NeighbourSum) -> float:
        return 1.0

    def _fixed_thresholds(self, org: CompiledOrg) -> np.ndarray | None:
        """Thresholds float64 ``(nodes,)`` shared by every run, or None if drawn per run."""
        return None

    def _drawn_thresholds(self, org: CompiledOrg, rand: RunRandom) -> np.ndarray:
        """Thresholds ``(runs, nodes)`` drawn per run (when :meth:`_fixed_thresholds` is None)."""
        raise NotImplementedError

    def prepare(self, org: CompiledOrg) -> ThresholdPrep:
        sums = self._sums(org)
        prep = ThresholdPrep(sums, self._total(sums), self._per_tie(sums))
        fixed = self._fixed_thresholds(org)
        return prep if fixed is None else dataclasses.replace(prep, fixed_need=prep.need(fixed))

    def init(self, org: CompiledOrg, prep: ThresholdPrep, rand: RunRandom) -> State:
        p = self.params
        active = seed_mask(org, rand, p.initial_active, p.seed_nodes)
        n_runs = rand.n_runs
        extra = {"changed": np.ones(n_runs, dtype=bool)}
        if prep.fixed_need is None:
            theta = self._drawn_thresholds(org, rand).astype(np.float32)
            extra["theta"] = theta
            extra["need"] = prep.need(theta)
            extra["token"] = np.full(n_runs, prep.token, dtype=np.int64)
        return State(active.astype(np.int8), extra)

    def step(
        self, org: CompiledOrg, prep: ThresholdPrep, state: State, t: int, rand: RunRandom
    ) -> list[Moves]:
        code, extra = state.code, state.extra
        if prep.fixed_need is not None:
            need = prep.fixed_need
        else:
            if extra["token"].size and extra["token"][0] != prep.token:
                extra["need"] = prep.need(extra["theta"])
                extra["token"][:] = prep.token
            need = extra["need"]
        new = prep.sums(code) >= need
        new &= code == _INACTIVE
        cells = np.flatnonzero(new)
        changed = np.zeros(code.shape[0], dtype=bool)
        changed[cells // code.shape[1]] = True
        extra["changed"] = changed
        code.reshape(-1)[cells] = _ACTIVE
        return [Moves(cells, _INACTIVE, _ACTIVE)]

    def set_state(self, state: State, mask: np.ndarray, name: str, t: int) -> None:
        super().set_state(state, mask, name, t)
        state.extra["changed"] |= mask.any(axis=1)

    def is_finished(self, state: State) -> np.ndarray:
        """Return the runs where nobody became active at the last step (nobody ever will)."""
        return ~state.extra["changed"]


@dataclass(frozen=True)
class FractionalThresholdParams:
    """Parameters of :class:`FractionalThreshold`.

    Attributes
    ----------
    threshold : float or tuple of float
        Fraction of a person's tie weight that must be active for them to adopt, in [0, 1]:
        one value for everyone or one per node (length ``nodes``). With ``threshold_sd`` > 0
        it is the mean of the per-run draws.
    threshold_sd : float
        Standard deviation of thresholds drawn per run and person from
        ``Normal(threshold, threshold_sd)`` clipped to [0, 1] (0: fixed thresholds).
    initial_active : int or float
        People active at step 0, drawn per run among staff: a count (int) or fraction (float).
    seed_nodes : tuple of int
        Positions active at step 0 in every run.
    tie_kinds : tuple of str, optional
        Tie kinds that exert influence (default: all, summed).
    """

    threshold: float | tuple[float, ...] = 0.5
    threshold_sd: float = 0.0
    initial_active: int | float = 1
    seed_nodes: tuple[int, ...] = ()
    tie_kinds: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        theta = np.asarray(self.threshold, dtype=np.float64)
        if theta.ndim > 1 or np.any(~((theta >= 0) & (theta <= 1))):
            raise ValueError("threshold must be a fraction in [0, 1] or a sequence of them")
        if theta.ndim == 1:
            object.__setattr__(self, "threshold", tuple(float(v) for v in theta))
        if not (np.isfinite(self.threshold_sd) and self.threshold_sd >= 0):
            raise ValueError(f"threshold_sd must be >= 0, got {self.threshold_sd!r}")
        object.__setattr__(
            self, "seed_nodes", check_seeds("initial_active", self.initial_active, self.seed_nodes)
        )
        if self.tie_kinds is not None:
            object.__setattr__(self, "tie_kinds", tuple(self.tie_kinds))


@dataclass(frozen=True)
class FractionalThreshold(_Threshold):
    """Fractional threshold model (Granovetter 1978; Watts 2002); see the module docstring."""

    name: ClassVar[str] = "threshold"
    params: FractionalThresholdParams = field(default_factory=FractionalThresholdParams)

    def _mean(self, org: CompiledOrg) -> np.ndarray:
        return _per_person(self.params.threshold, "threshold", org)

    def _fixed_thresholds(self, org: CompiledOrg) -> np.ndarray | None:
        return None if self.params.threshold_sd > 0 else self._mean(org)

    def _drawn_thresholds(self, org: CompiledOrg, rand: RunRandom) -> np.ndarray:
        u = rand.uniform("threshold", 0, org.n_nodes).astype(np.float64)
        return np.clip(self._mean(org) + self.params.threshold_sd * ndtri(u), 0.0, 1.0)


def _per_person(value: float | tuple[float, ...], name: str, org: CompiledOrg) -> np.ndarray:
    """``value`` as float64 ``(nodes,)``: one value for everyone or one per person."""
    values = np.asarray(value, dtype=np.float64)
    if values.ndim == 1 and values.size != org.n_nodes:
        raise ValueError(f"{name} has {values.size} values for {org.n_nodes} nodes")
    return np.broadcast_to(values, (org.n_nodes,))


@dataclass(frozen=True)
class AbsoluteThresholdParams:
    """Parameters of :class:`AbsoluteThreshold`.

    Attributes
    ----------
    neighbours : int or tuple of int
        Number ``k`` of active people a person must be tied to before they adopt, >= 0: one
        value for everyone or one per node (length ``nodes``). Centola and Macy (2007) call
        ``k >= 2`` a complex contagion; ``k = 1`` spreads like a simple one. A person with
        fewer than ``k`` ties never adopts through them.
    initial_active : int or float
        People active at step 0, drawn per run among staff: a count (int) or fraction (float).
        The default, 5% of staff, gives a complex contagion the clustered seeds it needs to
        start (a single seed never activates anyone when ``k >= 2``).
    seed_nodes : tuple of int
        Positions active at step 0 in every run.
    tie_kinds : tuple of str, optional
        Tie kinds along which people count (default: all; a pair tied by several kinds is
        one neighbour).
    """

    neighbours: int | tuple[int, ...] = 2
    initial_active: int | float = 0.05
    seed_nodes: tuple[int, ...] = ()
    tie_kinds: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        k = self.neighbours
        values = k if isinstance(k, tuple | list) else (k,)
        if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in values):
            raise ValueError(
                f"neighbours must be a whole number >= 0 or a sequence of them, got {k!r}"
            )
        if any(v < 0 for v in values):
            raise ValueError(f"neighbours must be >= 0, got {k!r}")
        if isinstance(k, tuple | list):
            object.__setattr__(self, "neighbours", tuple(int(v) for v in k))
        else:
            object.__setattr__(self, "neighbours", int(k))
        object.__setattr__(
            self, "seed_nodes", check_seeds("initial_active", self.initial_active, self.seed_nodes)
        )
        if self.tie_kinds is not None:
            object.__setattr__(self, "tie_kinds", tuple(self.tie_kinds))


@dataclass(frozen=True)
class AbsoluteThreshold(_Threshold):
    """Absolute ("k neighbours") threshold model (Centola and Macy 2007).

    See the module docstring.

    Person ``i`` becomes active at step ``t + 1`` when at least ``k_i`` of the people tied to
    them are active at ``t``; tie weights are ignored (a tie of any positive weight makes a
    neighbour). On an unweighted graph this is the fractional model with
    ``theta_i = k_i / d_i``, except that people with fewer than ``k_i`` ties never adopt.

    Examples
    --------
    Two adjacent seeds on a ring where everyone has two neighbours on either side: each
    step, the people next to the active block have two active neighbours and join.

    >>> from diffusion import graphs
    >>> from diffusion.engine import simulate
    >>> model = AbsoluteThreshold(AbsoluteThresholdParams(2, initial_active=0, seed_nodes=(0, 1)))
    >>> res = simulate(model, graphs.ring_lattice(10, 4), n_runs=1, n_steps=4, seed=0, groupings=())
    >>> res.total[0, :, AbsoluteThreshold.code("active")].tolist()
    [2, 4, 6, 8, 10]
    """

    name: ClassVar[str] = "absolute_threshold"
    params: AbsoluteThresholdParams = field(default_factory=AbsoluteThresholdParams)

    def _sums(self, org: CompiledOrg) -> NeighbourSum:
        w = influence_matrix(org, self.params.tie_kinds)
        pattern = sp.csr_array((np.ones(w.nnz, dtype=np.float32), w.indices, w.indptr), w.shape)
        return NeighbourSum.from_weights(pattern)

    def _total(self, sums: NeighbourSum) -> np.ndarray:
        return np.ones(sums.matrix.shape[0])

    def _fixed_thresholds(self, org: CompiledOrg) -> np.ndarray | None:
        return _per_person(self.params.neighbours, "neighbours", org)


@dataclass(frozen=True)
class LinearThresholdParams:
    """Parameters of :class:`LinearThreshold`.

    Attributes
    ----------
    normalise : bool
        Divide each person's tie weights by their total, so ``sum_j b_ij = 1`` (default).
        When False the weights are used as they are and must sum to at most 1 per person.
    initial_active : int or float
        People active at step 0, drawn per run among staff: a count (int) or fraction (float).
    seed_nodes : tuple of int
        Positions active at step 0 in every run.
    tie_kinds : tuple of str, optional
        Tie kinds that exert influence (default: all, summed).
    """

    normalise: bool = True
    initial_active: int | float = 1
    seed_nodes: tuple[int, ...] = ()
    tie_kinds: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.normalise, bool):
            raise ValueError(f"normalise must be True or False, got {self.normalise!r}")
        object.__setattr__(
            self, "seed_nodes", check_seeds("initial_active", self.initial_active, self.seed_nodes)
        )
        if self.tie_kinds is not None:
            object.__setattr__(self, "tie_kinds", tuple(self.tie_kinds))


@dataclass(frozen=True)
class LinearThreshold(_Threshold):
    """Linear threshold model (Kempe, Kleinberg and Tardos 2003); see the module docstring.

    Thresholds are ``1 - u`` with ``u`` the uniform draw of purpose ``"threshold"`` at step 0,
    so they lie in (0, 1] and a person with no active tie never activates.
    """

    name: ClassVar[str] = "linear_threshold"
    params: LinearThresholdParams = field(default_factory=LinearThresholdParams)

    def _total(self, sums: NeighbourSum) -> np.ndarray:
        if self.params.normalise:
            return super()._total(sums)
        if sums.in_weight.size and sums.in_weight.max() > 1.0 + 1e-6:
            raise ValueError(
                "linear threshold with normalise=False needs tie weights summing to <= 1 per "
                f"person; the largest sum is {sums.in_weight.max():.4g}"
            )
        return np.ones_like(sums.in_weight)

    def _per_tie(self, sums: NeighbourSum) -> float:
        return 1.0 if self.params.normalise or sums.unit is None else sums.unit

    def _drawn_thresholds(self, org: CompiledOrg, rand: RunRandom) -> np.ndarray:
        return 1.0 - rand.uniform("threshold", 0, org.n_nodes).astype(np.float64)
