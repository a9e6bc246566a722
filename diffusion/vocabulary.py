"""The vocabulary of the package: node kinds, roles, sides, tie kinds and groupings.

One place for the names that the graph builders (:mod:`diffusion.org`), the compile step
(:mod:`diffusion.compile`), the events, the models (which look tie kinds up by name), the
scenario schema, the calibration and the advisor share. It imports nothing.

Examples
--------
>>> "line_down" in COMPILED_TIE_KINDS and "line" not in COMPILED_TIE_KINDS
True
>>> TIE_KINDS[-1], TEAM_LEADING_ROLES
('buddy', ('team_leader', 'head'))
"""

from __future__ import annotations

#: Kinds of node. Staff are the people the models simulate; the board (mayor and aldermen)
#: and external partners are optional nodes outside the staff.
NODE_KINDS: tuple[str, ...] = ("staff", "board", "external")

#: Roles of staff members, from the shop floor to the top.
STAFF_ROLES: tuple[str, ...] = ("employee", "policy_officer", "team_leader", "head", "secretary")

#: Roles of nodes outside the staff.
OTHER_ROLES: tuple[str, ...] = ("mayor", "alderman", "partner")

ROLES: tuple[str, ...] = STAFF_ROLES + OTHER_ROLES

#: Sides of the organisation: "soft" (social domain, close to people) and "hard"
#: (physical domain, frameworks and rules); "none" for nodes outside the staff.
SIDES: tuple[str, ...] = ("soft", "hard", "none")

#: Tie kinds in a graph. A ``line`` tie joins a manager and a report; it carries two weights,
#: ``weight_down`` (the manager's influence on the report) and ``weight_up`` (the report's
#: influence on the manager), which compile to the directed kinds ``line_down`` and ``line_up``.
GRAPH_TIE_KINDS: tuple[str, ...] = (
    "cluster",
    "team",
    "line",
    "team_leaders_forum",
    "mt",
    "department",
    "cross_department",
    "project",
    "board",
    "external",
)

#: Tie kinds after compiling: every graph kind but ``line``, which splits by direction.
COMPILED_TIE_KINDS: tuple[str, ...] = tuple(
    k for kind in GRAPH_TIE_KINDS for k in ((kind,) if kind != "line" else ("line_down", "line_up"))
)

#: Tie kinds that only events add while a simulation runs: ``buddy`` ties (mechanism 6 of the
#: ideas model, :mod:`diffusion.models.ideas`) pair an isolated trained person with a colleague.
EVENT_TIE_KINDS: tuple[str, ...] = ("buddy",)

#: Every tie kind an organisation may hold while it is simulated (what ``AddTies`` and
#: ``RemoveTies`` accept).
TIE_KINDS: tuple[str, ...] = COMPILED_TIE_KINDS + EVENT_TIE_KINDS

#: Roles that lead a team: a team leader, and a head placed in a team leads it too (e.g. T2
#: in the built-in organisation). "Team leaders first" picks these.
TEAM_LEADING_ROLES: tuple[str, ...] = ("team_leader", "head")

#: Default influence weight of one tie of each compiled kind (dimensionless, relative to a
#: tie inside a cluster). Provisional until calibration; a spec may override any of them.
DEFAULT_TIE_WEIGHTS: dict[str, float] = {
    "cluster": 1.0,
    "team": 0.6,
    "line_down": 0.8,
    "line_up": 0.4,
    "team_leaders_forum": 0.5,
    "mt": 0.7,
    "department": 0.3,
    "cross_department": 0.15,
    "project": 0.6,
    "board": 0.5,
    "external": 0.2,
}

#: largest tie weight a file may give: weights are relative to a cluster tie (1.0), and sums
#: of many weights are taken in float32 (largest 3.4e38), so a million keeps every sum finite
MAX_TIE_WEIGHT = 1e6
