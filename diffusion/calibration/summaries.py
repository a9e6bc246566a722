"""The patterns of Table 1, computed from simulated per-person first steps.

One vector of statistics describes who took the course by the cut-off date (autumn 2018).
Each is a pattern the field study reports ("Steentjes in de vijver", 2018: section "Impact:
is er een beweging?", subsection "Een groeiende groep mensen" with Table 1; the discussion,
"Discussie: hoe nu verder…"; cited by section, as the text carries no page markers):

============================== ==============================================================
name                           meaning (observed value)
============================== ==============================================================
``team:T1`` .. ``team:T14``    people of the team who took the course (Table 1's row totals)
``department:O`` ..            the same per department (O 3, C 12, S 16, B 3)
``share:soft``                 share of the participants in the soft side, C and S (28/34)
``share:top2``                 share in the two largest teams, any two (15/34: T8 and T4)
``team_leaders``               team leaders who took the course (4 of 14)
``hard_team_leaders``          of them, on the hard side (2: T3 and T14)
``leader_first``               teams whose first participant is their team leader (3: T3, T9,
                               T14; T3's leader came with an employee)
``cells``                      team-cohort cells: (team, cohort) pairs with a participant (27)
``pairs``                      cells with exactly two people of the team (7)
``cells_3plus``                cells with three or more (0)
``cells:T8``, ``pairs:T8``     T8's cells (6) and pairs (3): its order of cells in Table 1
``cells:T11``, ``pairs:T11``   T11's cells (5) and pairs (0): Anja, then four, one by one
``heads_or_secretary``         heads of department and the secretary among them (0)
``policy_officers``            policy officers among them ("practically none", discussion: coded 1)
``hard_from_2018``             hard-side participants whose cohort started in 2018 (4: the two
                               new sign-ups of O and T14's two employees: "Een groeiende
                               groep mensen", "Wat betekent dit?")
``order:first_cohort``         participants in the first cohort, LC1 (2)
``order:regular_inflow``       share of the listed cohorts from 2017 on with a participant (1)
``order:<T>_leader_at_<C>``    1 if team ``T``'s leader entered at cohort ``C`` (T8 at LC3)
``order:<T>_first_at_<C>``     1 if team ``T``'s first participant entered at cohort ``C`` (T8
                               at LC1: the two employees who started; T11 at LC8: Anja)
============================== ==============================================================

A cell is a team's participants in one cohort, so cohorts must start on distinct steps
(the baseline's LC11/LC12 and LC14/LC15 start a week apart). The observed vector
(:mod:`diffusion.calibration.observed`, from Table 1 cell by cell) and the simulated ones go
through the same :func:`assemble`, so the derived statistics are computed in one way only.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from diffusion.compile import CompiledOrg
from diffusion.errors import InputError
from diffusion.events import Cohort
from diffusion.study import Study
from diffusion.vocabulary import TEAM_LEADING_ROLES

#: the states of everyone who took the course (Table 1 counts participants, not adopters)
TOOK_COURSE: tuple[str, ...] = ("trained", "dropped_out")
#: the milestone under which the engine records each person's first step in those states
MILESTONE = "took_course"
#: Table 1 counts the participants of the cohorts up to LC19 (summer-autumn 2018)
CUTOFF = dt.date(2018, 10, 1)


def load_to_cutoff(path: str | os.PathLike[str], overrides: Sequence[str] = ()) -> Any:
    """Load the scenario file ``path`` with its calendar ending at :data:`CUTOFF`.

    The file (with ``overrides``) is validated as it is first, so a problem of its own is said
    even where the cut-off's ``calendar.end`` replaces the key that has it (e.g. a bad
    ``calendar.years``). ``overrides`` come after the cut-off (``calendar.end=...`` wins).
    Returns a :class:`~diffusion.scenario.load.LoadedScenario`.
    """
    from diffusion.scenario.load import load_scenario

    load_scenario(path, overrides)
    return load_scenario(path, [cutoff_override(), *overrides])


def cutoff_override() -> str:
    """Return the fit's ``calendar.end = CUTOFF`` as an override naming where it comes from."""
    from diffusion.scenario.overrides import Override

    return Override(f"calendar.end={CUTOFF.isoformat()}", "the fit ends at Table 1's date")


