"""The ideas model: how "working from the intent" spreads after the leercirkels.

The model of the seed report (``docs/model-from-seed.md``; written down with its parameters
in ``docs/ideas-model.md``). Two linked movements: *mass formation* (cohorts of the course,
filled by :meth:`IdeasModel.nomination_weights` through the engine's ``Cohort`` events) and
*spread of the ideas* to people who never took the course.

States (int8 codes, in this order)
----------------------------------
``unaware``, ``aware``, ``trained`` (took the course, works from the intent), ``adopter``
(works from the intent without the course), ``lapsed`` (an adopter who stopped),
``resistant`` (counter-movement), ``dropped_out`` (a participant who "threw in the towel").
``lapsed`` of the brief is split in two so that course participants stay countable
(``trained + dropped_out`` = everyone who took the course, Table 1's measure).
Adopted states: ``trained`` and ``adopter``. Board members and external partners stay
``unaware`` unless an event sets their state; they then influence staff through their ties.

One step ``t -> t + 1``
-----------------------
Synchronous: every transition is computed from the state at the start of the step.

0. *Sync.* The cached neighbour sums ``state.extra["exposure"]`` (``(runs, 2, nodes)``:
   weighted exposure to trained + adopters, and to resistant people) are brought up to date
   with every change of state since the last step (cohorts, ``SetState``, the last step):
   only the changed cells are pushed through the sparse weights. After ``prepare`` ran
   again (new ties or parameters) they are recomputed in full.
1. *Organisation level.* Top support ``T`` and top-down pressure ``P`` (both ``(runs,)``)
   give this step's multipliers.
2. *Transitions.* One uniform draw per person (purpose ``"transition"``, made only where it
   can matter: :meth:`diffusion.rng.RunRandom.below`), read according to the person's state;
   the transitions out of different states are disjoint, so one draw serves them all. Two
   outcomes from one state take consecutive sub-intervals of [0, 1), the first listed
   first, so a change in the second's probability never changes who takes the first
   (common random numbers across what-ifs):

   ========== ==================================== ======================================
   from       first outcome                        second outcome
   ========== ==================================== ======================================
   unaware    aware: exposure to adopters          resistant: pressure, low receptivity
   aware      adopter: :func:`adoption_probability` resistant: as above
   trained    dropped_out: :func:`lapse_probability`
   adopter    lapsed: :func:`lapse_probability`
   lapsed     adopter: ``readopt_factor`` x adoption
   dropped_out trained: ``readopt_factor`` x adoption
   resistant  aware: ``p_unresist_per_week``
   ========== ==================================== ======================================

3. *Presentations.* Participants whose course started ``course_weeks`` ago and who are
   ``trained`` give their pecha kucha to their team, the MT and the board (and, with
   attendance ``audience_department``, the rest of their department): every talk seen adds
   to the audience's ``seen`` count (recruitment) and to ``T``; unaware audience members
   who did not move in 2 become aware (purpose ``"presentation"``).
4. ``T`` relaxes toward its target (the secretary's sponsorship and the board's backing) and
   ``P`` decays.

Buddies (mechanism 6) come two ways: ties of kind ``buddy`` in the organisation (the same in
every run), and the action ``buddies``, which pairs each run's eenlingen with a colleague of
that run (``state.extra["buddy"]``, :meth:`IdeasModel.act`). Both add to the like-minded
support ``L`` of :func:`lapse_probability`.

Speed: step 2 is thinned. Only the cells whose draw is below the largest outgoing
probability of any state this step are drawn in full (:meth:`~diffusion.rng.RunRandom.below`:
a byte per cell, then the rest of the draw for the few below the bound, so a cell's draw
does not depend on the bound); of those, the cells below their own state's bound get their
exact probability, computed on the gathered cells. The step pushes its own changes into the
cached exposures and reports them to the engine (:class:`~diffusion.models.base.Moves`), so
a step costs a byte per cell for the draws and a word-wise comparison of the codes (for
changes made by events) plus work in proportion to the candidates and the changes; a week
with presentations adds a few whole-array passes (the audiences are implicit,
:class:`Audience`), and nothing is ever ``(nodes, nodes)``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from types import SimpleNamespace
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from diffusion.compile import CompiledOrg
from diffusion.models._kernels import check_probability
from diffusion.models.base import Model, Moves, State, per_run, select_nodes, varying_params
from diffusion.models.ideas_params import PER_RUN, IdeasParams
from diffusion.rng import RunRandom, split_cells, unit_bound

__all__ = [
    "BUDDY_SUPPORT",
    "BUDDY_UNITS",
    "STATES",
    "IdeasModel",
    "IdeasParams",
    "IdeasPrep",
    "adoption_probability",
    "eligible_for_seats",
    "hill",
    "isolated_trained",
    "lapse_probability",
    "resistance_probability",
]

STATES: tuple[str, ...] = (
    "unaware",
    "aware",
    "trained",
    "adopter",
    "lapsed",
    "resistant",
    "dropped_out",
)
UNAWARE, AWARE, TRAINED, ADOPTER, LAPSED, RESISTANT, DROPPED_OUT = range(len(STATES))

#: tie kinds of the "direct work environment" in which an eenling has no like-minded colleague
NEAR_KINDS: tuple[str, ...] = ("cluster", "team", "line_down", "line_up", "buddy")
#: units the ``buddies`` action pairs within (groupings of the organisation)
BUDDY_UNITS: tuple[str, ...] = ("cluster", "team", "department")
#: no presentation pending
_NEVER = np.iinfo(np.int32).max
#: the leader support of a unit without a leader at that level (neutral multiplier)
_NO_LEADER = 0.5
#: headroom on the thinning bound for float32 rounding of the exact probabilities
_BOUND_SLACK = 1.0 + 1e-5
_prep_ids = itertools.count(1)
#: the thinning bounds by (prep token, largest pressure): the parameters they were made
#: with and the bounds (:meth:`IdeasModel._bounds`)
_BOUNDS: dict[tuple[int, float], tuple[IdeasParams, np.ndarray]] = {}
#: the state each state moves to at its first and second outcome (-1: none)
#: the base rates of the transitions (per run or not)
_RATES = ("p_adopt_per_week", "p_lapse_per_week", "p_resist_per_week")
_FIRST = np.array([AWARE, ADOPTER, DROPPED_OUT, LAPSED, ADOPTER, AWARE, TRAINED], dtype=np.int8)
_SECOND = np.array([RESISTANT, RESISTANT, -1, -1, -1, -1, -1], dtype=np.int8)
#: per state code: 1 if a buddy in that state supports their eenling (unaware, aware,
#: trained, adopter), 0 if not (lapsed, resistant, dropped out)
BUDDY_SUPPORT = np.array([1, 1, 1, 1, 0, 0, 0], dtype=np.float32)
#: per state code: a buddy candidate's preference tier for the ``buddies`` action (lower is
#: preferred: trained or adopter, then aware, then unaware); ``_NO_TIER``: never chosen
_NO_TIER = 3
_BUDDY_TIER = np.array([2, 1, 0, 0, _NO_TIER, _NO_TIER, _NO_TIER], dtype=np.int8)
#: the states eligible for a cohort seat (unaware, aware, adopter, lapsed: everyone who has not
#: taken the course and does not resist it) as the bits of a byte: bit ``code`` is set for each
_ELIGIBLE_BITS = np.uint8(sum(1 << code for code in (UNAWARE, AWARE, ADOPTER, LAPSED)))
#: steps per year (one step is one week)
_WEEKS_PER_YEAR = 52.0
#: parameters that set the base receptivity (:func:`_base_receptivity`) and its opening
_RECEPTIVITY = frozenset(
    (
        "receptivity_soft",
        "receptivity_hard",
        "receptivity_policy_officer",
        "hard_side_opening_per_year",
    )
)
#: the role factors of nomination (:func:`_role_factor`), in its argument order
_ROLE = ("nomination_team_leader", "nomination_top")
#: the support levels by state (:func:`_support_table`), in its argument order
_SUPPORT = ("support_unaware", "support_aware", "support_adopted")


# --------------------------------------------------------------------------------------------
# the probabilities, as pure functions (the model evaluates exactly these on gathered cells)
# --------------------------------------------------------------------------------------------


def _saturate(x: np.ndarray | float) -> np.ndarray:
    """``x / (1 + x)`` for ``x >= 0``, written so that ``x = inf`` gives 1."""
    return 1.0 - 1.0 / (1.0 + np.asarray(x, dtype=np.float32))


def hill(exposure: np.ndarray | float, threshold: float, steepness: float) -> np.ndarray:
    """Return the complex-contagion term ``E^h / (E^h + theta^h)``.

    It is 0 at ``E = 0`` and tends to 1 as ``E`` grows.

    Parameters
    ----------
    exposure : float array, any shape
        Weighted exposure ``E`` to trained people and adopters, in tie-weight units.
    threshold : float
        ``theta``, the exposure at which the term is one half.
    steepness : float
        ``h >= 1``; above 1 the curve is sigmoid, so one contact gives less than a
        proportional share of what two give (reinforcement).

    Examples
    --------
    >>> [round(float(v), 3) for v in hill(np.array([1.0, 2.0]), 1.5, 3.0)]
    [0.229, 0.703]
    """
    e = np.maximum(np.asarray(exposure, dtype=np.float32), np.float32(0))
    with np.errstate(divide="ignore", over="ignore"):
        ratio = np.power(np.float32(threshold) / e, np.float32(steepness))
    return 1.0 / (1.0 + ratio)


def adoption_probability(
    params: IdeasParams,
    exposure: np.ndarray | float,
    *,
    receptivity: np.ndarray | float = 1.0,
    leader_support: np.ndarray | float = _NO_LEADER,
    top_support: np.ndarray | float = 0.5,
    pressure: np.ndarray | float = 0.0,
    resistant_exposure: np.ndarray | float = 0.0,
    rate: np.ndarray | float | None = None,
) -> np.ndarray:
    """Probability per week that an aware person adopts (broadcast over the arguments).

    ``p_adopt_per_week * r * hill(E)
    * (1 + leader_effect (2 S - 1)) * (1 + top_effect (2 T - 1))
    * (1 + push_adoption_effect P / (1 + P)) / (1 + resistance_damping R)``.

    Parameters
    ----------
    params : IdeasParams
    exposure : float array
        ``E``, weighted exposure to trained people (weight 1) and adopters (weight
        ``adopter_influence``), tie-weight units.
    receptivity : float array
        ``r`` in [0, 1] (side, role and landscape shocks).
    leader_support : float array
        ``S`` in [0, 1], the unit's support (first-line and second-line manager).
    top_support : float array
        ``T`` in [0, 1].
    pressure : float array
        ``P >= 0``, top-down pressure.
    resistant_exposure : float array
        ``R``, weighted exposure to resistant people.
    rate : float or float array, optional
        The base rate ``p_adopt_per_week`` where it differs from ``params``' (given per run:
        each cell's run's value, broadcast with the other arguments).

    Returns
    -------
    float32 array
        Probabilities per week (may exceed 1 for extreme parameters; read as certain).
    """
    p = params
    return (
        _rate(p.p_adopt_per_week if rate is None else rate)
        * np.asarray(receptivity, dtype=np.float32)
        * hill(exposure, p.adopt_threshold, p.adopt_steepness)
        * _multiplier(p.leader_effect, leader_support)
        * _multiplier(p.top_effect, top_support)
        * (1.0 + np.float32(p.push_adoption_effect) * _saturate(pressure))
        / (1.0 + np.float32(p.resistance_damping) * np.asarray(resistant_exposure, np.float32))
    )


def lapse_probability(
    params: IdeasParams,
    like_minded: np.ndarray | float,
    *,
    resistant_exposure: np.ndarray | float = 0.0,
    rate: np.ndarray | float | None = None,
) -> np.ndarray:
    """Probability per week that a trained person drops out or an adopter lapses.

    ``p_lapse_per_week * (1 + resistance_lapse R / (1 + R))
    / (1 + like_minded_effect * L)``, with ``L`` the like-minded support: the exposure to
    neighbours who took the course or adopted, plus ``buddy_weight`` per unit of ``buddy``
    tie to a trained person (``adopter_influence`` for an adopter), plus ``buddy_weight`` for
    a buddy of the ``buddies`` action who still supports (see :meth:`IdeasModel.act`).

    Parameters
    ----------
    params : IdeasParams
    like_minded : float array
        ``L >= 0``, tie-weight units.
    resistant_exposure : float array
        ``R >= 0``, weighted exposure to resistant people.
    rate : float or float array, optional
        The base rate ``p_lapse_per_week`` where it differs from ``params``' (given per run:
        each cell's run's value, broadcast with the other arguments).

    Returns
    -------
    float32 array
        Probabilities per week, broadcast over the arguments; largest at ``L = 0``.
    """
    p = params
    return (
        _rate(p.p_lapse_per_week if rate is None else rate)
        * (1.0 + np.float32(p.resistance_lapse) * _saturate(resistant_exposure))
        / (1.0 + np.float32(p.like_minded_effect) * np.asarray(like_minded, dtype=np.float32))
    )


def resistance_probability(
    params: IdeasParams,
    seen: np.ndarray | float,
    *,
    pressure: np.ndarray | float = 0.0,
    rate: np.ndarray | float | None = None,
) -> np.ndarray:
    """Probability per week that an unaware or aware person turns against the ideas.

    ``p_resist_per_week * (s / (1 + s) + push_resistance * P / (1 + P))``: irritation at the
    platform the participants get, which grows with the talks one has seen (``s``), and the
    counter-movement a top-down push adds (pressure ``P``). The first term needs no push: the
    report's own account is of colleagues who feel passed over.

    Parameters
    ----------
    params : IdeasParams
    seen : float array
        ``s >= 0``, presentations attended.
    pressure : float array
        ``P >= 0``, top-down pressure.
    rate : float or float array, optional
        The base rate ``p_resist_per_week`` where it differs from ``params``' (given per run:
        each cell's run's value, broadcast with the other arguments).

    Returns
    -------
    float32 array
        Probabilities per week, broadcast over the arguments.
    """
    p = params
    return _rate(p.p_resist_per_week if rate is None else rate) * (
        _saturate(seen) + np.float32(p.push_resistance) * _saturate(pressure)
    )


def _rate(value: np.ndarray | float) -> Any:
    """Return a base rate as float32: a number, or values per cell."""
    if isinstance(value, np.ndarray):
        return value.astype(np.float32)
    return np.float32(value)


def _multiplier(effect: float, level: np.ndarray | float) -> np.ndarray:
    """``1 + effect * (2 level - 1)``: from ``1 - effect`` (level 0) to ``1 + effect``."""
    return 1.0 + np.float32(effect) * (2.0 * np.asarray(level, dtype=np.float32) - 1.0)


# --------------------------------------------------------------------------------------------
# what the model derives from (organisation, parameters)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class IdeasPrep:
    """Arrays derived once per (organisation, parameters); see :meth:`IdeasModel.prepare`.

    Attributes
    ----------
    influence : csr_array ``(nodes, nodes)`` float32
        ``W[i, j]``: influence of ``j`` on ``i``, all tie kinds but ``buddy`` summed with the
        regime and project factors applied.
    influence_t : csr_array ``(nodes, nodes)`` float32
        ``W.T`` in CSR form (row = the influencer), for pushing changed cells through.
    buddy : csr_array ``(nodes, nodes)`` float32
        Buddy ties times ``buddy_weight`` (row = receiver); may be empty.
    audience : Audience
        Who attends whose presentation (implicit; :func:`_audience`).
    receptivity : float32 ``(nodes,)``
        Base receptivity in [0, 1] by side and role; 0 outside the staff (NaN where a
        receptivity parameter varies by run: :func:`_receptivity` works it out per run).
    staff : float32 ``(nodes,)``
        1 for staff, 0 for board and external nodes.
    leaders : int64 ``(leaders,)``
        Positions of the staff who manage someone (team leaders, heads, the secretary).
    first_col, second_col : int64 ``(nodes,)``
        Index into ``leaders`` of each person's manager and manager's manager;
        ``len(leaders)`` (neutral support) where there is none (:func:`_leader_support`).
    active_weight, resistant_weight : float32 ``(states,)``
        Per state code: weight as an influencer, 1 for resistant.
    support_level : float32 ``(states,)`` or ``(simulation runs, states)``
        Per state code a leader's support level; one row per run of the simulation when a
        support level varies by run (:func:`_support_levels`).
    head_share : float
        Weight of the second-line manager in the leader support ``S``.
    hard : float32 ``(nodes,)``
        1 for staff on the hard side, else 0.
    hard_opening : float
        ``hard_side_opening_per_year``: the hard side's receptivity grows by this share of its
        start value a year (NaN when it varies by run).
    nomination_role : float32 ``(nodes,)``
        Nomination weight factor of the role: ``nomination_team_leader`` for team leaders,
        ``nomination_top`` for heads and the secretary, 1 for everyone else (NaN where one
        of them varies by run).
    team_leader, top_role, policy_officer : bool ``(nodes,)``
        Staff whose role is team leader; head or secretary; policy officer.
    board_backed : float32 ``(nodes,)``
        1 for staff (not the secretary) with a ``board`` tie: a backing alderman's support
        reaches them (:func:`_leader_support`), else 0.
    report_order : int64 ``(reports,)``
        Positions of everyone who has a manager, grouped by the manager's column in
        ``leaders`` (the people a manager can name in a nomination round).
    report_bounds : int64 ``(leaders + 1,)``
        ``report_order[report_bounds[c]:report_bounds[c + 1]]`` are the direct reports of
        ``leaders[c]``.
    params : IdeasParams
        The parameters the arrays were made with.
    row_params : dict of str to float64 ``(simulation runs,)``
        The parameters given per run (:data:`~diffusion.models.ideas_params.PER_RUN`), by
        name; empty when every parameter is one number. Run ``r`` of a batch reads its value
        at ``state.extra["row"][r]`` (:func:`_param`).
    token : int
        Identifies this prep, so a state knows when its cached exposures are stale.
    """

    influence: sp.csr_array
    influence_t: sp.csr_array
    buddy: sp.csr_array
    audience: Audience
    receptivity: np.ndarray
    staff: np.ndarray
    leaders: np.ndarray
    first_col: np.ndarray
    second_col: np.ndarray
    active_weight: np.ndarray
    resistant_weight: np.ndarray
    support_level: np.ndarray
    head_share: float
    hard: np.ndarray
    hard_opening: float
    nomination_role: np.ndarray
    board_backed: np.ndarray
    report_order: np.ndarray
    report_bounds: np.ndarray
    team_leader: np.ndarray
    top_role: np.ndarray
    policy_officer: np.ndarray
    params: IdeasParams
    row_params: dict[str, np.ndarray]
    token: int = field(default_factory=lambda: next(_prep_ids))


def _labels_of(org: CompiledOrg, grouping: str) -> np.ndarray:
    """Label of each node in ``grouping`` (``""`` everywhere if the org lacks it)."""
    if grouping not in org.groups:
        return np.full(org.n_nodes, "", dtype=object)
    return np.asarray(org.group_labels[grouping], dtype=object)[org.groups[grouping]]


@dataclass(frozen=True, eq=False)
class Audience:
    """Who attends whose presentation, held implicitly (never as a ``(nodes, nodes)`` matrix).

    The attendance of ``i`` at the talk of ``j`` (:func:`_audience`) depends only on whether
    ``i`` is in the MT or the board and on whether ``i`` and ``j`` share a team, a
    department, or both. So the talks of a step are tallied per group and run, the
    attendance is worked out once per *class* of people with the same top flag, team and
    department, and each person reads their class's value (:func:`_attendance`).

    Attributes
    ----------
    groups : int64 ``(3, nodes)``
        Code of each person's team, department, and (team, department) pair; -1 where the
        label is empty (the pair: where either is).
    n_groups : tuple of int
        Number of codes of each of the three rows.
    top : bool ``(nodes,)``
        Attends every talk fully: heads and the secretary (staff), and the board.
    class_of : int64 ``(nodes,)``
        Each person's class.
    class_groups : int64 ``(3, classes)``
        The three codes of each class, each -1 or a code (then in ``groups``' range).
    class_top : bool ``(classes,)``
        Whether the class is top (then its codes are -1).
    share : float
        Attendance of the rest of the department (``audience_department``).
    """

    groups: np.ndarray
    n_groups: tuple[int, int, int]
    top: np.ndarray
    class_of: np.ndarray
    class_groups: np.ndarray
    class_top: np.ndarray
    share: float


def _group_codes(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """Code ``(nodes,)`` int64 of each non-empty label (-1 for ``""``) and the number of codes."""
    names, code = np.unique(labels.astype(str), return_inverse=True)
    keep = names != ""
    renumber = np.where(keep, np.cumsum(keep) - 1, -1)
    return renumber[code].astype(np.int64), int(keep.sum())


def _audience(org: CompiledOrg, department_share: float) -> Audience:
    """Attendance of ``i`` at ``j``'s presentation, implicit (:class:`Audience`).

    Own team 1, MT (heads, secretary) 1, board 1, rest of the department
    ``department_share``; only talks of staff count; nobody attends their own talk.
    """
    team = _labels_of(org, "team").astype(str)
    dept = _labels_of(org, "department").astype(str)
    both = np.where((team != "") & (dept != ""), np.char.add(np.char.add(team, "\n"), dept), "")
    codes = [_group_codes(labels) for labels in (team, dept, both)]
    groups = np.stack([c for c, _ in codes])
    top = np.isin(_labels_of(org, "role"), ("head", "secretary")) & org.is_staff
    top |= _labels_of(org, "kind") == "board"
    top = np.asarray(top, dtype=bool)
    keys = np.where(top[None, :], -1, groups)
    rows, class_of = np.unique(np.vstack([top, keys]).T, axis=0, return_inverse=True)
    return Audience(
        groups=groups,
        n_groups=(codes[0][1], codes[1][1], codes[2][1]),
        top=top,
        class_of=class_of.reshape(-1).astype(np.int64),
        class_groups=rows[:, 1:].T.astype(np.int64),
        class_top=rows[:, 0].astype(bool),
        share=float(department_share),
    )


def _attendance(
    audience: Audience,
    staff: np.ndarray,
    n_runs: int,
    run: np.ndarray,
    node: np.ndarray,
    share: float | np.ndarray | None = None,
) -> np.ndarray:
    """Talks attended by every person in every run, float32 ``(runs, nodes)``.

    ``sum_j A[i, j]`` over the talks ``j`` of the run, with ``A[i, j] = staff[j] (i != j)
    max(share D[i, j], T[i, j], top[i])`` (``D``, ``T``: same department, same team): for
    the MT and the board the number of staff talks, for the others ``T + share (D - TD)``
    with ``T``, ``D`` and ``TD`` the staff talks in their team, their department and both,
    their own talk left out. The terms are counts, so the float64 sums are exact and equal,
    bit for bit, to summing the entries of the explicit matrix (then rounded to float32).
    Cost ``O(runs x nodes)`` whatever the number of talks: a table ``(runs, classes)``, one
    gather from it, and the presenters' own cells.

    Parameters
    ----------
    audience : Audience
    staff : float32 ``(nodes,)``
        1 for staff (only their talks count).
    n_runs : int
        Runs of the batch.
    run, node : int arrays ``(talks,)``
        The presenters (one talk per cell at most).
    share : float or float array ``(runs,)``, optional
        Attendance of the rest of the department (default ``audience.share``); an array
        gives each run its own (``audience_department`` per run).

    Returns
    -------
    float32 array ``(runs, nodes)``
    """
    keep = staff[node] > 0
    run, node = run[keep], node[keep]
    n_talks = np.bincount(run, minlength=n_runs)
    tallies = []  # staff talks per run and group; the last column (code -1) stays 0
    for codes, size in zip(audience.groups, audience.n_groups, strict=True):
        g = codes[node]
        tally = np.zeros((n_runs, size + 1), dtype=np.int64)
        np.add.at(tally, (run[g >= 0], g[g >= 0]), 1)
        tallies.append(tally)
    share = np.float64(np.float32(audience.share if share is None else share))

    def attended(rows: np.ndarray, top: np.ndarray, codes: np.ndarray, own: int) -> np.ndarray:
        """Return the attendance in the runs ``rows``, less ``own`` talk in each group.

        People have top flags ``top`` and group codes ``codes`` ``(3, ...)`` (broadcast
        together).
        """
        team, dept, both = (
            tally[rows, c] - own * (c >= 0) for tally, c in zip(tallies, codes, strict=True)
        )
        at = share[rows] if share.ndim else share
        return np.where(top, n_talks[rows] - own, team + at * (dept - both))

    every_run = np.arange(n_runs)[:, None]
    per_class = attended(every_run, audience.class_top, audience.class_groups, 0)
    out = per_class.astype(np.float32)[:, audience.class_of]
    out[run, node] = attended(run, audience.top[node], audience.groups[:, node], 1)
    return out


def _influence(org: CompiledOrg, p: IdeasParams) -> sp.csr_array:
    """Return the combined influence of every tie kind but ``buddy``, kind factors applied."""
    factors = {
        "cross_department": p.cross_department_factor,
        "line_up": p.line_up_factor,
        "project": p.project_factor,
    }
    n = org.n_nodes
    w = sp.csr_array((n, n), dtype=np.float32)
    for kind, weights in org.weights.items():
        if kind != "buddy":
            w = w + weights * np.float32(factors.get(kind, 1.0))
    w = sp.csr_array(w, dtype=np.float32)
    w.eliminate_zeros()
    w.sort_indices()
    return w


# --------------------------------------------------------------------------------------------
# the model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdeasModel(Model):
    """The ideas model of the seed report; see the module docstring for the step order.

    Parameters
    ----------
    params : IdeasParams
        All rates and multipliers (which defaults are fitted: ``docs/calibration.md``).

    Notes
    -----
    ``state.extra`` holds, per run: ``exposure`` float32 ``(runs, 2, nodes)`` (cached
    neighbour sums), ``synced`` int8 ``(runs, nodes)`` (the codes they were computed from),
    ``token`` ``(runs,)``, ``top`` (top support T), ``sponsor`` (the secretary's level),
    ``board`` (the board's backing), ``pressure`` (P), all float32 ``(runs,)``;
    ``present_at`` int32 ``(runs, nodes)`` (step of a pending presentation, -1 none),
    ``next_talk`` int32 ``(runs,)``; ``buddy`` int32 ``(runs, nodes)`` (position of each
    person's buddy from the ``buddies`` action, -1 none); ``row`` int64 ``(runs,)`` (each
    run's position in the simulation, where its per-run parameters are); and float32
    ``(runs, nodes)``:
    ``seen`` (presentations attended), ``receptivity_factor`` (landscape shocks),
    ``nomination_factor`` (taster, competing courses), ``support_floor`` (leaders who back
    the course); uint64 ``run_key`` ``(runs,)``, the runs' random-stream keys
    (:attr:`diffusion.rng.RunRandom.keys`), with which :meth:`nomination_weights` draws who
    answers and whom they name at the runs' step ``t``.

    Model actions (``ModelAction(step, action, args)``): :attr:`actions`; see :meth:`act`.

    The parameters of :data:`~diffusion.models.ideas_params.PER_RUN` may vary by run (arrays
    ``(runs,)``; :func:`~diffusion.models.base.stack_models`): a calibration's or a sweep's
    parameter sets then run as one batch, each run exactly as its set alone.

    Examples
    --------
    >>> model = IdeasModel(IdeasParams(p_adopt_per_week=0.05))
    >>> model.code("trained"), model.cohort_state
    (2, 'trained')
    """

    name: ClassVar[str] = "ideas"
    state_names: ClassVar[tuple[str, ...]] = STATES
    adopted_states: ClassVar[tuple[str, ...]] = ("trained", "adopter")
    cohort_state: ClassVar[str] = "trained"
    per_run_params: ClassVar[tuple[str, ...]] = PER_RUN
    reports_moves: ClassVar[bool] = True
    # a step makes about 150 numpy calls whatever the batch: twice the engine's default
    # batch took 3% less CPU (median of 18 alternated runs of 2,500 runs of the 8-year
    # baseline on one thread: 2.62 s against 2.70 s, 2026-12-02)
    batch_cells: ClassVar[int | None] = 1 << 20
    step_modules: ClassVar[tuple[str, ...]] = ("diffusion.jit",)
    actions: ClassVar[tuple[str, ...]] = (
        "top_change",
        "top_down_push",
        "landscape_shock",
        "taster",
        "competing_course",
        "leader_backing",
        "buddies",
    )

    params: IdeasParams = field(default_factory=IdeasParams)

    # -- engine protocol ---------------------------------------------------------------------

    def prepare(self, org: CompiledOrg) -> IdeasPrep:
        """Return the influence matrix, audiences, per-node receptivity and manager lines."""
        p = self.params
        row_params = varying_params(self)
        one = _one_value(p)  # NaN for a parameter given per run
        staff = org.is_staff.astype(bool)
        influence = _influence(org, p)
        buddy = sp.csr_array(org.weight("buddy") * np.float32(p.buddy_weight), dtype=np.float32)
        buddy.eliminate_zeros()
        side, role = _labels_of(org, "side"), _labels_of(org, "role")
        hard = (side == "hard") & staff
        officer = role == "policy_officer"
        team_leader = role == "team_leader"
        top_role = np.isin(role, ("head", "secretary"))
        first = np.asarray(org.manager, dtype=np.int64)
        second = np.where(first >= 0, first[np.maximum(first, 0)], -1)
        leaders = np.unique(first[first >= 0])
        leaders = leaders[staff[leaders]]
        column = np.full(org.n_nodes + 1, leaders.size, dtype=np.int64)  # [-1] = no leader
        column[leaders] = np.arange(leaders.size)
        support = _support_table(*(getattr(p, k) for k in _SUPPORT))
        active = np.zeros(len(STATES), dtype=np.float32)
        active[[TRAINED, ADOPTER]] = 1.0, p.adopter_influence
        resistant = np.zeros(len(STATES), dtype=np.float32)
        resistant[RESISTANT] = 1.0
        managed = column[first]
        report_order = np.argsort(managed, kind="stable")
        report_order = report_order[managed[report_order] < leaders.size]
        report_bounds = np.searchsorted(managed[report_order], np.arange(leaders.size + 1))
        board_tied = np.asarray(org.weight("board").sum(axis=1)).reshape(-1) > 0
        board_backed = board_tied & staff & (role != "secretary")
        return IdeasPrep(
            influence=influence,
            influence_t=sp.csr_array(influence.T, dtype=np.float32),
            buddy=buddy,
            audience=_audience(org, one.audience_department),
            receptivity=_base_receptivity(
                hard,
                officer,
                staff,
                one.receptivity_soft,
                one.receptivity_hard,
                one.receptivity_policy_officer,
            ),
            staff=staff.astype(np.float32),
            leaders=leaders,
            first_col=column[first],
            second_col=column[second],
            active_weight=active,
            resistant_weight=resistant,
            support_level=support,
            head_share=p.head_share,
            hard=hard.astype(np.float32),
            hard_opening=one.hard_side_opening_per_year,
            nomination_role=_role_factor(
                team_leader, top_role, staff, one.nomination_team_leader, one.nomination_top
            ),
            board_backed=board_backed.astype(np.float32),
            report_order=report_order.astype(np.int64),
            report_bounds=report_bounds.astype(np.int64),
            team_leader=team_leader & staff,
            top_role=top_role & staff,
            policy_officer=officer & staff,
            params=p,
            row_params=row_params,
        )

    def init(self, org: CompiledOrg, prep: IdeasPrep, rand: RunRandom) -> State:
        """Set the start: everyone unaware, leaders' backing and top support drawn.

        Each leader backs the course with ``p_leader_backs`` (purpose ``"backing"``); top
        support at ``top_support_initial``; the leaders' nomination draws of step 0 (purpose
        ``"nominate"``).
        """
        p = self.params
        n_runs, n = rand.n_runs, org.n_nodes
        code = np.zeros((n_runs, n), dtype=np.int8)
        backs = rand.uniform("backing", 0, n) < np.float32(_column(per_run(p.p_leader_backs, rand)))
        backs[:, np.setdiff1d(np.arange(n), prep.leaders)] = False
        backing = np.float32(_column(per_run(p.support_backing, rand)))

        def each_run(value: float) -> np.ndarray:
            return np.full(n_runs, value, dtype=np.float32)

        return State(
            code,
            {
                "exposure": np.zeros((n_runs, 2, n), dtype=np.float32),
                "synced": code.copy(),
                "token": np.full(n_runs, prep.token, dtype=np.int64),
                "top": each_run(p.top_support_initial),
                "sponsor": each_run(p.secretary_support),
                "board": each_run(p.alderman_backing),
                "pressure": each_run(0.0),
                "present_at": np.full((n_runs, n), -1, dtype=np.int32),
                "next_talk": np.full(n_runs, _NEVER, dtype=np.int32),
                "seen": np.zeros((n_runs, n), dtype=np.float32),
                "receptivity_factor": np.ones((n_runs, n), dtype=np.float32),
                "nomination_factor": np.ones((n_runs, n), dtype=np.float32),
                "support_floor": np.where(backs, backing, np.float32(0)),
                "buddy": np.full((n_runs, n), -1, dtype=np.int32),
                "t": np.zeros(n_runs, dtype=np.int64),
                "row": rand.rows.astype(np.int64, copy=True),
                "run_key": rand.keys.copy(),
            },
        )

    def step(
        self, org: CompiledOrg, prep: IdeasPrep, state: State, t: int, rand: RunRandom
    ) -> list[Moves]:
        """Move ``state`` from step ``t`` to ``t + 1`` (the order is in the module docstring).

        Returns the step's moves (everyone who changed state, each once).
        """
        p, x = self.params, state.extra
        code = state.code
        n_runs, n = code.shape
        if n_runs == 0:
            return []
        self._sync(prep, state)
        talks = self._due_talks(state, t)
        bounds = self._bounds(prep, state)
        cells, u = rand.below(
            "transition",
            t,
            n,
            float(bounds.max()),
            categories=code.reshape(-1),
            bounds=bounds[: len(STATES)],
        )
        moved, old = self._transitions(prep, state, cells, u, bounds)
        n_talks: np.ndarray | float = 0.0
        if talks is not None:
            n_talks, aware = self._present(prep, state, t, rand, talks)
            moved = np.concatenate([moved, aware])
            old = np.concatenate([old, np.full(aware.size, UNAWARE, dtype=np.int8)])
        self._push(prep, state, moved, old)

        # 4. organisation level
        top = x["top"]
        top += np.float32(p.top_relax_per_week) * (x["sponsor"] - top)
        top += np.float32(p.top_gain_per_presentation) * n_talks
        np.clip(top, 0.0, 1.0, out=top)
        x["pressure"] *= np.float32(1.0 - p.pressure_decay_per_week)
        x["t"][:] = t + 1
        return [Moves(moved, old, code.reshape(-1)[moved])]

    def set_state(self, state: State, mask: np.ndarray, name: str, t: int) -> None:
        """Put ``mask`` ``(runs, nodes)`` into state ``name``.

        Entering ``trained`` (a cohort) schedules the person's presentation ``course_weeks``
        later.
        """
        super().set_state(state, mask, name, t)
        if name == self.cohort_state:
            x = state.extra
            due = t + self.params.course_weeks
            x["present_at"][mask] = due
            enrolled = np.asarray(mask).any(axis=1)
            x["next_talk"][enrolled] = np.minimum(x["next_talk"][enrolled], due)

    def nomination_weights(self, org: CompiledOrg, prep: IdeasPrep, state: State) -> np.ndarray:
        """Weights ``(runs, nodes)`` for filling cohort seats (mechanism 1).

        Eligible: staff who have not taken the course and do not resist it (unaware, aware,
        adopter, lapsed). Before each round the secretary asks the heads and team leaders
        whether they know people the course suits (report, "Een groeiende groep mensen"): a
        manager answers with probability ``p_leader_nominates`` times their support level
        (draws of purpose ``"nominate"``), and names one of the people they manage directly,
        or two with probability ``nomination_pair`` (Table 1: 7 of 27 team-cohort cells are
        pairs, none larger), chosen with the plain weights below (draws of purpose
        ``"nominee"``: per manager, one for the pair and one for each pick, the second pick
        among the others). A named person weighs ``1 + nomination_leader_effect`` times their
        plain weight. Plain weight
        ``r * q * (1 + g_w Et / (1 + Et)) * (1 + g_p s / (1 + s)) * a * f``: receptivity ``r``
        (with the hard side's opening), role factor ``q`` (``nomination_team_leader``,
        ``nomination_top`` for heads and the secretary), exposure ``Et`` to trained people
        (word of mouth), presentations seen ``s``, ``a`` = 1 for unaware,
        ``nomination_aware`` for aware and lapsed, ``nomination_adopter`` for adopters
        (self-selection), 0 for the others, and the taster / competing-course factor
        ``f``. A per-run factor such as top support cannot change who is drawn for a given
        number of seats, so it does not appear here.
        """
        x = state.extra
        code = state.code
        exposure_trained = _exposure_to(prep, code, TRAINED)

        def value(name: str) -> Any:
            """Return the parameter's number, or its values ``(runs, 1)`` if given per run."""
            return _param(prep, state, name)

        role = prep.nomination_role
        if any(k in prep.row_params for k in _ROLE):
            role = _role_factor(
                prep.team_leader, prep.top_role, prep.staff, *(value(k) for k in _ROLE)
            )
        state_factor = _state_factor(value("nomination_aware"), value("nomination_adopter"))
        # float32, multiplied in place left to right; 0 outside the staff (role) and for the
        # states that take no seat (state factor): only the eligible weigh something
        plain = _receptivity(prep, state, slice(None))
        plain *= role
        plain *= 1.0 + np.float32(value("nomination_word_of_mouth")) * _saturate(exposure_trained)
        plain *= 1.0 + np.float32(value("nomination_presentation")) * _saturate(x["seen"])
        plain *= _by_state(state_factor, code)
        plain *= x["nomination_factor"]
        level = _leader_levels(prep, state)  # (runs, leaders + 1); last: no manager
        # this round's draws, made here (at the runs' step) rather than every step
        draws = RunRandom.of_keys(x["run_key"])
        t = int(x["t"][0]) if x["t"].size else 0
        nominate_u = draws.uniform("nominate", t, prep.leaders.size)
        nominee_u = draws.uniform("nominee", t, 3 * prep.leaders.size)
        nominates = nominate_u < np.float32(value("p_leader_nominates")) * level[:, :-1]
        pair = _param(prep, state, "nomination_pair", column=False)
        named = _named(prep, plain, nominates, nominee_u, pair)
        weights = plain.astype(np.float64)
        np.multiply(weights, 1.0 + value("nomination_leader_effect"), out=weights, where=named)
        return weights

    def act(
        self,
        org: CompiledOrg,
        prep: IdeasPrep,
        state: State,
        t: int,
        rand: RunRandom,
        action: str,
        **args: Any,
    ) -> None:
        """Apply a model action at step ``t`` (for every run of the batch).

        Actions and their arguments; ``where`` stands for node selectors ``nodes`` (positions,
        node ids or a bool ``(nodes,)`` mask), ``department``, ``team``, ``side``, ``role``
        (a label or a list of labels; all given must hold; default all staff):

        ``top_change(secretary_support=None, alderman_leaves=False, support_loss=None)``
            A change at the top (mechanism 5): a new secretary with that sponsorship level
            (top support ``T`` then relaxes toward it), the backing alderman leaves (the
            floor ``alderman_backing`` that the staff tied to the board had in their leader
            support goes; the scenario also removes the alderman's ties with
            ``RemoveTies(kind="board")``, which has the same effect, so nothing is lost
            twice); ``T`` loses ``support_loss`` of itself at once (default 0: the loss
            comes only through the new sponsor level).
        ``top_down_push(strength)``
            More steering from the top (mechanism 10): pressure ``P += strength``.
        ``landscape_shock(factor, **where)``
            Receptivity of the selected staff times ``factor`` (capped at 1; mechanism 7).
        ``taster(boost=1.0, p_aware=None, **where)``
            A taster workshop (mechanism 1): nomination weight times ``1 + boost``; unaware
            attendees become aware with ``p_aware`` (default ``taster_p_aware``; purpose
            ``"taster"``).
        ``competing_course(factor, **where)``
            Nomination weight times ``factor`` (< 1: a competing course takes candidates).
        ``leader_backing(level, **where)``
            The selected leaders back the course: support level at least ``level``.
        ``buddies(within="team", p_accept=1.0)``
            A buddy for every eenling (mechanism 6), per run: each person
            :func:`isolated_trained` finds in a run is paired with a colleague of the same
            ``within`` unit (``"cluster"``, ``"team"`` or ``"department"``; staff only, never
            themselves) who accepts with probability ``p_accept``. The buddy is drawn among
            the unit's trained people and adopters; if there are none, among its aware
            people; else among its unaware people (lapsed, resistant and dropped-out
            colleagues are never asked), uniformly within that tier. One draw per person
            (purpose ``"buddies"``): ``u < p_accept`` accepts and ``u / p_accept`` picks the
            buddy. Someone with no unit (an empty label) or no candidate gets none. The
            buddy (``state.extra["buddy"]``) supports the eenling, not the other way round:
            while the buddy is unaware, aware, trained or adopter, the eenling's like-minded
            support ``L`` gains ``buddy_weight`` (lapse divides by ``1 + like_minded_effect
            L``) and the eenling is no longer isolated. A later ``buddies`` re-pairs only
            those who are isolated again.
        """
        handlers: dict[str, Callable[..., None]] = {
            "top_change": self._top_change,
            "top_down_push": self._top_down_push,
            "landscape_shock": self._landscape_shock,
            "taster": self._taster,
            "competing_course": self._competing_course,
            "leader_backing": self._leader_backing,
            "buddies": self._buddies,
        }
        handler = handlers.get(action)
        if handler is None:
            raise ValueError(
                f"model 'ideas' has no action {action!r}; valid: {', '.join(handlers)}"
            )
        handler(org, state, t, rand, **args)

    # -- step internals ----------------------------------------------------------------------

    def _sync(self, prep: IdeasPrep, state: State) -> None:
        """Bring ``exposure`` up to date with ``state.code`` (step 0 of the module docstring)."""
        x, code = state.extra, state.code
        exposure, synced = x["exposure"], x["synced"]
        if x["token"][0] != prep.token:
            for k, lut in enumerate((prep.active_weight, prep.resistant_weight)):
                exposure[:, k, :] = (prep.influence @ lut[code].T).T
            synced[...] = code
            x["token"][:] = prep.token
            return
        now, then = code.reshape(-1), synced.reshape(-1)
        if _equal(now, then):  # the usual case: only the last step changed codes
            return
        changed = np.flatnonzero(now != then)
        self._push(prep, state, changed, then[changed])

    def _push(self, prep: IdeasPrep, state: State, cells: np.ndarray, old: np.ndarray) -> None:
        """Push the changes of ``cells`` (flat, each once; codes ``old`` before) into the cache.

        The cached exposures and ``synced`` then agree with ``state.code`` at those cells.
        """
        if cells.size == 0:
            return
        x = state.extra
        n = state.code.shape[1]
        new = state.code.reshape(-1)[cells]
        x["synced"].reshape(-1)[cells] = new
        run, node = split_cells(cells, n)
        flat = x["exposure"].reshape(-1)
        w = prep.influence_t
        from diffusion import jit  # numba: imported where it is used, not with the package

        for k, lut in enumerate((prep.active_weight, prep.resistant_weight)):
            delta = lut[new] - lut[old]
            moved = np.flatnonzero(delta)
            if moved.size:  # exposure[run, k, :] += delta * (row node of influence_t)
                jit.add_rows(
                    flat,
                    run[moved],
                    node[moved],
                    delta[moved],
                    k * n,
                    2 * n,
                    w.indptr,
                    w.indices,
                    w.data,
                )

    def _bounds(self, prep: IdeasPrep, state: State) -> np.ndarray:
        """Return an upper bound ``(states + 1,)`` of each state's outgoing probability.

        For thinning: only cells whose draw is below it need their exact probability. The
        last entry bounds the probability of turning resistant. The bounds take the largest
        top support (1) and this step's largest pressure, so they are worked out once per
        (parameters, pressure): without a push, once.
        """
        pressure = float(state.extra["pressure"].max())
        key = (prep.token, pressure)
        cached = _BOUNDS.get(key)
        if cached is not None and cached[0] is self.params:
            return cached[1]
        if len(_BOUNDS) > 256:
            _BOUNDS.clear()
        p = self.params
        # a base rate given per run bounds with its largest value (of the whole simulation)
        most = {name: _largest(prep, name) for name in _RATES}
        resist = float(
            resistance_probability(p, np.inf, pressure=pressure, rate=most["p_resist_per_week"])
        )
        adopt = float(
            adoption_probability(
                p,
                np.inf,
                leader_support=1.0,
                top_support=1.0,
                pressure=pressure,
                rate=most["p_adopt_per_week"],
            )
        )
        lapse = float(
            lapse_probability(p, 0.0, resistant_exposure=np.inf, rate=most["p_lapse_per_week"])
        )
        bounds = np.empty(len(STATES) + 1, dtype=np.float32)
        bounds[[UNAWARE, AWARE, TRAINED, ADOPTER]] = (
            p.p_aware_per_week + resist,
            adopt + resist,
            lapse,
            lapse,
        )
        bounds[[LAPSED, DROPPED_OUT]] = p.readopt_factor * adopt
        bounds[RESISTANT] = p.p_unresist_per_week
        bounds[-1] = resist
        bounds *= np.float32(_BOUND_SLACK)
        _BOUNDS[key] = (p, bounds)
        return bounds

    def _transitions(
        self, prep: IdeasPrep, state: State, cells: np.ndarray, u: np.ndarray, bounds: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Run step 2 for the candidate ``cells``: the exact probabilities, then the moves.

        ``cells`` are flat indices into ``(runs, nodes)``, ``u`` their draws (float64; every
        cell whose draw is below its state's bound is among them). Returns the cells that
        moved and their codes before.
        """
        p, x = self.params, state.extra
        code = state.code.reshape(-1)
        s = code[cells]
        keep = u < bounds[s]
        cells, u, s = cells[keep], u[keep], s[keep]
        n = state.code.shape[1]
        run, node = split_cells(cells, n)
        exposure_flat = x["exposure"].reshape(-1)
        at = run * (2 * n) + node
        exposure = exposure_flat[at]
        first = np.zeros(cells.size, dtype=np.float32)
        second = np.zeros(cells.size, dtype=np.float32)

        unaware = np.flatnonzero(s == UNAWARE)
        first[unaware] = (
            np.float32(p.p_aware_per_week)
            * prep.staff[node[unaware]]
            * _saturate(exposure[unaware])
        )
        # an unaware person can move only below that plus the resistance bound: most
        # candidates (no exposure yet) are out here, before the other states' work
        cap = bounds[-1]
        possible = np.flatnonzero((s != UNAWARE) | (u < first + cap)) if s.size > 64 else None
        if possible is not None and possible.size < cells.size:
            cells, u, s, run, node, at = (a[possible] for a in (cells, u, s, run, node, at))
            exposure, first, second = exposure[possible], first[possible], second[possible]
        resist_exp = exposure_flat[at + n]
        if _largest(prep, "p_resist_per_week") > 0:
            forming = np.flatnonzero(s <= AWARE)
            second[forming] = (
                resistance_probability(
                    p,
                    x["seen"].reshape(-1)[cells[forming]],
                    pressure=x["pressure"][run[forming]],
                    rate=_param(prep, state, "p_resist_per_week", run[forming]),
                )
                * prep.staff[node[forming]]
            )
        # exposure 0 gives adoption probability 0, so those cells are skipped
        adopting = np.flatnonzero(
            ((s == AWARE) | (s == LAPSED) | (s == DROPPED_OUT)) & (exposure > 0)
        )
        if adopting.size:
            r, i = run[adopting], node[adopting]
            first[adopting] = np.where(
                s[adopting] == AWARE, np.float32(1), np.float32(p.readopt_factor)
            ) * adoption_probability(
                p,
                exposure[adopting],
                receptivity=_receptivity(prep, state, i, r),
                leader_support=_leader_support(prep, state, i, r),
                top_support=x["top"][r],
                pressure=x["pressure"][r],
                resistant_exposure=resist_exp[adopting],
                rate=_param(prep, state, "p_adopt_per_week", r),
            )
        active = np.flatnonzero((s == TRAINED) | (s == ADOPTER))
        if active.size:
            r, i = run[active], node[active]
            like_minded = np.maximum(exposure[active], np.float32(0))
            if prep.buddy.indptr[-1]:  # any buddy tie (nnz, without scipy's count)
                item, col, weight = _spread(prep.buddy, i)
                buddies = weight * prep.active_weight[code[r[item] * n + col]]
                like_minded += np.bincount(item, buddies, minlength=i.size).astype(np.float32)
            like_minded += np.float32(p.buddy_weight) * _buddy_support(state.code, x["buddy"], r, i)
            first[active] = prep.staff[i] * lapse_probability(
                p,
                like_minded,
                resistant_exposure=np.maximum(resist_exp[active], np.float32(0)),
                rate=_param(prep, state, "p_lapse_per_week", r),
            )
        first[s == RESISTANT] = p.p_unresist_per_week

        new = np.where(u < first, _FIRST[s], np.where(u < first + second, _SECOND[s], s))
        moved = new != s
        code[cells[moved]] = new[moved]
        return cells[moved], s[moved]

    def _due_talks(self, state: State, t: int) -> np.ndarray | None:
        """Return the flat cells of the trained people presenting at ``t``.

        States are those at the start of the step; the talks are then no longer pending.
        """
        x = state.extra
        if not (x["next_talk"] <= t).any():
            return None
        present_at = x["present_at"]
        due = (present_at >= 0) & (present_at <= t)
        talks = np.flatnonzero(due.reshape(-1) & (state.code.reshape(-1) == TRAINED))
        present_at[due] = -1
        pending = np.where(present_at > t, present_at, _NEVER)
        x["next_talk"][:] = pending.min(axis=1)
        return talks

    def _present(
        self, prep: IdeasPrep, state: State, t: int, rand: RunRandom, talks: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Step 3.

        The presentations ``talks`` (flat cells) reach their audiences; returns the number of
        talks per run, float32 ``(runs,)``, and the flat cells made aware (ascending).
        """
        p, x = self.params, state.extra
        code = state.code
        n_runs, n = code.shape
        run, node = split_cells(talks, n)
        share = _param(prep, state, "audience_department", column=False)
        attendance = _attendance(prep.audience, prep.staff, n_runs, run, node, share)
        x["seen"] += attendance
        # the draws of purpose "presentation" at the unaware who attended (bit for bit those
        # of the whole step's draw): u < p_aware_presentation min(attendance, 1)
        p_aware = (np.float32(p.p_aware_presentation) * np.minimum(attendance, 1.0)).reshape(-1)
        flat = code.reshape(-1)
        at = np.flatnonzero((flat == UNAWARE) & (p_aware > 0))
        aware = at[rand.uniform_at("presentation", t, n, at) < unit_bound(p_aware[at])]
        flat[aware] = AWARE
        return np.bincount(run, minlength=n_runs).astype(np.float32), aware

    # -- actions -----------------------------------------------------------------------------

    def _top_change(
        self,
        org: CompiledOrg,
        state: State,
        t: int,
        rand: RunRandom,
        secretary_support: float | None = None,
        alderman_leaves: bool = False,
        support_loss: float | None = None,
    ) -> None:
        x = state.extra
        loss = 0.0 if support_loss is None else support_loss
        check_probability("top_change: support_loss", loss)
        if secretary_support is not None:
            check_probability("top_change: secretary_support", secretary_support)
            x["sponsor"][:] = secretary_support
        if alderman_leaves:
            x["board"][:] = 0.0
        x["top"] *= np.float32(1.0 - loss)

    def _top_down_push(
        self, org: CompiledOrg, state: State, t: int, rand: RunRandom, strength: float
    ) -> None:
        if not strength >= 0:
            raise ValueError(f"top_down_push: strength must be >= 0, got {strength!r}")
        state.extra["pressure"] += np.float32(strength)

    def _landscape_shock(
        self, org: CompiledOrg, state: State, t: int, rand: RunRandom, factor: float, **where: Any
    ) -> None:
        _check_factor("landscape_shock: factor", factor)
        state.extra["receptivity_factor"][:, select_nodes(org, where)] *= np.float32(factor)

    def _taster(
        self,
        org: CompiledOrg,
        state: State,
        t: int,
        rand: RunRandom,
        boost: float = 1.0,
        p_aware: float | None = None,
        **where: Any,
    ) -> None:
        _check_factor("taster: boost", boost)
        p_aware = self.params.taster_p_aware if p_aware is None else p_aware
        check_probability("taster: p_aware", p_aware)
        chosen = select_nodes(org, where)
        state.extra["nomination_factor"][:, chosen] *= np.float32(1.0 + boost)
        u = rand.uniform("taster", t, org.n_nodes)
        state.code[(state.code == UNAWARE) & chosen[None, :] & (u < p_aware)] = AWARE

    def _competing_course(
        self, org: CompiledOrg, state: State, t: int, rand: RunRandom, factor: float, **where: Any
    ) -> None:
        _check_factor("competing_course: factor", factor)
        state.extra["nomination_factor"][:, select_nodes(org, where)] *= np.float32(factor)

    def _buddies(
        self,
        org: CompiledOrg,
        state: State,
        t: int,
        rand: RunRandom,
        within: str = "team",
        p_accept: float = 1.0,
    ) -> None:
        if within not in BUDDY_UNITS:
            raise ValueError(
                f"buddies: within must be one of {', '.join(BUDDY_UNITS)}, got {within!r}"
            )
        if within not in org.groups:
            raise ValueError(f"buddies: the organisation has no grouping {within!r}")
        check_probability("buddies: p_accept", p_accept)
        n = org.n_nodes
        u = rand.uniform("buddies", t, n)
        run, node = np.nonzero(isolated_trained(org, state) & (u < p_accept))
        if run.size == 0:
            return
        pick = u[run, node] / np.float32(p_accept)  # uniform in [0, 1) given acceptance
        unit = org.groups[within]
        has_unit = np.asarray(org.group_labels[within], dtype=object)[unit] != ""
        tier = _BUDDY_TIER[state.code]
        buddy = state.extra["buddy"]
        for label in np.unique(unit[node][has_unit[node]]):
            members = np.flatnonzero((unit == label) & has_unit & org.is_staff.astype(bool))
            cells = np.flatnonzero(unit[node] == label)
            r, i = run[cells], node[cells]
            tiers = tier[r[:, None], members[None, :]]  # (eenlingen, members)
            tiers[members[None, :] == i[:, None]] = _NO_TIER
            best = tiers.min(axis=1)
            in_best = tiers == best[:, None]
            n_best = in_best.sum(axis=1)
            k = np.minimum((pick[cells] * n_best).astype(np.int64), n_best - 1)
            column = np.argmax(in_best & (np.cumsum(in_best, axis=1) - 1 == k[:, None]), axis=1)
            found = best < _NO_TIER
            buddy[r[found], i[found]] = members[column[found]]

    def _leader_backing(
        self, org: CompiledOrg, state: State, t: int, rand: RunRandom, level: float, **where: Any
    ) -> None:
        check_probability("leader_backing: level", level)
        floor = state.extra["support_floor"]
        chosen = select_nodes(org, where)
        floor[:, chosen] = np.maximum(floor[:, chosen], np.float32(level))


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _named(
    prep: IdeasPrep,
    plain: np.ndarray,
    nominates: np.ndarray,
    u: np.ndarray,
    pair: float | np.ndarray,
) -> np.ndarray:
    """Who the nominating managers name in a round (:meth:`IdeasModel.nomination_weights`).

    Parameters
    ----------
    prep : IdeasPrep
    plain : float array ``(runs, nodes)``
        Plain nomination weights, >= 0 (0 for whoever may not take a seat).
    nominates : bool array ``(runs, leaders)``
        Whether each manager nominates this round.
    u : float32 array ``(runs, 3 * leaders)``
        Per manager: the draw for naming two (columns ``0..L-1``, ``< pair``), then the draws
        of the first and of the second pick (inverse CDF over the manager's direct reports,
        weighted by ``plain``; the second pick excludes the first).
    pair : float, or float array ``(runs,)``
        Probability that a nominating manager names two people (per run: each run's own).

    Returns
    -------
    bool array ``(runs, nodes)``
        True for the people named this round. A manager whose reports all weigh 0 names no
        one.

    Notes
    -----
    A pick is the first of the manager's reports (in ``prep.report_order``) whose running
    total of the weights (float64, added one report after the other) exceeds the draw times
    their total; for the second pick, the first weighs 0. A manager's picks depend on their
    reports' weights and their draws only, not on the other runs of the batch.
    """
    n_runs, n = plain.shape
    n_leaders = nominates.shape[1]
    named = np.zeros((n_runs, n), dtype=bool)
    runs, cols = np.nonzero(nominates)
    order, bounds = prep.report_order, prep.report_bounds
    if runs.size == 0 or order.size == 0:
        return named
    length = bounds[cols + 1] - bounds[cols]
    limit = np.float32(pair)
    two = u[runs, cols] < (limit[runs] if limit.ndim else limit)
    # managers with about as many reports together (lists up to a power of two long), so
    # that a few managers of many do not pad everyone's list: the zeros at the end of a
    # padded list change no running total
    span = np.ceil(np.log2(np.maximum(length, 1))).astype(np.int64)
    for width in np.unique(span):
        these = np.flatnonzero(span == width)
        _name_picks(named, order, bounds, u, n_leaders, runs[these], cols[these], two[these], plain)
    return named


def _name_picks(
    named: np.ndarray,
    order: np.ndarray,
    bounds: np.ndarray,
    u: np.ndarray,
    n_leaders: int,
    runs: np.ndarray,
    cols: np.ndarray,
    two: np.ndarray,
    plain: np.ndarray,
) -> None:
    """Mark in ``named`` the picks of nominating managers (:func:`_named`).

    ``cols`` are the managers, ``runs`` their runs, ``two`` whether each names a second
    person; the other arguments are :func:`_named`'s.
    """
    # the managers' reports, one column each, padded to the longest list
    length = bounds[cols + 1] - bounds[cols]
    k = np.arange(max(int(length.max()), 1))[:, None]
    report = order[np.minimum(bounds[cols] + k, bounds[cols + 1] - 1)]  # (reports, managers)
    # plain[runs, report] by flat position (one gather instead of a 2-d fancy index)
    weights = np.where(k < length, plain.reshape(-1)[runs * plain.shape[1] + report], 0.0)
    weights = weights.astype(np.float64)
    for pick, asked in enumerate((np.ones_like(two), two)):
        running = weights.copy()
        for j in range(1, running.shape[0]):  # each manager's own running total, in order
            running[j] += running[j - 1]
        total = running[-1]
        who = np.flatnonzero(asked & (total > 0))
        target = u[runs[who], (pick + 1) * n_leaders + cols[who]].astype(np.float64) * total[who]
        at = np.minimum((running[:, who] <= target).sum(axis=0), length[who] - 1)
        named[runs[who], report[at, who]] = True
        weights[at, who] = 0.0  # the second pick is among the others


def eligible_for_seats(org: CompiledOrg, state: State) -> np.ndarray:
    """Bool ``(runs, nodes)``.

    Staff who may take a cohort seat (unaware, aware, adopter, lapsed: everyone who has not taken
    the course and does not resist it).
    """
    # the code's bit of _ELIGIBLE_BITS: a table lookup without an index array
    eligible = ((_ELIGIBLE_BITS >> state.code.view(np.uint8)) & np.uint8(1)).view(bool)
    eligible &= org.is_staff.astype(bool)[None, :]
    return eligible


def _receptivity(
    prep: IdeasPrep, state: State, node: np.ndarray | slice, run: np.ndarray | None = None
) -> np.ndarray:
    """Receptivity in [0, 1] of ``node`` in every run, or of the cells ``(run, node)``.

    The base by side and role (:func:`_base_receptivity`) times the shocks
    (``state.extra["receptivity_factor"]``), on the hard side also times ``1 +
    hard_side_opening_per_year * years`` (years since step 0: the hard side enters late,
    mechanism 7); capped at 1. Parameters given per run take each run's value.

    Parameters
    ----------
    prep : IdeasPrep
    state : State
    node : int array ``(k,)`` or slice
        The people asked about.
    run : int array ``(k,)``, optional
        Their runs (then ``node`` is an array of the same shape); default every run.

    Returns
    -------
    float32 array ``(runs, k)``, or ``(k,)`` with ``run``
    """
    factor = state.extra["receptivity_factor"]
    if run is None:
        factor, years = factor[:, node], _years(state)
    else:
        factor, years = _at(factor, run, node), _years(state, run)
    base, rate = prep.receptivity[node], np.float32(prep.hard_opening)
    if prep.row_params and not _RECEPTIVITY.isdisjoint(prep.row_params):

        def value(name: str) -> Any:
            return _param(prep, state, name, run)

        base = _base_receptivity(
            prep.hard[node] > 0,
            prep.policy_officer[node],
            prep.staff[node],
            value("receptivity_soft"),
            value("receptivity_hard"),
            value("receptivity_policy_officer"),
        )
        rate = np.float32(value("hard_side_opening_per_year"))
    # in place where the same numbers allow: fewer (runs, nodes) temporaries
    opening = rate * years * prep.hard[node]
    opening += 1.0
    out = base * factor
    out *= opening
    return np.minimum(out, np.float32(1), out=out)


def _base_receptivity(
    hard: np.ndarray,
    officer: np.ndarray,
    staff: np.ndarray,
    soft: float | np.ndarray,
    hard_level: float | np.ndarray,
    officer_factor: float | np.ndarray,
) -> np.ndarray:
    """Receptivity by side and role, float32 (mechanism 7; before shocks and opening).

    ``receptivity_hard`` on the hard side, ``receptivity_soft`` elsewhere, times
    ``receptivity_policy_officer`` for policy officers; 0 outside the staff. The masks
    ``hard``, ``officer``, ``staff`` broadcast with the values (numbers, or per run).
    """
    level = np.where(hard, hard_level, soft) * np.where(officer, officer_factor, 1)
    return (level * staff).astype(np.float32)


def _role_factor(
    team_leader: np.ndarray,
    top_role: np.ndarray,
    staff: np.ndarray,
    leader_factor: float | np.ndarray,
    top_factor: float | np.ndarray,
) -> np.ndarray:
    """Nomination weight factor of the role, float32 (mechanism 1).

    ``nomination_team_leader`` for team leaders, ``nomination_top`` for heads and the
    secretary, 1 for other staff, 0 outside the staff; masks ``(nodes,)`` broadcast with
    the factors (numbers, or ``(runs, 1)`` per run).
    """
    factor = np.where(team_leader, leader_factor, np.where(top_role, top_factor, 1.0))
    return (factor * staff).astype(np.float32)


def _state_factor(aware: float | np.ndarray, adopter: float | np.ndarray) -> np.ndarray:
    """Nomination weight factor of each state, float32 ``(states,)`` or ``(runs, states)``.

    1 for unaware, ``nomination_aware`` for aware and lapsed, ``nomination_adopter`` for
    adopters, 0 for the states that take no seat (:func:`eligible_for_seats`); per run where
    either is ``(runs, 1)``.
    """
    both = np.broadcast_arrays(np.asarray(aware, np.float64), np.asarray(adopter, np.float64))
    a, d = (v[..., 0] if v.ndim else v for v in both)
    table = np.zeros((*a.shape, len(STATES)), np.float32)
    table[..., UNAWARE] = 1.0
    table[..., AWARE] = a
    table[..., LAPSED] = a
    table[..., ADOPTER] = d
    return table


def _support_table(
    unaware: float | np.ndarray, aware: float | np.ndarray, adopted: float | np.ndarray
) -> np.ndarray:
    """Support level of a leader in each state, float32 ``(states,)`` (mechanism 3).

    ``support_unaware`` for unaware, lapsed and dropped out, ``support_aware``,
    ``support_adopted`` for trained and adopters, 0 for resistant. Given per run (arrays
    ``(runs,)``, the others broadcast), one row per run: ``(runs, states)``.
    """
    u, a, d = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (unaware, aware, adopted)))
    table = np.empty((*u.shape, len(STATES)), dtype=np.float32)
    table[...] = u[..., None]
    table[..., AWARE] = a
    table[..., TRAINED] = d
    table[..., ADOPTER] = d
    table[..., RESISTANT] = 0.0
    return table


def _by_state(table: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Look up ``table`` ``(states,)`` or ``(runs, states)`` at the codes ``(runs, k)``."""
    if table.ndim == 1:
        return np.take(table, code)
    return np.take_along_axis(table, code.astype(np.intp), axis=1)


def _support_levels(
    prep: IdeasPrep, state: State, codes: np.ndarray, run: np.ndarray | None = None
) -> np.ndarray:
    """Support level of leaders in the states ``codes``, float32.

    ``codes`` ``(runs, k)`` for every run, or ``(k,)`` for the cells of the runs ``run``; each
    run's own levels where a support level varies by run (``prep.support_level`` has a row
    per run of the simulation).
    """
    table = prep.support_level
    if table.ndim == 1:
        return table[codes]
    rows = state.extra["row"]
    return table[rows[:, None], codes] if run is None else table[rows[run], codes]


def _param(
    prep: IdeasPrep,
    state: State,
    name: str,
    run: np.ndarray | None = None,
    *,
    column: bool = True,
) -> Any:
    """Value of parameter ``name`` for the runs of ``state``.

    The number where it is one; where it is given per run, float64 values of the batch's runs:
    ``(runs, 1)`` (``(runs,)`` without ``column``), or ``(k,)`` at the runs ``run``
    (``state.extra["row"]`` maps the batch's runs to the simulation's).
    """
    values = prep.row_params.get(name)
    if values is None:
        return getattr(prep.params, name)
    rows = state.extra["row"]
    if run is not None:
        return values[rows[run]]
    return values[rows][:, None] if column else values[rows]


def _largest(prep: IdeasPrep, name: str) -> float:
    """Return the largest value of parameter ``name`` in the simulation.

    The number where it is one, the largest of its per-run values where it is given per run.
    """
    values = prep.row_params.get(name)
    return float(getattr(prep.params, name) if values is None else values.max())


def _column(value: float | np.ndarray) -> float | np.ndarray:
    """Return a number as it is, a per-run array ``(runs,)`` as a column ``(runs, 1)``."""
    return value[:, None] if isinstance(value, np.ndarray) else value


def _one_value(params: IdeasParams) -> Any:
    """Return the parameters as numbers, NaN for those given per run (for prep's arrays)."""
    return SimpleNamespace(
        **{
            f.name: math.nan
            if isinstance(getattr(params, f.name), np.ndarray)
            else getattr(params, f.name)
            for f in fields(params)
        }
    )


def _years(state: State, run: np.ndarray | None = None) -> np.ndarray:
    """Years since step 0 of each run, float32 ``(runs, 1)`` (or ``(cells,)`` for ``run``)."""
    t = state.extra["t"].astype(np.float32) / np.float32(_WEEKS_PER_YEAR)
    return t[:, None] if run is None else t[run]


def _leader_levels(prep: IdeasPrep, state: State) -> np.ndarray:
    """Support level of every leader in every run, float32 ``(runs, leaders + 1)``.

    The level of their state (``support_level``), at least their ``support_floor``; the last column
    (no leader) is neutral (:data:`_NO_LEADER`).
    """
    code, floor = state.code, state.extra["support_floor"]
    at = prep.leaders
    own = np.maximum(_support_levels(prep, state, code[:, at]), floor[:, at])
    return np.pad(own, ((0, 0), (0, 1)), constant_values=np.float32(_NO_LEADER))


def _leader_support(
    prep: IdeasPrep, state: State, node: np.ndarray, run: np.ndarray | None = None
) -> np.ndarray:
    """Support ``S`` in [0, 1] of the first- and second-line managers (mechanism 3).

    A leader's level is that of their state (``support_level``), at least their
    ``support_floor``; a missing leader counts as neutral (:data:`_NO_LEADER`). Staff with a
    ``board`` tie (``prep.board_backed``) get at least the board's backing level
    (``state.extra["board"]``: ``alderman_backing`` until the alderman leaves): the alderman
    backed Chris and Anja's team in particular, not the organisation as a whole.

    Parameters
    ----------
    prep : IdeasPrep
    state : State
    node : int array ``(cells,)``
        The people asked about.
    run : int array ``(cells,)``, optional
        Their runs; default every run (then the result is ``(runs, cells)``, and each
        leader's level is worked out once per run).

    Returns
    -------
    float32 array ``(cells,)``, or ``(runs, cells)`` without ``run``
    """
    code, floor = state.code, state.extra["support_floor"]
    leader = np.append(prep.leaders, -1)  # by column; the last one: no leader

    def level(rows: np.ndarray, col: np.ndarray) -> np.ndarray:
        at = np.maximum(leader[col], 0)
        own = np.maximum(
            _support_levels(prep, state, _at(code, rows, at), rows), _at(floor, rows, at)
        )
        return np.where(col < prep.leaders.size, own, np.float32(_NO_LEADER))

    first, second = prep.first_col[node], prep.second_col[node]
    board, backed = state.extra["board"], prep.board_backed[node]
    if run is None:
        table = _leader_levels(prep, state)  # (runs, leaders + 1)
        first, second = table[:, first], table[:, second]
        floor = board[:, None] * backed[None, :]
    else:
        first, second = level(run, first), level(run, second)
        floor = board[run] * backed
    share = np.float32(prep.head_share)
    return np.maximum((1 - share) * first + share * second, floor)


def _buddy_support(
    code: np.ndarray, buddy: np.ndarray, run: np.ndarray, node: np.ndarray
) -> np.ndarray:
    """Return 1 where the person ``(run, node)`` has a buddy who still supports them, else 0.

    A ``buddies`` buddy supports while :data:`BUDDY_SUPPORT` holds; float32 of the shape of
    ``run``.

    Parameters
    ----------
    code : int8 array ``(runs, nodes)``
    buddy : int32 array ``(runs, nodes)``
        Position of each person's buddy, -1 none.
    run, node : int arrays, same shape
        The cells asked about.
    """
    b = _at(buddy, run, node)
    has = b >= 0
    return np.where(has, BUDDY_SUPPORT[_at(code, run, np.maximum(b, 0))], np.float32(0))


def _at(values: np.ndarray, run: np.ndarray, node: np.ndarray) -> np.ndarray:
    """``values[run, node]`` for a C-ordered ``(runs, nodes)`` array, by flat position.

    The same elements as the 2-d fancy index, several times faster for a few thousand cells
    (one gather instead of numpy's multi-index iteration).
    """
    return values.reshape(-1)[run * values.shape[1] + node]


def _equal(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two contiguous 1-d int8 arrays are equal (compared as the widest words)."""
    for wide in (np.uint64, np.uint32, np.uint16):
        if a.size % np.dtype(wide).itemsize == 0:
            return bool(np.array_equal(a.view(wide), b.view(wide)))
    return bool(np.array_equal(a, b))


def _exposure_to(prep: IdeasPrep, code: np.ndarray, state: int) -> np.ndarray:
    """Return each person's summed influence from the people in ``state``, ``(runs, nodes)``.

    ``influence @ (code == state)`` per run, float32: the rows of ``influence_t`` of the few
    people in the state added up (:func:`diffusion.jit.add_rows`), in the order of the
    sparse product's sums, so bit for bit its result.
    """
    from diffusion import jit  # numba: imported where it is used, not with the package

    n_runs, n = code.shape
    out = np.zeros(n_runs * n, dtype=np.float32)
    run, node = split_cells(np.flatnonzero(code.reshape(-1) == state), n)
    w = prep.influence_t
    ones = np.ones(run.size, dtype=np.float32)
    jit.add_rows(out, run, node, ones, 0, n, w.indptr, w.indices, w.data)
    return out.reshape(n_runs, n)


def _spread(w: sp.csr_array, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the entries of the rows ``rows`` of ``w``.

    For each, the item ``k`` it came from (an index into ``rows``), its column and its weight (a
    gathered sparse row expansion).
    """
    start = w.indptr[rows]
    count = w.indptr[rows + 1] - start
    item = np.repeat(np.arange(rows.size), count)
    entry = np.arange(item.size) + np.repeat(start - (np.cumsum(count) - count), count)
    return item, w.indices[entry].astype(np.int64), w.data[entry]


def _check_factor(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and 0.0 <= value < np.inf):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


def isolated_trained(org: CompiledOrg, state: State) -> np.ndarray:
    """Return the eenlingen: trained people with no like-minded colleague nearby.

    "Nearby" is the direct work environment: ties of kind ``cluster``, ``team``, line ties
    in either direction and ``buddy`` (:data:`NEAR_KINDS`); like-minded means trained or
    adopter. A buddy of the ``buddies`` action (``state.extra["buddy"]``, per run) counts
    too while they support (unaware, aware, trained or adopter; :data:`BUDDY_SUPPORT`).

    Parameters
    ----------
    org : CompiledOrg
    state : State
        A state of :class:`IdeasModel`, ``code`` ``(runs, nodes)``; without a ``buddy``
        array, nobody has a ``buddies`` buddy.

    Returns
    -------
    bool array ``(runs, nodes)``
    """
    near = sp.csr_array((org.n_nodes, org.n_nodes), dtype=np.float32)
    for kind in NEAR_KINDS:
        near = near + org.weight(kind)
    code = state.code
    like_minded = ((code == TRAINED) | (code == ADOPTER)).astype(np.float32)
    lonely = (code == TRAINED) & ((sp.csr_array(near) @ like_minded.T).T <= 0)
    buddy = state.extra.get("buddy")
    if buddy is not None:
        run, node = np.nonzero(lonely)
        lonely[run, node] = _buddy_support(code, buddy, run, node) == 0
    return lonely
