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
  (less dense), within a department (sparse), across departments (rare); a department tie
  of a member of a team flagged ``loose_in_department`` is of kind ``cross_department`` (a
  loose, business-like tie, weighted as one); the MT (secretary
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
from diffusion.org.spec import OrgSpec, SpecError
from diffusion.vocabulary import DEFAULT_TIE_WEIGHTS

SECRETARY = "secretary"
#: Most ties drawn in one block when sampling random ties (bounds memory).
_TIES_PER_BLOCK = 4_000_000


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
        spec's name and ``G.graph["seed"]`` the seed it was drawn with.

    Examples
    --------
    >>> from diffusion.org.spec import spec_from_dict
    >>> spec = spec_from_dict({"departments": [{"name": "A", "side": "soft",
    ...     "teams": [{"name": "T1", "size": 5, "clusters": 2}]}]})
    >>> G = generate(spec, seed=1)
    >>> {n: d["role"] for n, d in G.nodes(data=True) if d["role"] not in ("employee", "head")}
    {'secretary': 'secretary', 'T1-lead': 'team_leader', 'T1-01': 'policy_officer'}
    """
    from diffusion.budget import check_organisation

    check_organisation(*spec.expected_size())
    seed = spec.seed if seed is None else seed
    rng_sizes, rng_roles, rng_ties, rng_board, rng_work = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)
    )
    weights = DEFAULT_TIE_WEIGHTS | dict(spec.tie_weights)
    G = nx.Graph(name=spec.name, seed=seed)
    _add_staff(G, spec, rng_sizes, rng_roles, weights)
    _add_staff_ties(G, spec, rng_ties, weights)
    _add_board(G, spec, rng_board, weights)
    _add_external(G, spec, rng_board, weights)
    workload = rng_work.beta(spec.workload.a, spec.workload.b, size=G.number_of_nodes())
    nx.set_node_attributes(G, dict(zip(G.nodes, workload.tolist(), strict=True)), "workload")
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


def _line(report: Hashable, manager: Hashable, weights: dict) -> tuple:
    """Return a line tie as ``(report, manager, attributes)``.

    The attributes are those of :func:`~diffusion.org.graph.add_tie`.
    """
    attrs = {"kind": "line", "weight_down": weights["line_down"], "weight_up": weights["line_up"]}
    attrs["manager"] = str(manager)
    return report, manager, attrs


def _add_staff(
    G: nx.Graph,
    spec: OrgSpec,
    rng_sizes: np.random.Generator,
    rng_roles: np.random.Generator,
    weights: dict,
) -> None:
    # collected and added in bulk, in this order; the line ties are the graph's first ties,
    # one per report, so none meets a tie already there (add_tie would add each as is)
    people = [(SECRETARY, _person("staff", "secretary", spec.top_side))]
    lines = []
    members_by_team_role: dict[tuple[str, str], list[str]] = {}
    for dept in spec.departments:
        head = f"head-{dept.name}"
        led = next((t.name for t in dept.teams if t.leader_is_head), "")
        people.append((head, _person("staff", "head", dept.side, dept.name, led)))
        lines.append(_line(head, SECRETARY, weights))
        for team in dept.teams:
            lo, hi = spec.team_size(team)
            size = int(rng_sizes.integers(lo, hi + 1))
            if team.leader_is_head:
                leader = head
            else:
                leader = f"{team.name}-lead"
                attrs = _person("staff", "team_leader", dept.side, dept.name, team.name)
                people.append((leader, attrs))
                lines.append(_line(leader, head, weights))
            n_members = size - 1
            n_policy = round(spec.team_policy_share(team) * n_members)
            n_clusters = spec.team_clusters(team)
            # shuffled round robin: clusters as even as possible, none empty
            cluster_of = (rng_roles.permutation(n_members) % n_clusters + 1).tolist()
            members_by_team_role[team.name, "team_leader"] = [leader]
            for k in range(n_members):
                role = "policy_officer" if k < n_policy else "employee"
                member = f"{team.name}-{k + 1:02d}"
                attrs = _person("staff", role, dept.side, dept.name, team.name)
                attrs["cluster"] = f"c{cluster_of[k]}"
                people.append((member, attrs))
                lines.append(_line(member, leader, weights))
                members_by_team_role.setdefault((team.name, role), []).append(member)
    G.add_nodes_from(people)
    G.add_edges_from(lines)
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
    """MT, forum, and the random cluster/team/department/cross-department ties.

    Each pair of department staff is tied with the probability of its kind (cluster: same
    cluster; team: same team, other cluster; department: same department, other team;
    cross_department: other department), independently of every other pair. A department tie
    with a member of a team flagged ``loose_in_department`` gets kind and weight
    ``cross_department`` (drawn with the department's probability, so the other ties stay
    the same draws). Sampled sparsely:
    the staff are sorted so that every department, team and cluster is a contiguous run;
    then the partners of kind ``k`` of the person at sorted position ``x`` that come after
    ``x`` form one contiguous range of positions (for a cluster tie, the rest of ``x``'s
    cluster; for a team tie, the rest of ``x``'s team after its cluster; and so on). Those
    ranges, laid end to end, number the pairs of kind ``k`` ``0, 1, ...``, and the tied pairs
    are drawn by geometric skipping over that numbering (see :func:`_bernoulli_hits`), at a
    cost proportional to the number of ties rather than of pairs.
    """
    probs = spec.tie_probabilities
    mt = [SECRETARY] + [n for n, d in G.nodes(data=True) if d["role"] == "head"]
    forum = [
        n
        for n, d in G.nodes(data=True)
        if d["role"] == "team_leader" or (d["role"] == "head" and d["team"])
    ]
    for members, kind in ((mt, "mt"), (forum, "team_leaders_forum")):
        _add_random_pairs(G, members, kind, getattr(probs, kind), rng, weights[kind])

    staff, data = [], []
    for node, d in G.nodes(data=True):
        if d["kind"] == "staff" and d["department"]:
            staff.append(node)
            data.append(d)
    n = len(staff)
    if n < 2:
        return
    loose_teams = {t.name for d in spec.departments for t in d.teams if t.loose_in_department}
    loose = np.array([d["team"] in loose_teams for d in data], dtype=bool)
    dept = _codes(data, "department")
    team = _codes(data, "team")
    cluster = _codes(data, "cluster")
    # no team (a head leading none) or no cluster (a team leader): a group of one
    solo = np.arange(n) + 1 + max(team.max(), cluster.max())
    team_key = np.where(team > 0, team, solo)
    cluster_key = np.where(cluster > 0, cluster, solo)
    order = np.lexsort((cluster_key, team_key, dept))
    dept, team_key, cluster_key = dept[order], team_key[order], cluster_key[order]
    loose = loose[order]
    dept_end = _run_ends(dept)
    team_end = _run_ends(dept, team_key)
    cluster_end = _run_ends(dept, team_key, cluster_key)
    names = _objects(staff)[order]
    ranges = {  # partners after position x: [lo, hi)
        "cluster": (np.arange(1, n + 1), cluster_end),
        "team": (cluster_end, team_end),
        "department": (team_end, dept_end),
        "cross_department": (dept_end, np.full(n, n)),
    }
    for kind, (lo, hi) in ranges.items():
        for a, b in _sample_ranges(rng, lo, hi, getattr(probs, kind)):
            if kind == "department" and loose.any():
                off = loose[a] | loose[b]
                _add_ties(
                    G, names[a[off]], names[b[off]], "cross_department", weights["cross_department"]
                )
                a, b = a[~off], b[~off]
            _add_ties(G, names[a], names[b], kind, weights[kind])


def _codes(data: list[dict], attr: str) -> np.ndarray:
    """Integer code per node (given by its attributes) for ``attr``.

    ``""`` is 0. Clusters are qualified by team.
    """
    labels: dict[tuple[str, str], int] = {("", ""): 0}
    out = np.empty(len(data), dtype=np.int64)
    for k, d in enumerate(data):
        key = (d["team"], d[attr]) if attr == "cluster" else ("", d[attr])
        if not d[attr]:
            key = ("", "")
        out[k] = labels.setdefault(key, len(labels))
    return out


def _run_ends(*keys: np.ndarray) -> np.ndarray:
    """For each position, the end (exclusive) of its run of equal consecutive ``keys``."""
    n = len(keys[0])
    change = np.zeros(n, dtype=bool)
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    starts = np.flatnonzero(change)
    ends = np.append(starts, n)
    return ends[np.searchsorted(starts, np.arange(n), side="right")]


def _sample_ranges(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, p: float):
    """Yield ``(row, col)`` arrays.

    Each pair ``(x, y)``, ``lo[x] <= y < hi[x]``, with probability ``p``, independently.

    The pairs are numbered row by row, ``offset[x] + y - lo[x]``; the numbers hit by
    :func:`_bernoulli_hits` are mapped back to ``(x, y)``.
    """
    lengths = np.maximum(hi - lo, 0)
    offset = np.concatenate(([0], np.cumsum(lengths)))
    for hits in _bernoulli_hits(rng, int(offset[-1]), p):
        row = np.searchsorted(offset, hits, side="right") - 1
        yield row, lo[row] + (hits - offset[row])


def _bernoulli_hits(rng: np.random.Generator, total: int, p: float):
    """Yield the indices of the successes among ``total`` Bernoulli(``p``) trials.

    Independent trials; ascending int64 indices in blocks of at most
    :data:`_TIES_PER_BLOCK`.

    Geometric skipping (Batagelj and Brandes 2005, "Efficient generation of large random
    networks", Phys. Rev. E 71, 036113): the gaps between successive successes are
    independent Geometric(``p``) on 1, 2, ..., so the work is proportional to the number of
    successes, not of trials.
    """
    if total <= 0 or p <= 0.0:
        return
    if p >= 1.0:
        for start in range(0, total, _TIES_PER_BLOCK):
            yield np.arange(start, min(start + _TIES_PER_BLOCK, total), dtype=np.int64)
        return
    last = -1  # the last success so far
    while True:
        left = total - last - 1
        mean = left * p
        size = int(min(_TIES_PER_BLOCK, mean + 6.0 * np.sqrt(mean) + 16))
        # a gap past the end means done; capping it keeps the sum far from int64 overflow
        gaps = np.minimum(rng.geometric(p, size=size), left + 1)
        hits = last + np.cumsum(gaps)
        if hits[-1] >= total:
            hits = hits[: np.searchsorted(hits, total)]
            if hits.size:
                yield hits
            return
        yield hits
        last = int(hits[-1])


def _add_ties(G: nx.Graph, us: np.ndarray, vs: np.ndarray, kind: str, weight: float) -> None:
    """:func:`~diffusion.org.graph.add_tie` for many distinct pairs.

    Untied pairs in bulk, pairs already tied one by one (so that
    :data:`~diffusion.org.graph.TIE_PRECEDENCE` holds).
    """
    has_edge = G.has_edge
    new = []
    for u, v in zip(us.tolist(), vs.tolist(), strict=True):
        if has_edge(u, v):
            add_tie(G, u, v, kind, weight)
        else:
            new.append((u, v))
    G.add_edges_from(new, kind=kind, weight=weight)


def _objects(items: list) -> np.ndarray:
    """``items`` as a 1-d object array (tuples stay items)."""
    return np.fromiter(items, dtype=object, count=len(items))


def _add_random_pairs(
    G: nx.Graph,
    members: list,
    kind: str,
    p: float,
    rng: np.random.Generator,
    weight: float,
) -> None:
    """Tie each pair of ``members`` with probability ``p``, independently."""
    m = len(members)
    names = _objects(members)
    lo = np.arange(1, m + 1)
    for a, b in _sample_ranges(rng, lo, np.full(m, m), p):
        _add_ties(G, names[a], names[b], kind, weight)


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