_LEADER_KEY = re.compile(r"^(?P<team>\w+?)_team_leader_cohort$")
_FIRST_KEY = re.compile(r"^(?P<team>\w+?)_first_participant_cohort$")


@dataclass(frozen=True)
class OrderFacts:
    """The known order of Table 1's participants, as read from the facts.

    Attributes
    ----------
    first_cohort : str
        Name of the first cohort (``"LC1"``).
    first_cohort_participants : int
        Its participants.
    regular_from : int
        Year from which every listed cohort had participants (``2017``).
    leader_at : tuple of (team, cohort)
        Teams whose leader entered at a known cohort (``("T8", "LC3")``).
    first_at : tuple of (team, cohort)
        Teams whose first participant entered at a known cohort (``("T11", "LC8")``).
    """

    first_cohort: str
    first_cohort_participants: int
    regular_from: int
    leader_at: tuple[tuple[str, str], ...]
    first_at: tuple[tuple[str, str], ...]

    @classmethod
    def from_facts(cls, facts: Mapping[str, Any]) -> OrderFacts:
        """Read ``facts["observed"]["known_order"]`` (:func:`diffusion.org.etten_leur.facts`)."""
        order = facts["observed"]["known_order"]
        leader_at, first_at = [], []
        for key, value in order.items():
            if m := _LEADER_KEY.match(key):
                leader_at.append((m["team"], str(value)))
            elif m := _FIRST_KEY.match(key):
                first_at.append((m["team"], str(value)))
        return cls(
            first_cohort=str(order["first_cohort"]),
            first_cohort_participants=int(order["first_cohort_participants"]),
            regular_from=int(order["regular_inflow_from"]),
            leader_at=tuple(leader_at),
            first_at=tuple(first_at),
        )


#: teams whose cells and pairs are statistics of their own (the order Table 1 shows)
CELL_TEAMS: tuple[str, ...] = ("T8", "T11")
#: roles of the top: the heads of department and the secretary (none in Table 1)
TOP_ROLES: tuple[str, ...] = ("head", "secretary")
#: the year from which a hard-side participant counts as a late entry
LATE_YEAR = 2018

#: the scalar patterns between the concentration shares and the known order, in order
SCALARS: tuple[str, ...] = (
    "team_leaders",
    "hard_team_leaders",
    "leader_first",
    "cells",
    "pairs",
    "cells_3plus",
)
TAIL: tuple[str, ...] = ("heads_or_secretary", "policy_officers", "hard_from_2018")


def statistic_names(
    teams: Sequence[str], departments: Mapping[str, Sequence[str]], order: OrderFacts
) -> tuple[str, ...]:
    """Names of the statistics, in the order of :func:`assemble`'s last axis."""
    return (
        *(f"team:{t}" for t in teams),
        *(f"department:{d}" for d in departments),
        "share:soft",
        "share:top2",
        *SCALARS,
        *(f"{kind}:{t}" for t in CELL_TEAMS for kind in ("cells", "pairs")),
        *TAIL,
        "order:first_cohort",
        "order:regular_inflow",
        *(f"order:{t}_leader_at_{c}" for t, c in order.leader_at),
        *(f"order:{t}_first_at_{c}" for t, c in order.first_at),
    )


@dataclass(frozen=True)
class Parts:
    """The raw counts the statistics are made of, each ``(...)`` over runs (or one value).

    Attributes
    ----------
    team_counts : array ``(..., teams)``
        Participants per team.
    cell_sizes : array ``(..., teams, cohorts)``
        Participants of each team in each cohort (only the cells' sizes matter).
    team_leaders, hard_team_leaders, leader_first : array ``(...)``
        Team leaders who took part; of them on the hard side; teams whose first cohort with a
        participant included the team leader.
    heads_or_secretary, policy_officers, hard_from_2018 : array ``(...)``
        Participants of the top; policy officers; hard-side participants of cohorts from
        :data:`LATE_YEAR` on.
    first_cohort, regular_inflow : array ``(...)``
        Participants in the first cohort; share of the cohorts from the regular year on with
        a participant.
    leader_at, first_at : array ``(..., k)``
        1/0 indicators of the known order (one column per fact).
    """

    team_counts: np.ndarray
    cell_sizes: np.ndarray
    team_leaders: np.ndarray
    hard_team_leaders: np.ndarray
    leader_first: np.ndarray
    heads_or_secretary: np.ndarray
    policy_officers: np.ndarray
    hard_from_2018: np.ndarray
    first_cohort: np.ndarray
    regular_inflow: np.ndarray
    leader_at: np.ndarray
    first_at: np.ndarray


