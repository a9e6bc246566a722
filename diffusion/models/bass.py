"""Bass diffusion model (Bass 1969), in discrete time on a population.

Bass, F. M. (1969), "A new product growth for model consumer durables", Management Science
15(5):215-227: the hazard of adoption of a non-adopter is ``p + q F`` with ``p`` the
coefficient of innovation, ``q`` that of imitation and ``F`` the adopted share.

One step ``t -> t + 1`` (synchronous, one uniform draw per person, purpose ``"adopt"``): a
non-adopter ``i`` adopts with probability ``min(1, p + q F_i)``, where ``F_i`` is the weighted
share of ``i``'s ties that have adopted (``mixing="network"``) or the adopted share of the
whole population (``mixing="global"``, the original well-mixed model, ties ignored).
Adoption is permanent.

With global mixing the expected adopted share follows, for large populations, the discrete
recursion ``F_{t+1} = F_t + (1 - F_t)(p + q F_t)``, whose continuous-time limit is
``F(t) = (1 - exp(-(p + q) t)) / (1 + (q / p) exp(-(p + q) t))``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

import numpy as np

from diffusion.compile import CompiledOrg
from diffusion.models._kernels import (
    NeighbourSum,
    check_probability,
    check_seeds,
    influence_matrix,
    seed_mask,
)
from diffusion.models.base import Model, Moves, State
from diffusion.rng import RunRandom, unit_bound

_POTENTIAL, _ADOPTED = 0, 1


@dataclass(frozen=True)
class BassParams:
    """Parameters of :class:`Bass`.

    Attributes
    ----------
    p : float
        Coefficient of innovation: probability per step of adopting with no adopters around.
    q : float
        Coefficient of imitation: extra probability per step when every tie (or everyone,
        under global mixing) has adopted.
    mixing : {"network", "global"}
        Whose adoption counts: the person's ties (weighted) or the whole population.
    initial_adopters : int or float
        People adopted at step 0, drawn per run among staff: a count (int) or fraction (float).
    seed_nodes : tuple of int
        Positions adopted at step 0 in every run.
    tie_kinds : tuple of str, optional
        Tie kinds that carry imitation under network mixing (default: all, summed).
    """

    p: float = 0.01
    q: float = 0.3
    mixing: Literal["network", "global"] = "network"
    initial_adopters: int | float = 0
    seed_nodes: tuple[int, ...] = ()
    tie_kinds: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        check_probability("p", self.p)
        check_probability("q", self.q)
        if self.mixing not in ("network", "global"):
            raise ValueError(f"mixing must be 'network' or 'global', got {self.mixing!r}")
        object.__setattr__(
            self,
            "seed_nodes",
            check_seeds("initial_adopters", self.initial_adopters, self.seed_nodes),
        )
        if self.tie_kinds is not None:
            object.__setattr__(self, "tie_kinds", tuple(self.tie_kinds))


@dataclass(frozen=True)
class Bass(Model):
    """Bass (1969) diffusion with innovation and imitation; see the module docstring."""

    name: ClassVar[str] = "bass"
    state_names: ClassVar[tuple[str, ...]] = ("potential", "adopted")
    adopted_states: ClassVar[tuple[str, ...]] = ("adopted",)
    cohort_state: ClassVar[str] = "adopted"
    reports_moves: ClassVar[bool] = True
    params: BassParams = field(default_factory=BassParams)

    def prepare(self, org: CompiledOrg) -> NeighbourSum | None:
        """Return the neighbour sums every batch reuses (None under global mixing)."""
        if self.params.mixing == "global":
            return None
        return NeighbourSum.from_weights(influence_matrix(org, self.params.tie_kinds))

    def init(self, org: CompiledOrg, prep: NeighbourSum | None, rand: RunRandom) -> State:
        """Return the start of every run: its seeds drawn, everyone else inactive."""
        p = self.params
        return State(seed_mask(org, rand, p.initial_adopters, p.seed_nodes).astype(np.int8))

    def step(
        self, org: CompiledOrg, prep: NeighbourSum | None, state: State, t: int, rand: RunRandom
    ) -> list[Moves]:
        """Return the moves of step ``t``."""
        code = state.code
        n = code.shape[1]
        cells = np.flatnonzero(code == _POTENTIAL)
        if prep is None:
            share = code.mean(axis=1, dtype=np.float32)[cells // n]
        else:
            share = prep.share(code).reshape(-1)[cells]
        hazard = share * np.float32(self.params.q)
        hazard += np.float32(self.params.p)
        # draws for the potential adopters only
        new = cells[rand.uniform_at("adopt", t, n, cells) < unit_bound(hazard)]
        code.reshape(-1)[new] = _ADOPTED
        return [Moves(new, _POTENTIAL, _ADOPTED)]

    def is_finished(self, state: State) -> np.ndarray:
        """Return the runs where everyone has adopted, or nobody has and ``p`` is 0."""
        n_adopted = state.code.sum(axis=1, dtype=np.int64)
        done = n_adopted == state.code.shape[1]
        if self.params.p == 0:
            done |= n_adopted == 0
        return done
