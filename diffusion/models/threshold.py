"""Threshold models: a person adopts once enough of their ties have.

* :class:`FractionalThreshold` (Granovetter 1978, "Threshold models of collective behavior",
  Am. J. Sociol. 83:1420; Watts 2002, "A simple model of global cascades on random networks",
  PNAS 99:5766): person ``i`` becomes active when the weighted fraction of their ties to
  active people reaches their threshold ``theta_i``. Thresholds are one value for all, one
  per person, or drawn per run and person from a normal distribution clipped to [0, 1]
  (Watts's heterogeneous thresholds).
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

Comparisons allow a relative slack of 1e-9 (counts) or 1e-6 (float32 weights), so that a
fraction equal to the threshold on paper (2 of 4 ties, threshold 0.5) counts as reached.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from scipy.special import ndtri

from diffusion.compile import CompiledOrg
from diffusion.models._kernels import (
    NeighbourSum,
    add_mask,
    check_seeds,
    count_dtype,
    influence_matrix,
    seed_mask,
)
from diffusion.models.base import Model, State
from diffusion.rng import RunRandom

_INACTIVE, _ACTIVE = 0, 1
_prep_ids = itertools.count(1)


@dataclass(frozen=True, eq=False)
class ThresholdPrep:
    """Neighbour sums and the per-person scale a threshold is multiplied by.

    Attributes
    ----------
    sums : NeighbourSum
        Weighted sums over active neighbours.
    scale : float64 array ``(nodes,)``
        Total tie weight per person (fractional thresholds) or ones (absolute thresholds).
    token : int
        Identifies this prep, so a state knows when its cached integer thresholds are stale.
    """

    sums: NeighbourSum
    scale: np.ndarray
    token: int = field(default_factory=lambda: next(_prep_ids))

    def need(self, theta: np.ndarray) -> np.ndarray:
        """Pressure needed ``(runs, nodes)`` for thresholds ``theta`` ``(runs, nodes)``.

        In neighbour counts (int) when the ties are unweighted, else in float32 weight.
        """
        theta = np.asarray(theta, dtype=np.float64)
        isolated = self.scale <= 0
        if self.sums.is_count:
            cap = self.sums.max_count + 1
            need = np.ceil(theta * (self.scale / self.sums.unit) - 1e-9)
            need = np.clip(need, 0, cap)
            need = np.where(isolated & (theta > 0), cap, need)
            return need.astype(count_dtype(cap))
        need = theta * self.scale * (1.0 - 1e-6)
        need = np.where(isolated & (theta > 0), np.inf, need)
        return need.astype(np.float32)


@dataclass(frozen=True)
class _Threshold(Model):
    """Shared machinery: the state, the step and the bookkeeping of both threshold models.

    ``state.extra`` holds ``theta`` (float32 ``(runs, nodes)`` thresholds), ``need`` (the
    same in pressure units, cached), ``token`` (``(runs,)``, the prep ``need`` was made for)
    and ``changed`` (bool ``(runs,)``: someone became active at the last step).
    """

    state_names: ClassVar[tuple[str, ...]] = ("inactive", "active")
    adopted_states: ClassVar[tuple[str, ...]] = ("active",)
    cohort_state: ClassVar[str] = "active"

    def _scale(self, sums: NeighbourSum) -> np.ndarray:
        return sums.in_weight

    def _thresholds(self, org: CompiledOrg, rand: RunRandom) -> np.ndarray:
        raise NotImplementedError

    def prepare(self, org: CompiledOrg) -> ThresholdPrep:
        sums = NeighbourSum.from_weights(influence_matrix(org, self.params.tie_kinds))
        return ThresholdPrep(sums, self._scale(sums))

    def init(self, org: CompiledOrg, prep: ThresholdPrep, rand: RunRandom) -> State:
        p = self.params
        active = seed_mask(org, rand, p.initial_active, p.seed_nodes)
        theta = self._thresholds(org, rand).astype(np.float32)
        n_runs = rand.n_runs
        return State(
            active.astype(np.int8),
            {
                "theta": theta,
                "need": prep.need(theta),
                "token": np.full(n_runs, prep.token, dtype=np.int64),
                "changed": np.ones(n_runs, dtype=bool),
            },
        )

    def step(
        self, org: CompiledOrg, prep: ThresholdPrep, state: State, t: int, rand: RunRandom
    ) -> None:
        code, extra = state.code, state.extra
        if extra["token"].size and extra["token"][0] != prep.token:
            extra["need"] = prep.need(extra["theta"])
            extra["token"][:] = prep.token
        new = prep.sums(code) >= extra["need"]
        new &= code == _INACTIVE
        extra["changed"] = new.any(axis=1)
        add_mask(code, new)

    def set_state(self, state: State, mask: np.ndarray, name: str, t: int) -> None:
        super().set_state(state, mask, name, t)
        state.extra["changed"] |= mask.any(axis=1)

    def is_finished(self, state: State) -> np.ndarray:
        """Runs where nobody became active at the last step (nobody ever will)."""
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

    def _thresholds(self, org: CompiledOrg, rand: RunRandom) -> np.ndarray:
        p = self.params
        theta = np.asarray(p.threshold, dtype=np.float64)
        if theta.ndim == 1 and theta.size != org.n_nodes:
            raise ValueError(f"threshold has {theta.size} values for {org.n_nodes} nodes")
        theta = np.broadcast_to(theta, (rand.n_runs, org.n_nodes))
        if p.threshold_sd > 0:
            u = rand.uniform("threshold", 0, org.n_nodes).astype(np.float64)
            theta = np.clip(theta + p.threshold_sd * ndtri(u), 0.0, 1.0)
        return theta


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

    def _scale(self, sums: NeighbourSum) -> np.ndarray:
        if self.params.normalise:
            return sums.in_weight
        if sums.in_weight.size and sums.in_weight.max() > 1.0 + 1e-6:
            raise ValueError(
                "linear threshold with normalise=False needs tie weights summing to <= 1 per "
                f"person; the largest sum is {sums.in_weight.max():.4g}"
            )
        return np.ones_like(sums.in_weight)

    def _thresholds(self, org: CompiledOrg, rand: RunRandom) -> np.ndarray:
        return 1.0 - rand.uniform("threshold", 0, org.n_nodes).astype(np.float64)