def assemble(
    parts: Parts,
    teams: Sequence[str],
    department_teams: Sequence[Sequence[int]],
    soft_departments: Sequence[int],
) -> np.ndarray:
    """Stack the statistics of :func:`statistic_names` from their parts.

    Parameters
    ----------
    parts : Parts
    teams : sequence of str
        The teams, in the order of ``parts.team_counts``' last axis.
    department_teams : sequence of sequences of int
        For each department, the indices of its teams on the last axis of ``team_counts``.
    soft_departments : sequence of int
        Indices of the soft-side departments.

    Returns
    -------
    float64 array ``(..., statistics)``
    """
    counts = np.asarray(parts.team_counts, dtype=np.float64)
    depts = np.stack([counts[..., list(idx)].sum(axis=-1) for idx in department_teams], axis=-1)
    total = counts.sum(axis=-1)
    safe = np.where(total > 0, total, 1.0)
    soft = depts[..., list(soft_departments)].sum(axis=-1) / safe
    top2 = np.sort(counts, axis=-1)[..., -2:].sum(axis=-1) / safe
    sizes = np.asarray(parts.cell_sizes, dtype=np.float64)
    per_team = [(sizes > 0).sum(axis=-1), (sizes == 2).sum(axis=-1)]  # (..., teams) each
    scalars = [
        parts.team_leaders,
        parts.hard_team_leaders,
        parts.leader_first,
        per_team[0].sum(axis=-1),
        per_team[1].sum(axis=-1),
        (sizes >= 3).sum(axis=(-2, -1)),
    ]
    by_team = [x[..., list(teams).index(t)] for t in CELL_TEAMS for x in per_team]
    tail = [parts.heads_or_secretary, parts.policy_officers, parts.hard_from_2018]
    columns = [
        soft,
        top2,
        *scalars,
        *by_team,
        *tail,
        parts.first_cohort,
        parts.regular_inflow,
    ]
    return np.concatenate(
        [
            counts,
            depts,
            np.stack([np.asarray(c, np.float64) for c in columns], axis=-1),
            np.asarray(parts.leader_at, np.float64),
            np.asarray(parts.first_at, np.float64),
        ],
        axis=-1,
    )


