"""Discrete-time SI, SIR and SIS epidemics on a network.

The standard compartmental contagion models (Kermack and McKendrick 1927 for SIR; see
Keeling and Rohani 2008, "Modeling Infectious Diseases", ch. 2, and Kiss, Miller and Simon
2017, "Mathematics of Epidemics on Networks", for the network versions) in discrete time,
one step at a time, all runs at once.

One step ``t -> t + 1`` (synchronous, from the state at ``t``):

1. every infected neighbour ``j`` of a susceptible ``i`` transmits independently with
   probability ``p_ij``, so ``i`` is infected with probability
   ``1 - prod_j (1 - p_ij)``; on unweighted ties ``p_ij = beta`` and this is
   ``1 - (1 - beta) ** k`` with ``k`` infected neighbours; a tie of weight ``w`` counts as
   ``w`` contacts, ``p_ij = 1 - (1 - beta) ** w``;
2. every infected person recovers (SIR) or becomes susceptible again (SIS) with probability
   ``gamma``;
3. one uniform draw per person per step (purpose ``"transition"``) decides both, as a person
   is either susceptible or infected.

Someone infected at step ``t`` first transmits during step ``t + 1``; the number of steps
during which an infected person transmits is geometric, ``P(D = d) = (1 - gamma) ** (d - 1)
gamma``, so the per-tie transmissibility of SIR is ``T = 1 - E[(1 - beta) ** D]
= beta / (1 - (1 - beta) (1 - gamma))``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from diffusion.compile import CompiledOrg
from diffusion.models._kernels import (
    RunTransmission,
    Transmission,
    check_probability,
    check_seeds,
    influence_matrix,
    seed_mask,
)
from diffusion.models.base import Model, Moves, State, per_run
from diffusion.rng import RunRandom, unit_bound

_S, _I, _R = 0, 1, 2


@dataclass(frozen=True)
class SIParams:
    """Parameters of the SI model.

    Attributes
    ----------
    beta : float or float array ``(runs,)``
        Probability per step that an infected person infects a susceptible neighbour over a
        tie of weight 1 (per contact per step); an array gives each run its own (one value
        per run of the simulation).
    initial_infected : int or float
        People infected at step 0, drawn uniformly among staff per run: a count (int) or a
        fraction (float in [0, 1]).
    seed_nodes : tuple of int
        Positions infected at step 0 in every run (besides ``initial_infected``).
    tie_kinds : tuple of str, optional
        Tie kinds that transmit (default: all, summed).
    """

    beta: float | np.ndarray = 0.1
    initial_infected: int | float = 1
    seed_nodes: tuple[int, ...] = ()
    tie_kinds: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        check_probability("beta", self.beta, per_run=True)
        object.__setattr__(
            self,
            "seed_nodes",
            check_seeds("initial_infected", self.initial_infected, self.seed_nodes),
        )
        if self.tie_kinds is not None:
            object.__setattr__(self, "tie_kinds", tuple(self.tie_kinds))


@dataclass(frozen=True)
class SIRParams(SIParams):
    """Parameters of the SIR and SIS models: those of :class:`SIParams` and these.

    Attributes
    ----------
    gamma : float or float array ``(runs,)``
        Probability per step that an infected person recovers (SIR) or becomes susceptible
        again (SIS); the mean infectious period is ``1 / gamma`` steps; an array gives each
        run its own.
    """

    gamma: float | np.ndarray = 0.2

    def __post_init__(self) -> None:
        super().__post_init__()
        check_probability("gamma", self.gamma, per_run=True)


SISParams = SIRParams


@dataclass(frozen=True, eq=False)
class EpidemicPrep:
    """What an epidemic model derives from an organisation.

    The transmission kernel (one per value of ``beta`` when it varies by run).
    """

    transmission: Transmission | RunTransmission


def transmission_for(
    org: CompiledOrg, beta: float, tie_kinds: Sequence[str] | None
) -> Transmission:
    """Transmission kernel with ``p_ij = 1 - (1 - beta) ** w_ij`` (a weight counts contacts)."""
    w = influence_matrix(org, tie_kinds)
    p = w.copy()
    p.data = -np.expm1(w.data.astype(np.float64) * np.log1p(-beta)) if beta < 1 else np.ones(w.nnz)
    return Transmission.from_edge_probabilities(p)


@dataclass(frozen=True)
class _Epidemic(Model):
    """Shared machinery of SI, SIR and SIS (see the module docstring for one step)."""

    state_names: ClassVar[tuple[str, ...]] = ("susceptible", "infected")
    adopted_states: ClassVar[tuple[str, ...]] = ("infected",)
    cohort_state: ClassVar[str] = "infected"
    #: state code an infected person moves to with probability gamma (None: never)
    recover_to: ClassVar[int | None] = None
    reports_moves: ClassVar[bool] = True
    per_run_params: ClassVar[tuple[str, ...]] = ("beta", "gamma")
    finished_check_every: ClassVar[int] = 2

    def prepare(self, org: CompiledOrg) -> EpidemicPrep:
        beta, kinds = self.params.beta, self.params.tie_kinds
        if not isinstance(beta, np.ndarray):
            return EpidemicPrep(transmission_for(org, beta, kinds))
        values, group = np.unique(beta, return_inverse=True)
        kernels = [transmission_for(org, float(b), kinds) for b in values]
        return EpidemicPrep(RunTransmission.build(kernels, group.reshape(-1)))

    def init(self, org: CompiledOrg, prep: EpidemicPrep, rand: RunRandom) -> State:
        p = self.params
        infected = seed_mask(org, rand, p.initial_infected, p.seed_nodes)
        return State(infected.astype(np.int8))

    def step(
        self, org: CompiledOrg, prep: EpidemicPrep, state: State, t: int, rand: RunRandom
    ) -> list[Moves]:
        code = state.code
        n = code.shape[1]
        flat = code.reshape(-1)
        infected = code == _I
        # only the susceptible with an infected neighbour and the infected can move: the
        # draws of the other cells are never looked at
        if isinstance(prep.transmission, RunTransmission):
            at_risk, bound = prep.transmission.at_risk(infected, code == _S, rand.rows)
        else:
            at_risk, bound = prep.transmission.at_risk(infected, code == _S)
        sick = np.flatnonzero(infected) if self.can_recover else at_risk[:0]
        v = rand.uniform_at("transition", t, n, np.concatenate([at_risk, sick]))
        newly = at_risk[v[: at_risk.size] < bound]
        moves = [Moves(newly, _S, _I)]
        if sick.size:
            recovery = unit_bound(per_run(self.params.gamma, rand))
            if recovery.ndim:  # one bound per run of the batch
                recovery = recovery[sick // n]
            recover = sick[v[at_risk.size :] < recovery]
            flat[recover] = self.recover_to
            moves.append(Moves(recover, _I, self.recover_to))
        flat[newly] = _I
        return moves

    @property
    def can_recover(self) -> bool:
        """Whether infected people leave the infected state."""
        return self.recover_to is not None and bool(np.any(self.params.gamma > 0))

    def is_finished(self, state: State) -> np.ndarray:
        """Return the runs with nobody infected."""
        return ~(state.code == _I).any(axis=1)


@dataclass(frozen=True)
class SI(_Epidemic):
    """Discrete-time SI epidemic: susceptible -> infected, for good.

    See the module docstring for one step. Runs finish when nobody is infected or nobody is
    susceptible.
    """

    name: ClassVar[str] = "si"
    params: SIParams = field(default_factory=SIParams)

    def is_finished(self, state: State) -> np.ndarray:
        """Return the runs with nobody infected or nobody susceptible."""
        has_i = (state.code == _I).any(axis=1)
        return ~has_i | ~(state.code == _S).any(axis=1)


@dataclass(frozen=True)
class SIR(_Epidemic):
    """Discrete-time SIR epidemic (Kermack and McKendrick 1927, on a network).

    See the module docstring for one step. Runs finish when nobody is infected.
    """

    name: ClassVar[str] = "sir"
    state_names: ClassVar[tuple[str, ...]] = ("susceptible", "infected", "recovered")
    adopted_states: ClassVar[tuple[str, ...]] = ("infected", "recovered")
    recover_to: ClassVar[int | None] = _R
    params: SIRParams = field(default_factory=SIRParams)


@dataclass(frozen=True)
class SIS(_Epidemic):
    """Discrete-time SIS epidemic: infected people become susceptible again.

    See the module docstring for one step. Runs finish when nobody is infected.
    """

    name: ClassVar[str] = "sis"
    recover_to: ClassVar[int | None] = _S
    params: SISParams = field(default_factory=SISParams)
