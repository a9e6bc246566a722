"""Build an organisation graph from an :class:`~diffusion.org.spec.OrgSpec`.

Structure (see :mod:`diffusion.org.graph` for the attributes):

* the secretary (id ``secretary``) on top, with no department or team;
* a head per department (``head-<dept>``) reporting to the secretary;
* a team leader per team (``<team>-lead``) reporting to the head, except in a team flagged
  ``leader_is_head``, which its head leads;
* the other team members (``<team>-01``, ...) report to their team leader; a share of them
  are policy officers, and every member sits in one of the team's clusters ``c1``, ``c2``, ...
  (shuffled, as even as possible, none empty); team leaders sit in no cluster;
* random ties between pairs of department staff: within a cluster (dense), within a team
  (less dense), within a department (sparse), across departments (rare); the MT (secretary
  and heads) and the team leaders' forum (team leaders and heads who lead a team);
* the board (``mayor``, ``alderman-1``, ...) tied to each other, to the secretary and to
  named or sampled staff; external partners (``partner-01``, ...) tied to sampled staff.

Randomness: one :class:`numpy.random.SeedSequence` per call, spawned into a stream per
purpose (sizes, roles, ties, board, workload), so the same spec and seed give the same graph,
and changing e.g. the board does not reshuffle the staff ties.
"""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx
import numpy as np

from diffusion.org.graph import add_tie
from diffusion.org.kinds import DEFAULT_TIE_WEIGHTS
from diffusion.org.spec import OrgSpec, SpecError

SECRETARY = "secretary"
#: Pairs of people tested per block when drawing staff ties (bounds memory).
_PAIRS_PER_BLOCK = 4_000_000


def generate(spec: OrgSpec, seed: int | None = None) -> nx.Graph:
    """Draw an organisation graph from ``spec``.

    Parameters
    ----------
    spec : OrgSpec
        The organisation to build.
    seed : int, optional
        Root seed (non-negative); ``spec.seed`` when omitted.

    Returns
    -------
    networkx.Graph
        People as nodes (string ids), typed ties as edges; ``G.graph["name"]`` is the
        spec's name.

    Examples
    --------
    >>> from diffusion.org.spec import spec_from_dict
    >>> spec = spec_from_dict({"departments": [{"name": "A", "side": "soft",
    ...     "teams": [{"name": "T1", "size": 5, "clusters": 2}]}]})
    >>> G = generate(spec, seed=1)
    >>> {n: d["role"] for n, d in G.nodes(data=True) if d["role"] not in ("employee", "head")}
    {'secretary': 'secretary', 'T1-lead': 'team_leader', 'T1-01': 'policy_officer'}
    """
    seed = spec.seed if seed is None else seed
    rng_sizes, rng_roles, rng_ties, rng_board, rng_work = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)
    )
    weights = DEFAULT_TIE_WEIGHTS | dict(spec.tie_weights)
    G = nx.Graph(name=spec.name)
    _add_staff(G, spec, rng_sizes, rng_roles, weights)
    _add_staff_ties(G, spec, rng_ties, weights)
    _add_board(G, spec, rng_board, weights)
    _add_external(G, spec, rng_board, weights)
    workload = rng_work.beta(spec.workload.a, spec.workload.b, size=G.number_of_nodes())
    for node, w in zip(G.nodes, workload, strict=True):
        G.nodes[node]["workload"] = float(w)
    return G


def _person(kind: str, role: str, side: str, department: str = "", team: str = "") -> dict:
    return {
        "kind": kind,
        "department": department,
        "team": team,
        "cluster": "",
        "role": role,
        "side": side,
    }


def _add_line(G: nx.Graph, report: Hashable, manager: Hashable, weights: dict) -> None:
    add_tie(
        G,
        report,
        manager,
        "line",
        weight_down=weights["line_down"],
        weight_up=weights["line_up"],
        manager=manager,
    )


def _add_staff(
    G: nx.Graph,
    spec: OrgSpec,
    rng_sizes: np.random.Generator,
    rng_roles: np.random.Generator,
    weights: dict,
) -> None:
    G.add_node(SECRETARY, **_person("staff", "secretary", spec.top_side))
    members_by_team_role: dict[tuple[str, str], list[str]] = {}
    for dept in spec.departments:
        head = f"head-{dept.name}"
        led = next((t.name for t in dept.teams if t.leader_is_head), "")
        G.add_node(head, **_person("staff", "head", dept.side, dept.name, led))
        _add_line(G, head, SECRETARY, weights)
        for team in dept.teams:
            lo, hi = spec.team_size(team)
            size = int(rng_sizes.integers(lo, hi + 1))
            if team.leader_is_head:
                leader = head
            else:
                leader = f"{team.name}-lead"
                attrs = _person("staff", "team_leader", dept.side, dept.name, team.name)
                G.add_node(leader, **attrs)
                _add_line(G, leader, head, weights)
            n_members = size - 1
            n_policy = round(spec.team_policy_share(team) * n_members)
            n_clusters = spec.team_clusters(team)
            # shuffled round robin: clusters as even as possible, none empty
            cluster_of = rng_roles.permutation(n_members) % n_clusters
            members_by_team_role[team.name, "team_leader"] = [leader]
            for k in range(n_members):
                role = "policy_officer" if k < n_policy else "employee"
                member = f"{team.name}-{k + 1:02d}"
                attrs = _person("staff", role, dept.side, dept.name, team.name)
                attrs["cluster"] = f"c{cluster_of[k] + 1}"
                G.add_node(member, **attrs)
                _add_line(G, member, leader, weights)
                members_by_team_role.setdefault((team.name, role), []).append(member)
    for k, person in enumerate(spec.people):
        pool = [
            n
            for n in members_by_team_role.get((person.team, person.role), [])
            if "name" not in G.nodes[n]
        ]
        if not pool:
            raise SpecError(
                spec.name,
                f"people[{k}]",
                f"no unnamed {person.role} left in team {person.team} for {person.name}; "
                "raise the team's size or its policy_officer_share, or name fewer people",
            )
        G.nodes[pool[int(rng_roles.integers(len(pool)))]]["name"] = person.name