@dataclass(frozen=True, eq=False)
class Layout:
    """Where Table 1's groups and cohorts are in a study, to compute the statistics fast.

    Attributes
    ----------
    teams : tuple of str
        Table 1's teams, in the facts' order.
    departments : dict of str to tuple of str
        Department -> its teams (facts' order).
    soft : tuple of str
        Departments on the soft side.
    order : OrderFacts
    team_of : int array ``(nodes,)``
        Index into ``teams`` of each node's team; -1 outside them.
    leaders : int array ``(leaders,)``
        Positions of the team leaders (one per team at most).
    leader_team : int array ``(leaders,)``
        Index into ``teams`` of each leader's team.
    hard : bool array ``(nodes,)``
        Staff of the hard-side departments' teams.
    top : bool array ``(nodes,)``
        Heads of department and the secretary.
    policy : bool array ``(nodes,)``
        Policy officers.
    cutoff_step : int
        Last step counted (the week of :data:`CUTOFF`, or the last step).
    cohort_steps : int array ``(cohorts,)``
        Steps of the study's cohorts up to the cut-off, distinct and sorted.
    late_step : int
        First step of :data:`LATE_YEAR`.
    first_cohort_step : int
        Step of the first cohort.
    regular_steps : int array
        Steps of the listed cohorts from ``order.regular_from`` on (distinct).
    leader_at_steps, first_at_steps : int array ``(k,)``
        Step of each known-order cohort.
    """

    teams: tuple[str, ...]
    departments: dict[str, tuple[str, ...]]
    soft: tuple[str, ...]
    order: OrderFacts
    team_of: np.ndarray
    leaders: np.ndarray
    leader_team: np.ndarray
    hard: np.ndarray
    top: np.ndarray
    policy: np.ndarray
    cutoff_step: int
    cohort_steps: np.ndarray
    late_step: int
    first_cohort_step: int
    regular_steps: np.ndarray
    leader_at_steps: np.ndarray
    first_at_steps: np.ndarray

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the statistics, in order."""
        return statistic_names(self.teams, self.departments, self.order)

    @property
    def department_teams(self) -> list[list[int]]:
        """Indices of each department's teams in :attr:`teams`."""
        return [[self.teams.index(t) for t in ts] for ts in self.departments.values()]

    @property
    def soft_departments(self) -> list[int]:
        """Indices of the soft-side departments."""
        return [list(self.departments).index(d) for d in self.soft]

    @classmethod
    def build(cls, study: Study, facts: Mapping[str, Any], cutoff: dt.date = CUTOFF) -> Layout:
        """Return the layout of ``study`` for the facts' teams, cohorts and known order.

        Raises
        ------
        InputError
            When the study's organisation lacks a team of the facts, a cohort of the known
            order is outside the calendar, or two cohorts start on the same step (their
            cells could not be told apart).
        """
        org = study.org
        departments = {d: tuple(v["teams"]) for d, v in facts["departments"].items()}
        teams = tuple(t for ts in departments.values() for t in ts)
        soft = tuple(d for d, v in facts["departments"].items() if v.get("side") == "soft")
        order = OrderFacts.from_facts(facts)
        team_label = _labels(org, "team")
        missing = [t for t in teams if t not in set(team_label)]
        if missing:
            raise InputError(
                study.name, "organisation", f"calibration needs team {missing[0]} of Table 1"
            )
        index = {t: i for i, t in enumerate(teams)}
        team_of = np.array([index.get(t, -1) for t in team_label], dtype=np.int64)
        role = _labels(org, "role")
        leaders = np.flatnonzero(np.isin(role, TEAM_LEADING_ROLES) & (team_of >= 0))
        hard_teams = [index[t] for d, ts in departments.items() if d not in soft for t in ts]
        steps = _cohort_steps(study, facts)
        cal = study.calendar
        cutoff_step = cal.step_of(cutoff) if cal.start <= cutoff <= cal.end else cal.n_steps
        cohorts = [e for e in study.events if isinstance(e, Cohort) and e.step <= cutoff_step]
        by_step: dict[int, str] = {}
        for e in cohorts:
            base = e.name.split(":")[0]  # quota groups of one cohort share its step
            if by_step.setdefault(int(e.step), base) != base:
                raise InputError(
                    study.name,
                    "cohorts",
                    f"cohorts {by_step[int(e.step)]} and {base} start in the same week; "
                    "Table 1's cells need distinct weeks (move one by a week)",
                )
        late = dt.date(LATE_YEAR, 1, 1)
        late_step = cal.step_of(late) if cal.start <= late <= cal.end else cal.n_steps

        def step(name: str, what: str) -> int:
            if name not in steps:
                raise InputError(
                    study.name,
                    "cohorts",
                    f"calibration needs cohort {name} ({what}) in the calendar",
                )
            return steps[name]

        regular = sorted(
            {s for c, s in steps.items() if _year(facts, c) >= order.regular_from}
            - {s for s in steps.values() if s > cutoff_step}
        )
        return cls(
            teams=teams,
            departments=departments,
            soft=soft,
            order=order,
            team_of=team_of,
            leaders=leaders,
            leader_team=team_of[leaders],
            hard=np.isin(team_of, hard_teams),
            top=np.isin(role, TOP_ROLES),
            policy=role == "policy_officer",
            cutoff_step=int(cutoff_step),
            cohort_steps=np.array(sorted(by_step), dtype=np.int64),
            late_step=int(late_step),
            first_cohort_step=step(order.first_cohort, "the first cohort"),
            regular_steps=np.array(regular, dtype=np.int64),
            leader_at_steps=np.array(
                [step(c, f"{t}'s leader") for t, c in order.leader_at], dtype=np.int64
            ),
            first_at_steps=np.array(
                [step(c, f"{t}'s first participant") for t, c in order.first_at], dtype=np.int64
            ),
        )

    def parts(self, first_step: np.ndarray) -> Parts:
        """Return the raw counts of every run from its first steps in :data:`TOOK_COURSE`.

        Parameters
        ----------
        first_step : int array ``(runs, nodes)``
            ``results.first_step[MILESTONE]``: the step each person first took the course,
            -1 for never.
        """
        fs = np.asarray(first_step)
        n_runs = fs.shape[0]
        took = (fs >= 0) & (fs <= self.cutoff_step)
        in_team = self.team_of >= 0
        onehot = np.zeros((fs.shape[1], len(self.teams)))
        onehot[np.flatnonzero(in_team), self.team_of[in_team]] = 1.0
        team_counts = took @ onehot
        at_cohort = (fs[:, :, None] == self.cohort_steps[None, None, :]) & took[:, :, None]
        cell_sizes = np.einsum("rnk,nt->rtk", at_cohort.astype(np.float64), onehot)
        lead = fs[:, self.leaders]
        lead_took = took[:, self.leaders]
        team_first = np.stack(
            [_first_in_team(fs, took, self.team_of == k) for k in range(len(self.teams))],
            axis=-1,
        )  # (runs, teams)
        leader_first = (lead_took & (lead == team_first[:, self.leader_team])).sum(axis=1)
        if self.regular_steps.size:
            filled = (fs[:, :, None] == self.regular_steps[None, None, :]).any(axis=1)
            regular = filled.mean(axis=1)
        else:
            regular = np.ones(n_runs)
        leader_at = np.stack(
            [
                (lead[:, self.leader_team == self.teams.index(t)] == s).any(axis=1)
                for (t, _), s in zip(self.order.leader_at, self.leader_at_steps, strict=True)
            ]
            or [np.zeros(0)],
            axis=-1,
        ).reshape(n_runs, -1)
        first_at = np.stack(
            [
                team_first[:, self.teams.index(t)] == s
                for (t, _), s in zip(self.order.first_at, self.first_at_steps, strict=True)
            ]
            or [np.zeros(0)],
            axis=-1,
        ).reshape(n_runs, -1)
        return Parts(
            team_counts=team_counts,
            cell_sizes=cell_sizes,
            team_leaders=lead_took.sum(axis=1),
            hard_team_leaders=(lead_took & self.hard[self.leaders]).sum(axis=1),
            leader_first=leader_first,
            heads_or_secretary=(took & self.top).sum(axis=1),
            policy_officers=(took & self.policy).sum(axis=1),
            hard_from_2018=(took & self.hard & (fs >= self.late_step)).sum(axis=1),
            first_cohort=(took & (fs == self.first_cohort_step)).sum(axis=1),
            regular_inflow=regular,
            leader_at=leader_at,
            first_at=first_at,
        )

    def statistics(self, first_step: np.ndarray) -> np.ndarray:
        """Return the statistics of every run, float64 ``(runs, statistics)`` (:meth:`parts`)."""
        return assemble(
            self.parts(first_step), self.teams, self.department_teams, self.soft_departments
        )


