"""User-facing event kinds -> the engine's events (:mod:`diffusion.events`).

=================== =============================================== ==========================
kind                engine events                                   mechanism (model-from-seed)
=================== =============================================== ==========================
cohort / cohorts    ``Cohort`` (one per quota group)                1 recruitment
new_secretary       ``ModelAction("top_change", secretary_support)`` 4, 5 top support, changes
alderman_leaves     ``RemoveTies("board", alderman)`` +             5 changes at the top
                    ``ModelAction("top_change", alderman_leaves)``
buddies             :class:`Buddies` (the model's ``buddies``)       6 isolation and lapse
taster_workshop     ``ModelAction("taster", nodes=attendees)``      1 recruitment
network_project     ``AddTies("project")`` between all members      11 network project
forum_starts        ``RemoveTies(kind)`` at step 0, ``AddTies(kind)``  9 ties across teams
                    of the same pairs and weights at its date
leader_backing      ``ModelAction("leader_backing", level, team,     3 leader support
                    role=team leaders)``
landscape_shock     ``ModelAction("landscape_shock", factor)``      7 receptivity
top_down_push       ``ModelAction("top_down_push", strength)``      10 counter-movement
reorganisation      ``AddTies("team")`` (merge) or :class:`CutTies`  9 silos (team boundaries)
                    (split)
=================== =============================================== ==========================

Choices that are drawn (a taster's attendees, a merged team's new ties) are drawn once per
scenario from its ``seed`` and the event's place, so they are the same in every run: they
are decisions of the organisation, not chance within a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import scipy.sparse as sp

from diffusion.calendar import Calendar
from diffusion.compile import CompiledOrg
from diffusion.events import AddTies, Batch, Cohort, Event, ModelAction, RemoveTies
from diffusion.models.base import Model
from diffusion.scenario import schema as s
from diffusion.vocabulary import DEFAULT_TIE_WEIGHTS, TEAM_LEADING_ROLES

#: the model action each event kind needs (checked against the scenario's model)
REQUIRED_ACTION: dict[str, str] = {
    "new_secretary": "top_change",
    "alderman_leaves": "top_change",
    "buddies": "buddies",
    "taster_workshop": "taster",
    "landscape_shock": "landscape_shock",
    "leader_backing": "leader_backing",
    "top_down_push": "top_down_push",
}


# ------------------------------------------------------------------------------ event classes
@dataclass(frozen=True)
class Buddies(Event):
    """Pair each isolated trained person with a like-minded colleague nearby, per run.

    Buddies depend on each run's state and the organisation's ties are shared by the runs,
    so the pairing lives in the model's state: this calls the model's ``buddies`` action
    (with ``within``) and refuses a model that lacks it.
    """

    within: str = "team"

    def check(self, model: Model, org: CompiledOrg) -> None:
        """Raise ValueError if the model has no ``buddies`` action taking ``within``."""
        model.check_action(org, "buddies", {"within": self.within})

    def apply(self, batch: Batch) -> None:
        """Apply the action to the batch's model."""
        batch.model.act(
            batch.org, batch.prep, batch.state, batch.t, batch.rand, "buddies", within=self.within
        )


@dataclass(frozen=True)
class CutTies(Event):
    """Remove the ties of ``kind`` between the people at ``first`` and those at ``second``."""

    kind: str = "team"
    first: tuple[int, ...] = ()
    second: tuple[int, ...] = ()

    def apply(self, batch: Batch) -> None:
        """Apply the change of ties to the batch."""
        w = batch.org.weights.get(self.kind)
        if w is None:
            return
        n = batch.org.n_nodes
        a, b = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        a[list(self.first)], b[list(self.second)] = True, True
        coo = sp.coo_array(w)
        keep = ~((a[coo.row] & b[coo.col]) | (b[coo.row] & a[coo.col]))
        weights = dict(batch.org.weights)
        weights[self.kind] = sp.csr_array(
            (coo.data[keep], (coo.row[keep], coo.col[keep])), shape=w.shape, dtype=np.float32
        )
        batch.org = batch.org.with_weights(weights)
        batch.refresh()


