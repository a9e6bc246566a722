"""The built-in organisation: the municipality of Etten-Leur as the 2018 field study saw it.

The facts (departments, teams, sides, T14's seven clusters, Table 1, cohorts, events, the
people the report names) ship in ``diffusion/data/etten_leur.toml`` and are read by
:func:`facts`. :func:`etten_leur_spec` adds the assumptions a graph needs that the report
does not give; each is marked "assumption" below and may be revised by calibration.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

import networkx as nx

from diffusion.org.generate import generate
from diffusion.org.spec import OrgSpec, spec_from_dict

#: Assumption: team sizes (people incl. the team leader). The report gives only "about 300
#: civil servants in 4 departments and 14 teams" (~21 a team). Every team gets 21 but T14,
#: which gets 28 so its seven clusters (Paul's "seven worlds") hold about four people each.
#: Sizes are fixed, not drawn, so Table 1's per-team counts always meet the same team sizes.
#: Total staff: 13 x 21 + 28 = 301 in teams, plus the secretary and three heads who lead no
#: team = 305.
TEAM_SIZES: dict[str, int] = {f"T{k}": 21 for k in range(1, 14)} | {"T14": 28}

#: Assumption: the team led by its department head ("in one case the team leader is also
#: the department head"; the report does not say which). T2 in department O: a team with
#: no participants, so the choice implies nothing about Table 1.
LEADER_IS_HEAD_TEAM = "T2"

#: Assumption: clusters in a team whose count is not reported (~7 people a cluster).
DEFAULT_CLUSTERS = 3

#: Assumption: share of policy officers (beleidsmedewerkers) among team members.
POLICY_OFFICER_SHARE = 0.15

#: Assumption: the college of mayor and aldermen (4 aldermen); alderman 1 is the one who
#: backed the ideas, with a direct line to Chris (T1) and a backer of Anja's team T11 (facts:
#: report, "Positie en netwerk" and "Veranderingen aan de top"; tied to Anja, the team's
#: first participant).
ALDERMEN = 4


def facts() -> dict[str, Any]:
    """Return the observed facts about Etten-Leur, as shipped with the package.

    Returns
    -------
    dict
        The parsed ``diffusion/data/etten_leur.toml`` (a fresh copy each call): keys
        ``organisation``, ``departments`` (name -> teams, side), ``teams``, ``people``,
        ``observed`` (``trained_by_team``, ``team_leaders_trained``, ``known_order``),
        ``cohorts`` (name, season, start as :class:`datetime.date`) and ``events``.
    """
    text = resources.files("diffusion.data").joinpath("etten_leur.toml").read_text("utf-8")
    return tomllib.loads(text)


def etten_leur_spec() -> OrgSpec:
    """Return the organisation spec of Etten-Leur: the facts plus the documented assumptions."""
    f = facts()
    teams_facts = f.get("teams", {})
    departments = [
        {
            "name": name,
            "side": dept["side"],
            "teams": [
                {
                    "name": team,
                    "size": TEAM_SIZES[team],
                    "clusters": teams_facts.get(team, {}).get("clusters", DEFAULT_CLUSTERS),
                    "leader_is_head": team == LEADER_IS_HEAD_TEAM,
                    "loose_in_department": teams_facts.get(team, {}).get(
                        "loose_in_department", False
                    ),
                }
                for team in dept["teams"]
            ],
        }
        for name, dept in f["departments"].items()
    ]
    people = [
        {"name": name, "team": p["team"], "role": p["role"]} for name, p in f["people"].items()
    ]
    return spec_from_dict(
        {
            "name": f["organisation"]["name"],
            "seed": 0,
            "top_side": "soft",
            "team_defaults": {
                "size": 21,
                "clusters": DEFAULT_CLUSTERS,
                "policy_officer_share": POLICY_OFFICER_SHARE,
            },
            "departments": departments,
            "people": people,
            "board": {
                "mayor": True,
                "aldermen": ALDERMEN,
                "ties": [{"alderman": 1, "people": ["Chris", "Anja"]}],
            },
            # assumption: a few partners of the social domain (care, welfare, schools)
            "external": {"partners": 8, "ties_each": 2, "departments": ["C", "S"]},
            # assumption: workload centred on 0.5, most people between 0.2 and 0.8
            "workload": {"a": 3.0, "b": 3.0},
        },
        source="etten_leur_spec()",
    )


def etten_leur(seed: int = 0) -> nx.Graph:
    """Return the Etten-Leur organisation graph drawn with ``seed`` (305 staff, board, partners)."""
    return generate(etten_leur_spec(), seed=seed)
