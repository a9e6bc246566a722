"""The situation at the cohort's date, cheap scores, and the simple strategies.

:class:`Situation` is what the base runs (seats by nomination) looked like at the start of
the cohort's step: for each person the share of runs in each state and as an isolated
participant, and the ties as events had left them. Candidates are the staff who had not
taken the course in most runs (:data:`MAX_SHARE_TRAINED`) and are not excluded.

The simple strategies each give an order of the candidates; the cohort is the first ``k``
of the order that keep the constraints satisfiable
(:meth:`~diffusion.advisor.constraints.Constraints.select_in_order`):

``random``       a random order (from the seed)
``degree``       most colleagues (distinct staff tied to them) first
``leaders``      team leaders and heads first (by degree), then the rest by degree
``cluster``      fill the cluster (a team's sub-group) with the most trained people first,
                 then the next; within one, by degree
``departments``  one per department in turn (by degree within each); people outside the
                 departments (the secretary) last
``buddies``      the report's advice: a second person next to each isolated participant
                 (colleagues of eenlingen in their direct work environment, weighted by how
                 often each is isolated), then by degree

:func:`cheap_scores` ranks candidates for the greedy without simulating (see there).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from diffusion.advisor.objectives import StateProbe
from diffusion.compile import CompiledOrg
from diffusion.models.ideas import (
    ADOPTER,
    AWARE,
    DROPPED_OUT,
    LAPSED,
    NEAR_KINDS,
    TRAINED,
    UNAWARE,
    IdeasParams,
    IdeasPrep,
)
from diffusion.vocabulary import TEAM_LEADING_ROLES

#: a person is a candidate if they took the course (trained or dropped out) in at most
#: this share of the base runs at the cohort's date: the consultant sends people who have
#: not been; sending someone again restarts their course in the model
MAX_SHARE_TRAINED = 0.5


@dataclass(frozen=True, eq=False)
class Situation:
    """The base runs at the start of the cohort's step.

    Attributes
    ----------
    org : CompiledOrg
        The organisation with the ties of that date.
    prep : IdeasPrep
        The model's derived arrays at that date (influence weights, receptivity, leaders).
    params : IdeasParams
    shares : float ``(nodes, states)``
        Share of runs in which each person is in each state.
    isolated : float ``(nodes,)``
        Share of runs in which each person is an isolated participant.
    candidates : int ``(candidates,)``
        Positions of the candidates, ascending.
    """

    org: CompiledOrg
    prep: IdeasPrep
    params: IdeasParams
    shares: np.ndarray
    isolated: np.ndarray
    candidates: np.ndarray

    @classmethod
    def from_probe(
        cls, probe: StateProbe, params: IdeasParams, excluded: frozenset[int]
    ) -> Situation:
        """Return the situation a :class:`StateProbe` at the cohort's step saw."""
        org, shares = probe.sink.org, probe.shares()
        took = shares[:, TRAINED] + shares[:, DROPPED_OUT]
        ok = org.is_staff.astype(bool) & (took <= MAX_SHARE_TRAINED)
        ok[list(excluded)] = False
        return cls(
            org=org,
            prep=probe.sink.prep,
            params=params,
            shares=shares,
            isolated=probe.isolated_share(),
            candidates=np.flatnonzero(ok),
        )

    def degree(self) -> np.ndarray:
        """Distinct staff each person is tied to (any kind, either direction), ``(nodes,)``."""
        w = self.org.combined
        tied = ((w + w.T) != 0).astype(np.int64)
        return tied @ self.org.is_staff.astype(np.int64)

    def free(self) -> np.ndarray:
        """Share of runs in which each person could still be nominated, ``(nodes,)``.

        Unaware, aware or lapsed: could be nominated and could still adopt.
        """
        return self.shares[:, [UNAWARE, AWARE, LAPSED]].sum(axis=1)

    def label(self, grouping: str) -> np.ndarray:
        """Each person's label in ``grouping``, ``(nodes,)`` str."""
        labels = np.asarray(self.org.group_labels[grouping], dtype=object)
        return labels[self.org.groups[grouping]]

    def by_degree(self, people: np.ndarray) -> np.ndarray:
        """``people`` most colleagues first (ties by position)."""
        people = np.asarray(people, dtype=np.int64)
        return people[np.lexsort((people, -self.degree()[people]))]