# ------------------------------------------------------------------------------ mapping
def engine_events(scenario: s.Scenario, org: CompiledOrg, calendar: Calendar) -> list[Event]:
    """Return the engine events of a (checked) scenario: cohorts first, then the other events.

    Events after the calendar's end (left in by a shortened calendar) are left out.
    """
    out: list[Event] = []
    for _, cohort in scenario.all_cohorts(calendar.end):
        if cohort.date <= calendar.end:
            out += cohort_events(cohort, calendar.step_of(cohort.date), org)
    for index, spec in enumerate(scenario.events):
        if not isinstance(spec, s.Cohort) and spec.date <= calendar.end:
            rng = np.random.default_rng([scenario.seed, index])
            out += event_to_engine(spec, calendar.step_of(spec.date), org, rng)
    return out


def cohort_events(cohort: s.Cohort, step: int, org: CompiledOrg) -> list[Event]:
    """One ``Cohort``, or one per quota group (each drawing among its group only)."""
    if cohort.quotas is not None:
        grouping, seats = next(iter(cohort.quotas.items()))
        return [
            Cohort(
                step, name=f"{cohort.name}:{label}", seats=n, candidates=org.mask(grouping, label)
            )
            for label, n in seats.items()
        ]
    include = tuple(org.index[i] for i in cohort.ids)
    return [Cohort(step, name=cohort.name, seats=cohort.n_seats, include=include)]


def event_to_engine(
    spec: s.NewSecretary
    | s.AldermanLeaves
    | s.Buddies
    | s.TasterWorkshop
    | s.NetworkProject
    | s.ForumStarts
    | s.LeaderBacking
    | s.LandscapeShock
    | s.TopDownPush
    | s.Reorganisation,
    step: int,
    org: CompiledOrg,
    rng: np.random.Generator,
) -> list[Event]:
    """Return the engine events of one scenario event (not a cohort) at ``step``."""
    if isinstance(spec, s.NewSecretary):
        args = {"secretary_support": spec.support} | _loss(spec.loss)
        return [ModelAction(step, "top_change", args)]
    if isinstance(spec, s.AldermanLeaves):
        args = {"alderman_leaves": True} | _loss(spec.loss)
        return [
            RemoveTies(step, kind="board", nodes=(org.index[spec.alderman],)),
            ModelAction(step, "top_change", args),
        ]
    if isinstance(spec, s.Buddies):
        return [Buddies(step, within=spec.within)]
    if isinstance(spec, s.TasterWorkshop):
        unit = ("team", spec.team) if spec.team is not None else ("department", spec.department)
        pool = np.flatnonzero(org.mask(*unit) & org.is_staff)
        chosen = pool if spec.reached >= pool.size else rng.choice(pool, spec.reached, False)
        return [ModelAction(step, "taster", {"nodes": tuple(int(i) for i in np.sort(chosen))})]
    if isinstance(spec, s.NetworkProject):
        return [_project(spec, step, org, rng)]
    if isinstance(spec, s.ForumStarts):
        return _forum(spec.ties, step, org)
    if isinstance(spec, s.LeaderBacking):
        args = {"level": spec.level, "team": list(spec.teams), "role": list(TEAM_LEADING_ROLES)}
        return [ModelAction(step, "leader_backing", args)]
    if isinstance(spec, s.LandscapeShock):
        where = {"side": spec.side} if spec.side is not None else {"department": spec.department}
        return [ModelAction(step, "landscape_shock", {"factor": spec.factor, **where})]
    if isinstance(spec, s.TopDownPush):
        return [ModelAction(step, "top_down_push", {"strength": spec.strength})]
    if isinstance(spec, s.Reorganisation):
        return [_merge(spec, step, org, rng) if spec.merge else _split(spec, step, org)]
    raise TypeError(f"no engine mapping for event {type(spec).__name__}")


