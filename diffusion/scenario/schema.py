"""The scenario schema: frozen pydantic models, strict types, unknown keys refused.

A scenario file is TOML; :mod:`diffusion.scenario.load` reads it, resolves ``extends`` and
``--set`` overrides, and validates the result against :class:`Scenario`. Every field and
event kind is described, with the mechanism it expresses, in ``scenarios/README.md``.

Checks that need only one table live here (a cohort's seats against its quotas, one
organisation source); checks across tables (dates inside the calendar, names of teams in
the organisation, model parameters) live in :mod:`diffusion.scenario.check`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from diffusion.outputs import name_problem
from diffusion.strict import Count, PathError, StrictModel, as_tuple

#: the model a scenario gets when it names none
DEFAULT_MODEL = "ideas"
#: groupings the engine can count people by (see :data:`diffusion.compile.GROUPINGS`)
Grouping = Literal["department", "team", "role", "side", "cluster", "kind"]
#: longest calendar, in years: the study followed four years; 50 keeps every date (and the
#: weekly records) far from the ends of the date range
MAX_YEARS = 50.0
#: groupings a cohort's quotas may use
QuotaGrouping = Literal["team", "department", "role", "side"]


def Tuple(item: Any, **constraints: Any) -> Any:
    """``tuple[item, ...]`` that TOML writes as an array."""
    return Annotated[tuple[item, ...], BeforeValidator(as_tuple), Field(**constraints)]


Name = Annotated[str, Field(min_length=1)]
Level = Annotated[float, Field(ge=0.0, le=1.0)]


class _Table(StrictModel):
    """A table of a scenario file (:class:`~diffusion.strict.StrictModel`)."""


# ------------------------------------------------------------------------------ sections
ORG_SOURCES: tuple[str, ...] = ("builtin", "spec", "roster", "graph")

#: table -> (keys that, once given by a child file or ``--set``, drop the inherited keys in
#: the second set): the alternatives of a table replace each other instead of clashing
ALTERNATIVES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "organisation": (frozenset(ORG_SOURCES), frozenset((*ORG_SOURCES, "ties"))),
    "calendar": (frozenset(("end", "years")), frozenset(("end", "years"))),
}


class Organisation(_Table):
    """Where the people and their ties come from: exactly one source.

    ``builtin = "etten-leur"`` (drawn with ``seed``), ``spec`` (an organisation spec TOML,
    generated with ``seed``), ``roster`` (a roster CSV, with an optional ``ties`` CSV), or
    ``graph`` (a .graphml, .gexf or roster .csv file). File paths are relative to the
    scenario file that names them.
    """

    builtin: Literal["etten-leur"] | None = None
    spec: str | None = None
    roster: str | None = None
    ties: str | None = None
    graph: str | None = None
    seed: Count = 0

    @model_validator(mode="after")
    def _one_source(self) -> Organisation:
        given = [k for k in ORG_SOURCES if getattr(self, k) is not None]
        if len(given) > 1:
            raise PathError(given[1], f"give one source, not both {given[0]} and {given[1]}", 0)
        if self.ties is not None and self.roster is None:
            raise PathError("ties", "ties go with a roster; add roster = FILE.csv", self.ties)
        return self

    @property
    def source(self) -> str:
        """The source key in use (``"builtin"`` when none is given)."""
        return next((k for k in ORG_SOURCES if getattr(self, k) is not None), "builtin")


class ModelSection(_Table):
    """The model by name (``"ideas"``, or a standard model such as ``"sir"``) and its parameters.

    Names and values are checked against the model's parameter dataclass.
    """

    name: Name = DEFAULT_MODEL
    params: dict[str, Any] = Field(default_factory=dict)


class CalendarSection(_Table):
    """Weekly steps from ``start`` to ``end`` (or for ``years`` years)."""

    start: dt.date
    end: dt.date | None = None
    years: Annotated[float, Field(gt=0.0, le=MAX_YEARS)] | None = None

    @model_validator(mode="after")
    def _one_end(self) -> CalendarSection:
        if (self.end is None) == (self.years is None):
            raise PathError("end", "give end (a date) or years (a number), exactly one", None)
        if self.end is not None and self.end <= self.start:
            raise PathError(
                "end", f"the calendar must end after it starts ({self.start})", self.end
            )
        if self.end is not None and (self.end - self.start).days > MAX_YEARS * 365.25:
            raise PathError(
                "end",
                f"a calendar spans at most {MAX_YEARS:.0f} years from its start ({self.start})",
                self.end,
            )
        return self


class Cohort(_Table):
    """A course cohort at ``date``.

    Seats are filled by the model's nominations among everyone, unless ``ids`` names people
    who take seats first (further seats by nomination), or ``quotas`` gives seats per group,
    e.g. ``{department = {O = 2, B = 2}}`` (each group's seats by nomination within it).
    """

    name: Name
    date: dt.date
    seats: Count | None = None
    ids: Tuple(Name) = ()
    quotas: dict[QuotaGrouping, dict[Name, Count]] | None = None
    note: str = ""

    @model_validator(mode="after")
    def _seats(self) -> Cohort:
        if self.quotas is not None:
            if self.ids:
                raise PathError("ids", "give ids or quotas, not both", list(self.ids))
            if len(self.quotas) != 1:
                raise PathError("quotas", "give quotas by one grouping", dict(self.quotas))
            total = sum(next(iter(self.quotas.values())).values())
            if self.seats is not None and self.seats != total:
                raise PathError("seats", f"seats must equal the sum of the quotas ({total})", 0)
        elif self.seats is None and not self.ids:
            raise PathError("seats", "give seats (or ids, or quotas)", None)
        elif self.seats is not None and self.seats < len(self.ids):
            raise PathError("seats", f"fewer seats than ids ({len(self.ids)})", self.seats)
        return self

    @property
    def n_seats(self) -> int:
        """Seats in all: as given, or the sum of the quotas, or one per id."""
        if self.quotas is not None:
            return sum(next(iter(self.quotas.values())).values())
        return self.seats if self.seats is not None else len(self.ids)


# ------------------------------------------------------------------------------ events
class _Event(_Table):
    date: dt.date
    note: str = ""


class NewSecretary(_Event):
    """A new secretary takes office (mechanism 5).

    Top support is partly lost and now tends to the new secretary's ``support`` (0.5, neutral, when
    unknown).
    """

    kind: Literal["new_secretary"]
    support: Level = 0.5
    loss: Level | None = None


class AldermanLeaves(_Event):
    """The alderman who backed the ideas leaves (mechanism 5).

    The board's backing of the ideas falls to 0, top support loses ``loss`` of itself, and the
    alderman's ties go.
    """

    kind: Literal["alderman_leaves"]
    alderman: Name = "alderman-1"
    loss: Level | None = None


class CohortEvent(Cohort):
    """A cohort given among the events (mechanism 1); same fields as a ``cohorts`` entry."""

    kind: Literal["cohort"]


class Buddies(_Event):
    """Pair each isolated trained person with a colleague nearby (mechanism 6)."""

    kind: Literal["buddies"]
    within: Literal["cluster", "team", "department"] = "team"


class TasterWorkshop(_Event):
    """A taster workshop (proeverij) for a department or a team (mechanism 1).

    ``reached`` people attend, who may become aware of the ideas.
    """

    kind: Literal["taster_workshop"]
    department: Name | None = None
    team: Name | None = None
    reached: Annotated[int, Field(ge=1)] = 10

    @model_validator(mode="after")
    def _who(self) -> TasterWorkshop:
        if (self.department is None) == (self.team is None):
            raise PathError("department", "give department or team, exactly one", None)
        return self


class NetworkProject(_Event):
    """A network project across teams (mechanism 11).

    Project ties between every pair of its members: the team leaders (or everyone, or ``per_team``
    people drawn once) of ``teams``, plus ``ids``.
    """

    kind: Literal["network_project"]
    teams: Tuple(Name) = ()
    people: Literal["team_leaders", "everyone"] = "team_leaders"
    per_team: Annotated[int, Field(ge=1)] | None = None
    ids: Tuple(Name) = ()
    weight: Annotated[float, Field(gt=0.0)] | None = None

    @model_validator(mode="after")
    def _members(self) -> NetworkProject:
        if len(self.teams) + len(self.ids) < 2:
            raise PathError("teams", "a project needs at least two teams (or ids)", self.teams)
        return self


class ForumStarts(_Event):
    """A meeting across teams starts at ``date`` (the team leaders' forum, mechanism 9).

    The organisation's ties of kind ``ties`` exist only from then on.
    """

    kind: Literal["forum_starts"]
    ties: Literal["team_leaders_forum", "mt", "cross_department"] = "team_leaders_forum"


class LeaderBacking(_Event):
    """Team leaders who back the course without taking it (mechanism 3).

    From ``date`` the leaders of ``teams`` have at least support ``level``, so they nominate their
    people more often and back the adoption of the ideas in their team.
    """

    kind: Literal["leader_backing"]
    teams: Tuple(Name)
    level: Level = 0.8

    @model_validator(mode="after")
    def _some(self) -> LeaderBacking:
        if not self.teams:
            raise PathError("teams", "give at least one team", [])
        return self


class LandscapeShock(_Event):
    """A change in the landscape, such as the environment law (mechanism 7).

    The receptivity of a side or a department is multiplied by ``factor`` (capped at 1).
    """

    kind: Literal["landscape_shock"]
    side: Literal["soft", "hard"] | None = None
    department: Name | None = None
    factor: Annotated[float, Field(ge=0.0, le=10.0)]

    @model_validator(mode="after")
    def _where(self) -> LandscapeShock:
        if (self.side is None) == (self.department is None):
            raise PathError("side", "give side or department, exactly one", None)
        return self


class TopDownPush(_Event):
    """More steering from the top (mechanism 10).

    Adoption pressure of ``strength``, which also turns some people resistant (a counter-movement)
    and fades over time.
    """

    kind: Literal["top_down_push"]
    strength: Annotated[float, Field(gt=0.0, le=10.0)] = 1.0


class Reorganisation(_Event):
    """Merge teams or split one team in two (see ``scenarios/README.md``).

    Merging adds ``team`` ties between members of different merged teams, each pair with
    probability ``density`` (drawn once, from the scenario's seed); splitting removes the
    ``team`` ties across the two halves (the first half of the team's clusters, with the team
    leader, and the rest). Group labels for counting stay as at the start.
    """

    kind: Literal["reorganisation"]
    merge: Tuple(Name) = ()
    split: Name | None = None
    density: Annotated[float, Field(gt=0.0, le=1.0)] = 0.25
    weight: Annotated[float, Field(gt=0.0)] | None = None

    @model_validator(mode="after")
    def _what(self) -> Reorganisation:
        if bool(self.merge) == (self.split is not None):
            raise PathError("merge", "give merge (teams) or split (a team), exactly one", None)
        if self.merge and len(self.merge) < 2:
            raise PathError("merge", "merge at least two teams", list(self.merge))
        return self


EVENT_KINDS: dict[str, type[_Event] | type[CohortEvent]] = {
    "new_secretary": NewSecretary,
    "alderman_leaves": AldermanLeaves,
    "cohort": CohortEvent,
    "buddies": Buddies,
    "taster_workshop": TasterWorkshop,
    "network_project": NetworkProject,
    "forum_starts": ForumStarts,
    "leader_backing": LeaderBacking,
    "landscape_shock": LandscapeShock,
    "top_down_push": TopDownPush,
    "reorganisation": Reorganisation,
}

EventSpec = Annotated[
    NewSecretary
    | AldermanLeaves
    | CohortEvent
    | Buddies
    | TasterWorkshop
    | NetworkProject
    | ForumStarts
    | LeaderBacking
    | LandscapeShock
    | TopDownPush
    | Reorganisation,
    Field(discriminator="kind"),
]


class Cadence(_Table):
    """A regular cohort cadence.

    ``per_year`` cohorts of ``seats`` from ``start`` to ``end`` (default: the calendar's end),
    filled by nomination. Each is named ``prefix`` + its date (its random numbers follow the name),
    so a what-if that skips the first cohorts (``skip_first``) or the cohorts on given dates
    (``skip``, e.g. to replace one by a cohort of its own) keeps the draws of the others.
    """

    start: dt.date
    end: dt.date | None = None
    per_year: Annotated[int, Field(ge=1, le=52)] = 4
    seats: Count = 3
    prefix: Name = "C"
    skip_first: Count = 0
    skip: Tuple(dt.date) = ()

    def all_dates(self, last: dt.date) -> list[dt.date]:
        """Every cadence date up to ``end`` (or ``last``), evenly spaced in the year."""
        end = self.end if self.end is not None else last
        gap = 365.25 / self.per_year
        out, k = [], 0
        while (date := self.start + dt.timedelta(days=round(k * gap))) <= end:
            out.append(date)
            k += 1
        return out

    def dates(self, last: dt.date) -> list[dt.date]:
        """Return the cohort dates up to ``end`` (or ``last``), less the skipped ones.

        Skipped: the first ``skip_first`` and those in ``skip`` (a what-if that holds its own
        cohort there).
        """
        skipped = set(self.skip)
        return [d for d in self.all_dates(last)[self.skip_first :] if d not in skipped]


class Outputs(_Table):
    """What is recorded and reported.

    ``dates``: report dates (default: a few dates chosen from the calendar);
    ``quantiles``: the band's low and high quantile; ``pass_share``: the share of a
    department that ``compare`` asks the probability of passing; ``reach_shares``: shares of
    the staff whose time to reach ``compare`` reports; ``record_every``: weeks between
    recorded counts.
    """

    groupings: Tuple(Grouping) = ("department", "team", "role", "side")
    dates: Tuple(dt.date) = ()
    quantiles: Annotated[tuple[float, float], BeforeValidator(as_tuple)] = (0.05, 0.95)
    pass_share: Annotated[float, Field(gt=0.0, le=1.0)] = 0.25
    reach_shares: Tuple(Annotated[float, Field(gt=0.0, le=1.0)]) = (0.1, 0.25, 0.5)
    record_every: Annotated[int, Field(ge=1, le=52)] = 1

    @model_validator(mode="after")
    def _quantiles(self) -> Outputs:
        low, high = self.quantiles
        if not 0.0 < low < high < 1.0:
            raise PathError("quantiles", "need 0 < low < high < 1", list(self.quantiles))
        return self


class Scenario(_Table):
    """A whole scenario: organisation, model, calendar, cohorts, events, outputs, runs.

    ``name`` defaults to the file's stem (filled in by the loader).
    """

    name: str = ""
    description: str = ""
    #: the question a what-if asks, for reports (default: the file's "# Question:" comment)
    question: str = ""
    runs: Annotated[int, Field(ge=1)] = 1000
    seed: Count = 2015
    organisation: Organisation = Organisation()
    model: ModelSection = ModelSection()
    calendar: CalendarSection
    cohorts: Tuple(Cohort) = ()
    cadence: Cadence | None = None
    events: Tuple(EventSpec) = ()
    outputs: Outputs = Outputs()

    @model_validator(mode="after")
    def _safe_name(self) -> Scenario:
        # the name becomes the default output folder out/<name>: one safe path component
        if self.name:
            problem = name_problem(self.name)
            if problem is not None:
                raise PathError("name", problem, self.name)
        return self

    def all_cohorts(self, last: dt.date) -> list[tuple[str, Cohort]]:
        """Every cohort with its place.

        ``cohorts`` entries, ``cohort`` events, then the cadence's cohorts up to ``last`` (the
        calendar's end).
        """
        out: list[tuple[str, Cohort]] = [(f"cohorts[{i}]", c) for i, c in enumerate(self.cohorts)]
        out += [(f"events[{i}]", e) for i, e in enumerate(self.events) if isinstance(e, Cohort)]
        if self.cadence is not None:
            c = self.cadence
            out += [
                ("cadence", Cohort(name=f"{c.prefix}{d.isoformat()}", date=d, seats=c.seats))
                for d in c.dates(last)
            ]
        return out
