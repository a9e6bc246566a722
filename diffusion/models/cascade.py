"""Independent cascade model (Kempe, Kleinberg and Tardos 2003).

"Maximizing the spread of influence through a social network", KDD 2003, section 2
(after Goldenberg, Libai and Muller 2001): when person ``j`` becomes active they get one
chance to activate each inactive neighbour ``i``, succeeding with probability ``p_ij``
independently of everything else; then ``j`` stays active but tries no more.

States: ``inactive``; ``active`` (became active at the last step, tries this step);
``spent`` (active, has had their chances). Seeds and events put people in ``active``.

One step ``t -> t + 1`` (synchronous): an inactive person with active neighbours ``j``
becomes active with probability ``1 - prod_j (1 - p_ij)`` (one uniform draw per person,
purpose ``"activate"``; which neighbour succeeded does not matter); everyone active at ``t``
becomes spent. ``p_ij`` is a global ``p`` on every tie, or the tie weight itself (which must
then lie in [0, 1]). The law of the final active set is that of reachability from the seeds
over "live" directed ties, each live with probability ``p_ij`` (KKT 2003, claim 2.3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from diffusion.compile import CompiledOrg
from diffusion.models._kernels import (
    Transmission,
    check_probability,
    check_seeds,
    influence_matrix,
    seed_mask,
)
from diffusion.models.base import Model, Moves, State
from diffusion.rng import RunRandom

_INACTIVE, _ACTIVE, _SPENT = 0, 1, 2


@dataclass(frozen=True)
class IndependentCascadeParams:
    """Parameters of :class:`IndependentCascade`.

    Attributes
    ----------
    p : float, optional
        Probability that a newly active person activates a given inactive neighbour (one
        chance per tie). None (default): use each tie's weight as its probability.
    initial_active : int or float
        People active at step 0, drawn per run among staff: a count (int) or fraction (float).
    seed_nodes : tuple of int
        Positions active at step 0 in every run.
    tie_kinds : tuple of str, optional
        Tie kinds along which activation travels (default: all, summed).
    """

    p: float | None = None
    initial_active: int | float = 1
    seed_nodes: tuple[int, ...] = ()
    tie_kinds: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.p is not None:
            check_probability("p", self.p)
        object.__setattr__(
            self, "seed_nodes", check_seeds("initial_active", self.initial_active, self.seed_nodes)
        )
        if self.tie_kinds is not None:
            object.__setattr__(self, "tie_kinds", tuple(self.tie_kinds))


@dataclass(frozen=True)
class IndependentCascade(Model):
    """Independent cascade (Kempe, Kleinberg and Tardos 2003); see the module docstring."""

    name: ClassVar[str] = "independent_cascade"
    state_names: ClassVar[tuple[str, ...]] = ("inactive", "active", "spent")
    adopted_states: ClassVar[tuple[str, ...]] = ("active", "spent")
    cohort_state: ClassVar[str] = "active"
    reports_moves: ClassVar[bool] = True
    finished_check_every: ClassVar[int] = 2
    params: IndependentCascadeParams = field(default_factory=IndependentCascadeParams)

    def prepare(self, org: CompiledOrg) -> Transmission:
        """Return what every batch reuses: the influence of the ties."""
        w = influence_matrix(org, self.params.tie_kinds)
        if self.params.p is not None:
            w.data[:] = self.params.p
        elif w.nnz and w.data.max() > 1.0:
            raise ValueError(
                "independent cascade with p=None uses tie weights as probabilities, but the "
                f"largest weight is {w.data.max():.4g} > 1; give p or rescale the weights"
            )
        return Transmission.from_edge_probabilities(w)

    def init(self, org: CompiledOrg, prep: Transmission, rand: RunRandom) -> State:
        """Return the start of every run: its seeds drawn, everyone else inactive."""
        p = self.params
        return State(seed_mask(org, rand, p.initial_active, p.seed_nodes).astype(np.int8))

    def step(
        self, org: CompiledOrg, prep: Transmission, state: State, t: int, rand: RunRandom
    ) -> list[Moves]:
        """Return the moves of step ``t``."""
        code = state.code
        flat = code.reshape(-1)
        trying = code == _ACTIVE
        # only the inactive with a trying neighbour can become active: draws for them only
        cells, bound = prep.at_risk(trying, code == _INACTIVE)
        new = cells[rand.uniform_at("activate", t, code.shape[1], cells) < bound]
        spent = np.flatnonzero(trying)
        flat[spent] = _SPENT
        flat[new] = _ACTIVE
        return [Moves(spent, _ACTIVE, _SPENT), Moves(new, _INACTIVE, _ACTIVE)]

    def is_finished(self, state: State) -> np.ndarray:
        """Return the runs with nobody newly active (no chances left)."""
        return ~(state.code == _ACTIVE).any(axis=1)
