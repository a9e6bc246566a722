"""A compact description of an organisation, from which a graph is generated.

:func:`~diffusion.org.generate` builds the graph.

A spec is a tree of frozen pydantic models: strict types (no ``"3"`` for ``3``), unknown keys
refused. In TOML::

    name = "Example"
    seed = 1

    [team_defaults]
    size = [18, 26]              # people in a team, its team leader included
    clusters = 3
    policy_officer_share = 0.15

    [[departments]]
    name = "O"
    side = "hard"
    teams = [{ name = "T1" }, { name = "T2", size = 12, leader_is_head = true },
             { name = "T3", loose_in_department = true }]

    [tie_probabilities]
    cluster = 0.8

    [tie_weights]
    line_up = 0.3

Errors read as one line per problem, ``file: dotted.path: message (got value)``, formatted
as a scenario's are (:func:`diffusion.strict.problems_of`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationError, model_validator

from diffusion.errors import InputError
from diffusion.strict import Count, PathError, Probability, StrictModel, as_tuple, problems_of
from diffusion.vocabulary import COMPILED_TIE_KINDS, MAX_TIE_WEIGHT


class SpecError(InputError):
    """An organisation spec is wrong."""


def _size(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    return as_tuple(value)


#: Tuples that TOML writes as arrays.
_Names = Annotated[tuple[str, ...], BeforeValidator(as_tuple)]
#: A team size: one number, or ``[min, max]`` drawn uniformly (both ends included).
SizeRange = Annotated[tuple[int, int], BeforeValidator(_size)]


class _Model(StrictModel):
    """A table of an organisation spec (:class:`~diffusion.strict.StrictModel`)."""


class TeamDefaults(_Model):
    """Values for every team that does not set its own."""

    size: SizeRange = (18, 26)
    clusters: Annotated[int, Field(ge=1)] = 3
    policy_officer_share: Probability = 0.15


class TeamSpec(_Model):
    """One team.

    ``size`` counts the team's people including its team leader. With ``leader_is_head``
    the department head leads this team (and counts in its size); no separate team leader.
    With ``loose_in_department`` the team's ties to the rest of its department are loose and
    business-like: drawn as department ties (probability ``tie_probabilities.department``)
    but of kind ``cross_department``, with that kind's weight (e.g. a team that "does not fit
    well in this department" in content).
    """

    name: Annotated[str, Field(min_length=1)]
    size: SizeRange | None = None
    clusters: Annotated[int, Field(ge=1)] | None = None
    policy_officer_share: Probability | None = None
    leader_is_head: bool = False
    loose_in_department: bool = False


class DepartmentSpec(_Model):
    """One department: its side of the organisation and its teams."""

    name: Annotated[str, Field(min_length=1)]
    side: Literal["soft", "hard"]
    teams: Annotated[tuple[TeamSpec, ...], BeforeValidator(as_tuple), Field(min_length=1)]

    @model_validator(mode="after")
    def _one_leading_head(self) -> DepartmentSpec:
        leading = [i for i, t in enumerate(self.teams) if t.leader_is_head]
        if len(leading) > 1:
            raise PathError(
                f"teams[{leading[1]}].leader_is_head",
                "a head can lead at most one team of the department",
                True,
            )
        return self


class TieProbabilities(_Model):
    """Probability that a pair of people is tied, by how they relate.

    ``cluster``: same cluster; ``team``: same team, other cluster; ``department``: same
    department, other team; ``cross_department``: other department; ``mt``: two members of
    the management team (secretary and heads); ``team_leaders_forum``: two team leaders
    (heads who lead a team included). Line ties (manager and report) are always present.
    """

    cluster: Probability = 0.8
    team: Probability = 0.25
    department: Probability = 0.03
    cross_department: Probability = 0.004
    mt: Probability = 1.0
    team_leaders_forum: Probability = 1.0


class PersonSpec(_Model):
    """A named person: a random member of ``team`` with ``role`` gets ``name``."""

    name: Annotated[str, Field(min_length=1)]
    team: Annotated[str, Field(min_length=1)]
    role: Literal["employee", "policy_officer", "team_leader"] = "employee"


class BoardTieSpec(_Model):
    """Ties of one alderman (numbered from 1) to named people and to sampled staff."""

    alderman: Annotated[int, Field(ge=1)]
    people: _Names = ()
    sample: Count = 0
    department: str | None = None


class BoardSpec(_Model):
    """The elected board: a mayor and aldermen, tied to each other and to the secretary.

    None by default: a spec without a board section has no board nodes.
    """

    mayor: bool = False
    aldermen: Count = 0
    ties: Annotated[tuple[BoardTieSpec, ...], BeforeValidator(as_tuple)] = ()


class ExternalSpec(_Model):
    """External partners, each tied to ``ties_each`` sampled staff.

    The staff are sampled from ``departments`` (all departments when empty).
    """

    partners: Count = 0
    ties_each: Count = 2
    departments: _Names = ()


class WorkloadSpec(_Model):
    """Workload of each person ~ Beta(a, b), in [0, 1]; the mean is a / (a + b)."""

    a: Annotated[float, Field(gt=0.0)] = 2.0
    b: Annotated[float, Field(gt=0.0)] = 2.0


class OrgSpec(_Model):
    """A whole organisation: a secretary on top, departments of teams, board and partners.

    ``top_side`` is the side given to the secretary (who belongs to no department).
    ``tie_weights`` overrides :data:`~diffusion.vocabulary.DEFAULT_TIE_WEIGHTS` per compiled
    tie kind. ``seed`` is used when :func:`~diffusion.org.generate` gets none.
    """

    name: str = ""
    seed: Count = 0
    top_side: Literal["soft", "hard"] = "soft"
    team_defaults: TeamDefaults = TeamDefaults()
    departments: Annotated[
        tuple[DepartmentSpec, ...], BeforeValidator(as_tuple), Field(min_length=1)
    ]
    tie_probabilities: TieProbabilities = TieProbabilities()
    tie_weights: dict[str, Annotated[float, Field(ge=0.0, le=MAX_TIE_WEIGHT)]] = Field(
        default_factory=dict
    )
    people: Annotated[tuple[PersonSpec, ...], BeforeValidator(as_tuple)] = ()
    board: BoardSpec = BoardSpec()
    external: ExternalSpec = ExternalSpec()
    workload: WorkloadSpec = WorkloadSpec()

    @model_validator(mode="after")
    def _consistent(self) -> OrgSpec:
        _check_names(self)
        _check_sizes(self)
        _check_references(self)
        return self

    def expected_size(self) -> tuple[int, float]:
        """``(people, expected ties)`` of the organisation, teams at their largest size.

        the estimate :mod:`diffusion.budget` checks before anything is generated.

        Ties: each pair in a cluster, in a team, in a department and across departments is
        tied with its probability (:class:`TieProbabilities`); the line, management team,
        forum, board and partner ties are counted in full.
        """
        p = self.tie_probabilities
        people = 1 + self.board.aldermen + int(self.board.mayor) + self.external.partners
        ties = float(self.external.partners * self.external.ties_each)
        ties += sum(t.sample + len(t.people) for t in self.board.ties)
        dept_people: list[int] = []
        leaders = 0
        for dept in self.departments:
            in_dept = 1  # the head
            pairs_in_teams = 0.0
            for team in dept.teams:
                size = self.team_size(team)[1]
                members = size - 1  # the team leader is not in a cluster
                per_cluster = members / self.team_clusters(team)
                cluster_pairs = self.team_clusters(team) * per_cluster * (per_cluster - 1) / 2
                team_pairs = size * (size - 1) / 2
                ties += cluster_pairs * p.cluster + (team_pairs - cluster_pairs) * p.team
                pairs_in_teams += team_pairs
                in_dept += size - int(team.leader_is_head)
                leaders += 1
            ties += (in_dept * (in_dept - 1) / 2 - pairs_in_teams) * p.department
            dept_people.append(in_dept)
        staff = 1 + sum(dept_people)
        ties += staff  # line ties: one per person below the secretary
        ties += (staff**2 - sum(n * n for n in dept_people)) / 2 * p.cross_department
        heads = len(self.departments) + 1
        ties += heads * (heads - 1) / 2 * p.mt + leaders * (leaders - 1) / 2 * p.team_leaders_forum
        return people + staff - 1, ties

    def team_size(self, team: TeamSpec) -> tuple[int, int]:
        """``(min, max)`` size of ``team``, defaults applied."""
        return team.size if team.size is not None else self.team_defaults.size

    def team_clusters(self, team: TeamSpec) -> int:
        """Count the clusters of ``team``, defaults applied."""
        return team.clusters if team.clusters is not None else self.team_defaults.clusters

    def team_policy_share(self, team: TeamSpec) -> float:
        """Share of policy officers among the members of ``team``, defaults applied."""
        share = team.policy_officer_share
        return share if share is not None else self.team_defaults.policy_officer_share


def _check_names(spec: OrgSpec) -> None:
    seen: dict[str, str] = {}
    for i, dept in enumerate(spec.departments):
        if dept.name in seen:
            raise PathError(f"departments[{i}].name", "duplicate department name", dept.name)
        seen[dept.name] = "department"
    teams: set[str] = set()
    for i, dept in enumerate(spec.departments):
        for j, team in enumerate(dept.teams):
            if team.name in teams:
                raise PathError(
                    f"departments[{i}].teams[{j}].name",
                    "duplicate team name (team names are unique in the organisation)",
                    team.name,
                )
            teams.add(team.name)
    for key in spec.tie_weights:
        if key not in COMPILED_TIE_KINDS:
            raise PathError(
                f"tie_weights.{key}",
                f"unknown tie kind; use one of {', '.join(COMPILED_TIE_KINDS)}",
                key,
            )
    names = [p.name for p in spec.people]
    for k, name in enumerate(names):
        if name in names[:k]:
            raise PathError(f"people[{k}].name", "duplicate name", name)


def _check_sizes(spec: OrgSpec) -> None:
    if spec.team_defaults.size[0] > spec.team_defaults.size[1]:
        raise PathError("team_defaults.size", "min size exceeds max size", spec.team_defaults.size)
    for i, dept in enumerate(spec.departments):
        for j, team in enumerate(dept.teams):
            lo, hi = spec.team_size(team)
            where = f"departments[{i}].teams[{j}]"
            if lo > hi:
                raise PathError(f"{where}.size", "min size exceeds max size", (lo, hi))
            if lo < 1 + spec.team_clusters(team):
                raise PathError(
                    f"{where}.size",
                    f"a team needs its leader and at least one member per cluster "
                    f"({spec.team_clusters(team)} clusters): raise the size or lower clusters",
                    (lo, hi),
                )


def _check_references(spec: OrgSpec) -> None:
    teams = {t.name: t for d in spec.departments for t in d.teams}
    departments = {d.name for d in spec.departments}
    for k, person in enumerate(spec.people):
        if person.team not in teams:
            raise PathError(f"people[{k}].team", "no team of that name", person.team)
        if person.role == "team_leader" and teams[person.team].leader_is_head:
            raise PathError(
                f"people[{k}].role",
                "this team is led by its department head; name the head elsewhere",
                person.role,
            )
    names = {p.name for p in spec.people}
    for k, tie in enumerate(spec.board.ties):
        if tie.alderman > spec.board.aldermen:
            raise PathError(
                f"board.ties[{k}].alderman",
                f"there are only {spec.board.aldermen} aldermen (board.aldermen)",
                tie.alderman,
            )
        for name in tie.people:
            if name not in names:
                raise PathError(f"board.ties[{k}].people", "no person of that name", name)
        if tie.department is not None and tie.department not in departments:
            raise PathError(
                f"board.ties[{k}].department", "no department of that name", tie.department
            )
    for name in spec.external.departments:
        if name not in departments:
            raise PathError("external.departments", "no department of that name", name)


def spec_from_dict(data: Mapping[str, Any], source: str = "<spec>") -> OrgSpec:
    """Validate a mapping (as read from TOML) into an :class:`OrgSpec`.

    Raises
    ------
    SpecError
        One line per problem, ``source: dotted.path: message (got value)``.
    """
    try:
        return OrgSpec.model_validate(dict(data))
    except ValidationError as exc:
        raise _spec_error(exc, source) from None


def load_spec(path: str | PathLike[str]) -> OrgSpec:
    """Read an organisation spec from a TOML file.

    Raises
    ------
    SpecError
        When the file is missing, is not TOML, or does not describe a valid organisation.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(path, "", "no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SpecError(path, "", f"not valid TOML: {exc}") from None
    spec = spec_from_dict(data, str(path))
    from diffusion.budget import check_organisation

    check_organisation(*spec.expected_size(), f"{path}: {_largest_team(spec)}")
    return spec


def _largest_team(spec: OrgSpec) -> str:
    """Where the spec's largest team gets its size, e.g. ``departments[0].teams[1].size``."""
    teams = [(d, t, i, j) for i, d in enumerate(spec.departments) for j, t in enumerate(d.teams)]
    if not teams:
        return "departments"
    _, team, i, j = max(teams, key=lambda x: spec.team_size(x[1])[1])
    return f"departments[{i}].teams[{j}].size" if team.size is not None else "team_defaults.size"


def _spec_error(exc: ValidationError, source: str) -> SpecError:
    """Every problem of a spec, one line each (:func:`diffusion.strict.problems_of`)."""
    return SpecError.of(problems_of(exc, OrgSpec, {}, source))