def _first_in_team(fs: np.ndarray, took: np.ndarray, members: np.ndarray) -> np.ndarray:
    """First step at which anyone of ``members`` took the course, ``(runs,)``; -1 if none."""
    big = np.iinfo(np.int64).max
    steps = fs[:, members].astype(np.int64)
    first = np.where(took[:, members], steps, big).min(axis=1, initial=big)
    return np.where(first == big, -1, first)


def _labels(org: CompiledOrg, grouping: str) -> np.ndarray:
    if grouping not in org.groups:
        return np.full(org.n_nodes, "", dtype=object)
    return np.asarray(org.group_labels[grouping], dtype=object)[org.groups[grouping]]


def _year(facts: Mapping[str, Any], cohort: str) -> int:
    for c in facts.get("cohorts", ()):
        if c["name"] == cohort:
            return c["start"].year
    return -1


def _cohort_steps(study: Study, facts: Mapping[str, Any]) -> dict[str, int]:
    """Step of each of the facts' cohorts: the study's cohort of that name, else its date."""
    named = {e.name: e.step for e in study.events if isinstance(e, Cohort)}
    cal = study.calendar
    steps = {}
    for c in facts.get("cohorts", ()):
        if c["name"] in named:
            steps[c["name"]] = int(named[c["name"]])
        elif cal.start <= c["start"] <= cal.end:
            steps[c["name"]] = cal.step_of(c["start"])
    return steps