def cheap_scores(sit: Situation) -> np.ndarray:
    """Return a score per person that ranks candidates without simulating, ``(nodes,)``.

    ``free_c * reach_c * (1 + like_minded_effect * E_c) * (1 + leader_effect [c leads])``:
    ``free_c``, the share of runs where ``c`` can still be sent; ``reach_c = sum_i W[i, c]
    r_i open_i (1 + E_i)``, the influence on people who can still adopt, weighted by their
    receptivity ``r`` and by the exposure ``E`` they already have (complex contagion:
    reinforcement counts); ``E_c``, the expected like-minded exposure around ``c`` (a
    participant with like-minded colleagues lapses less); leaders raise their unit's
    support. Used only to prune the candidates before the greedy.
    """
    p, prep = sit.shares, sit.prep
    active = p[:, TRAINED] + sit.params.adopter_influence * p[:, ADOPTER]
    w = sp.csr_array(prep.influence, dtype=np.float64)
    exposure = w @ active
    open_ = sit.free()
    value = prep.receptivity * open_ * (1.0 + exposure)
    reach = w.T @ value
    leads = np.zeros(sit.org.n_nodes, dtype=bool)
    leads[prep.leaders] = True
    retention = 1.0 + sit.params.like_minded_effect * exposure
    return open_ * reach * retention * np.where(leads, 1.0 + sit.params.leader_effect, 1.0)


# ------------------------------------------------------------------------------ strategies
def order_random(sit: Situation, seed: int) -> np.ndarray:
    """Return the candidates in a random order drawn from ``seed``."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2,)))
    return rng.permutation(sit.candidates)


def order_degree(sit: Situation, seed: int) -> np.ndarray:
    """Most colleagues first."""
    return sit.by_degree(sit.candidates)


def order_leaders(sit: Situation, seed: int) -> np.ndarray:
    """Team leaders and heads first, each group by degree."""
    leads = np.isin(sit.label("role")[sit.candidates], TEAM_LEADING_ROLES)
    return np.concatenate(
        [sit.by_degree(sit.candidates[leads]), sit.by_degree(sit.candidates[~leads])]
    )


def order_cluster(sit: Situation, seed: int) -> np.ndarray:
    """Rank people by their cluster's trained people, then by degree within it.

    The cluster with the most trained people (expected over the base runs) first; people
    without a cluster count by their team.
    """
    cluster, team = sit.label("cluster"), sit.label("team")
    unit = np.where(cluster != "", cluster, team)
    trained = sit.shares[:, TRAINED] * sit.org.is_staff
    names, code = np.unique(unit.astype(str), return_inverse=True)
    size = np.bincount(code, weights=trained, minlength=names.size)
    size[names == ""] = -1.0
    rank = np.empty(names.size, dtype=np.int64)
    rank[np.lexsort((names, -size))] = np.arange(names.size)
    c = sit.candidates
    degree = sit.degree()[c]
    return c[np.lexsort((c, -degree, rank[code[c]]))]


def order_departments(sit: Situation, seed: int) -> np.ndarray:
    """One per department in turn: the best by degree of each, then the second..."""
    dept = sit.label("department")[sit.candidates]
    ordered = sit.by_degree(sit.candidates)
    dept_of = dict(zip(sit.candidates.tolist(), dept.tolist(), strict=True))
    turn = {d: 0 for d in dept}
    place = []
    for person in ordered.tolist():
        d = dept_of[person]
        place.append(turn[d])
        turn[d] += 1
    place_arr = np.array(place)
    labels = np.array([dept_of[p] for p in ordered.tolist()], dtype=str)
    outside = labels == ""  # the secretary and others outside the departments come last
    return ordered[np.lexsort((labels, place_arr, outside))]


def order_buddies(sit: Situation, seed: int) -> np.ndarray:
    """Colleagues of isolated participants first.

    ``sum_i P(i isolated) near[i, j]`` over the direct work environment
    (:data:`~diffusion.models.ideas.NEAR_KINDS`), then by degree.
    """
    near = sp.csr_array((sit.org.n_nodes, sit.org.n_nodes), dtype=np.float64)
    for kind in NEAR_KINDS:
        near = near + sit.org.weight(kind)
    need = (sp.csr_array(near) != 0).astype(np.float64).T @ sit.isolated
    c = sit.candidates
    degree = sit.degree()[c]
    return c[np.lexsort((c, -degree, -np.round(need[c], 9)))]


StrategyFn = Callable[[Situation, int], np.ndarray]
#: name -> (description, order function)
STRATEGIES: dict[str, tuple[str, StrategyFn]] = {
    "random": ("random candidates", order_random),
    "degree": ("highest degree", order_degree),
    "leaders": ("team leaders first", order_leaders),
    "cluster": ("fill the largest cluster of trained people", order_cluster),
    "departments": ("one per department", order_departments),
    "buddies": ("a buddy for each isolated participant (the report's advice)", order_buddies),
}