def _add_staff_ties(G: nx.Graph, spec: OrgSpec, rng: np.random.Generator, weights: dict) -> None:
    """MT, forum, and the random cluster/team/department/cross-department ties."""
    probs = spec.tie_probabilities
    mt = [SECRETARY] + [n for n, d in G.nodes(data=True) if d["role"] == "head"]
    forum = [
        n
        for n, d in G.nodes(data=True)
        if d["role"] == "team_leader" or (d["role"] == "head" and d["team"])
    ]
    for members, kind in ((mt, "mt"), (forum, "team_leaders_forum")):
        _add_random_pairs(G, members, kind, getattr(probs, kind), rng, weights[kind])

    staff = [n for n, d in G.nodes(data=True) if d["kind"] == "staff" and d["department"]]
    dept = _codes(G, staff, "department")
    team = _codes(G, staff, "team")
    cluster = _codes(G, staff, "cluster")
    kinds = ("cluster", "team", "department", "cross_department")
    p = np.array([getattr(probs, k) for k in kinds])
    for i, j in _pair_blocks(len(staff)):
        same_team = (team[i] == team[j]) & (team[i] > 0)
        category = np.where(
            same_team & (cluster[i] == cluster[j]) & (cluster[i] > 0),
            0,
            np.where(same_team, 1, np.where(dept[i] == dept[j], 2, 3)),
        )
        hit = rng.random(len(i)) < p[category]
        for a, b, c in zip(i[hit], j[hit], category[hit], strict=True):
            kind = kinds[c]
            add_tie(G, staff[a], staff[b], kind, weights[kind])


def _codes(G: nx.Graph, nodes: list, attr: str) -> np.ndarray:
    """Integer code per node for ``attr``; ``""`` is 0. Clusters are qualified by team."""
    labels: dict[tuple[str, str], int] = {("", ""): 0}
    out = np.empty(len(nodes), dtype=np.int64)
    for k, n in enumerate(nodes):
        d = G.nodes[n]
        key = (d["team"], d[attr]) if attr == "cluster" else ("", d[attr])
        if not d[attr]:
            key = ("", "")
        out[k] = labels.setdefault(key, len(labels))
    return out


def _pair_blocks(n: int):
    """Yield ``(i, j)`` index arrays covering every pair ``i < j`` of ``range(n)`` once."""
    start = 0
    while start < n - 1:
        stop, count = start, 0
        while stop < n - 1 and (count == 0 or count + n - stop - 1 <= _PAIRS_PER_BLOCK):
            count += n - stop - 1
            stop += 1
        i = np.repeat(np.arange(start, stop), n - 1 - np.arange(start, stop))
        j = np.concatenate([np.arange(r + 1, n) for r in range(start, stop)])
        yield i, j
        start = stop


def _add_random_pairs(
    G: nx.Graph,
    members: list,
    kind: str,
    p: float,
    rng: np.random.Generator,
    weight: float,
) -> None:
    for a, b in zip(*np.triu_indices(len(members), 1), strict=True):
        if rng.random() < p:
            add_tie(G, members[a], members[b], kind, weight)


def _add_board(G: nx.Graph, spec: OrgSpec, rng: np.random.Generator, weights: dict) -> None:
    board = spec.board
    college = (["mayor"] if board.mayor else []) + [
        f"alderman-{k}" for k in range(1, board.aldermen + 1)
    ]
    for member in college:
        role = "mayor" if member == "mayor" else "alderman"
        G.add_node(member, **_person("board", role, "none"))
    w = weights["board"]
    for k, a in enumerate(college):
        add_tie(G, a, SECRETARY, "board", w)
        for b in college[k + 1 :]:
            add_tie(G, a, b, "board", w)
    named = {d["name"]: n for n, d in G.nodes(data=True) if "name" in d}
    for tie in board.ties:
        alderman = f"alderman-{tie.alderman}"
        for name in tie.people:
            add_tie(G, alderman, named[name], "board", w)
        pool = _staff_in(G, (tie.department,) if tie.department else ())
        for n in _sample(rng, pool, tie.sample):
            add_tie(G, alderman, n, "board", w)


def _add_external(G: nx.Graph, spec: OrgSpec, rng: np.random.Generator, weights: dict) -> None:
    ext = spec.external
    pool = _staff_in(G, ext.departments)
    for k in range(1, ext.partners + 1):
        partner = f"partner-{k:02d}"
        G.add_node(partner, **_person("external", "partner", "none"))
        for n in _sample(rng, pool, ext.ties_each):
            add_tie(G, partner, n, "external", weights["external"])


def _staff_in(G: nx.Graph, departments: tuple[str, ...]) -> list:
    """Department staff, of the given departments (all when empty)."""
    return [
        n
        for n, d in G.nodes(data=True)
        if d["kind"] == "staff"
        and d["department"]
        and (not departments or d["department"] in departments)
    ]


def _sample(rng: np.random.Generator, pool: list, k: int) -> list:
    """``k`` distinct members of ``pool`` (all of it when smaller)."""
    if k <= 0 or not pool:
        return []
    picks = rng.choice(len(pool), size=min(k, len(pool)), replace=False)
    return [pool[i] for i in picks]