def _forum(kind: str, step: int, org: CompiledOrg) -> list[Event]:
    """Return events removing the ties of ``kind`` at step 0 and adding them back at ``step``.

    Same pairs and weights; one ``AddTies`` per distinct weight.
    """
    w = sp.triu(sp.coo_array(org.weight(kind)), k=1).tocoo()
    events: list[Event] = [RemoveTies(0, kind=kind)]
    for weight in np.unique(w.data):
        at = w.data == weight
        events.append(
            AddTies(
                step,
                kind=kind,
                sources=tuple(int(i) for i in w.col[at]),
                targets=tuple(int(i) for i in w.row[at]),
                weight=float(weight),
            )
        )
    return events


def _loss(loss: float | None) -> dict[str, float]:
    return {} if loss is None else {"support_loss": loss}


def team_members(org: CompiledOrg, team: str, leaders_only: bool = False) -> np.ndarray:
    """Positions of the staff of ``team`` (only those who lead it with ``leaders_only``)."""
    mask = org.mask("team", team) & org.is_staff
    if leaders_only:
        mask &= np.isin(org.groups["role"], _codes(org, "role", TEAM_LEADING_ROLES))
    return np.flatnonzero(mask)


def _codes(org: CompiledOrg, grouping: str, labels: tuple[str, ...]) -> list[int]:
    known = org.group_labels[grouping]
    return [known.index(label) for label in labels if label in known]


def _project(
    spec: s.NetworkProject, step: int, org: CompiledOrg, rng: np.random.Generator
) -> AddTies:
    members: set[int] = set()
    for team in spec.teams:
        pool = team_members(org, team, spec.people == "team_leaders" and not spec.per_team)
        if spec.per_team is not None and spec.per_team < pool.size:
            pool = rng.choice(pool, spec.per_team, replace=False)
        members |= {int(i) for i in pool}
    members |= {org.index[i] for i in spec.ids}
    pairs = list(combinations(sorted(members), 2))
    weight = spec.weight if spec.weight is not None else DEFAULT_TIE_WEIGHTS["project"]
    return AddTies(
        step,
        kind="project",
        sources=tuple(a for a, _ in pairs),
        targets=tuple(b for _, b in pairs),
        weight=weight,
    )


def _merge(spec: s.Reorganisation, step: int, org: CompiledOrg, rng: np.random.Generator) -> Event:
    teams = [team_members(org, team) for team in spec.merge]
    pairs = [
        (int(a), int(b))
        for x, y in combinations(range(len(teams)), 2)
        for a in teams[x]
        for b in teams[y]
    ]
    drawn = rng.random(len(pairs)) < spec.density
    pairs = [p for p, keep in zip(pairs, drawn, strict=True) if keep]
    weight = spec.weight if spec.weight is not None else DEFAULT_TIE_WEIGHTS["team"]
    return AddTies(
        step,
        kind="team",
        sources=tuple(a for a, _ in pairs),
        targets=tuple(b for _, b in pairs),
        weight=weight,
    )


def _split(spec: s.Reorganisation, step: int, org: CompiledOrg) -> Event:
    """Halves by cluster.

    The first half of the clusters (and the unclustered, such as the team leader) against the rest;
    by node order when the team has one cluster or none.
    """
    assert spec.split is not None
    members = team_members(org, spec.split)
    clusters = org.groups["cluster"][members]
    labels = np.unique(clusters)
    named = [c for c in labels if org.group_labels["cluster"][c]]
    if len(named) >= 2:
        second_half = set(named[(len(named) + 1) // 2 :])
        in_second = np.isin(clusters, list(second_half))
    else:
        in_second = np.arange(members.size) >= (members.size + 1) // 2
    first = tuple(int(i) for i in members[~in_second])
    second = tuple(int(i) for i in members[in_second])
    return CutTies(step, kind="team", first=first, second=second)
