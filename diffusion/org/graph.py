"""The organisation graph: how people and ties are stored, and helpers every builder shares.

A graph is an undirected :class:`networkx.Graph` whose node ids are strings.

Node attributes
    ``kind`` (staff, board, external), ``department``, ``team``, ``cluster`` (the name of a
    cluster inside its team, e.g. ``"c3"``), ``role`` (see :data:`diffusion.vocabulary.ROLES`),
    ``side`` (soft, hard, none), ``workload`` (float in [0, 1]) and, for named people only,
    ``name``. A missing department, team or cluster is ``""``. A department head who is also
    the team leader of a team carries that team in ``team``; other heads have ``team == ""``.

Tie (edge) attributes
    ``kind`` (one of :data:`~diffusion.vocabulary.GRAPH_TIE_KINDS`) and ``weight``
    (dimensionless influence, relative to a cluster tie). A ``line`` tie joins a manager and a
    report and carries ``weight_down`` (manager on report), ``weight_up`` (report on manager)
    and ``manager`` (the manager's id) instead of ``weight``. The manager chain is stored only
    in line ties; :func:`managers` reads it back.

One tie per pair
    A pair of people has at most one tie. When two builders' rules join the same pair, the
    kind earlier in :data:`TIE_PRECEDENCE` wins. ``line`` comes first because it carries the
    hierarchy (the manager chain would break otherwise), then the closer, denser kinds before
    the looser ones. Generated clusters never hold a team leader, so cluster and line do not
    compete there; in an imported roster a team leader listed in a cluster keeps the line tie
    to each report and the cluster ties to the other members.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterable

import networkx as nx

from diffusion.errors import InputError, excerpt
from diffusion.vocabulary import (
    GRAPH_TIE_KINDS,
    MAX_TIE_WEIGHT,
    NODE_KINDS,
    ROLES,
    SIDES,
    TEAM_LEADING_ROLES,
)

#: Kinds in order of precedence when two rules tie the same pair (first wins).
TIE_PRECEDENCE: tuple[str, ...] = (
    "line",
    "cluster",
    "mt",
    "team_leaders_forum",
    "team",
    "project",
    "department",
    "cross_department",
    "board",
    "external",
)
_RANK = {kind: i for i, kind in enumerate(TIE_PRECEDENCE)}

#: Node attributes that hold a label (str); ``workload`` and ``name`` are the others.
LABEL_ATTRS: tuple[str, ...] = ("kind", "department", "team", "cluster", "role", "side")


def add_tie(
    G: nx.Graph,
    u: Hashable,
    v: Hashable,
    kind: str,
    weight: float | None = None,
    *,
    weight_down: float | None = None,
    weight_up: float | None = None,
    manager: Hashable | None = None,
) -> bool:
    """Tie ``u`` and ``v`` unless they already share a tie of higher precedence.

    Parameters
    ----------
    G : networkx.Graph
        Graph to change in place.
    u, v : hashable
        The two people; for a ``line`` tie one of them is ``manager``.
    kind : str
        Tie kind, one of :data:`~diffusion.vocabulary.GRAPH_TIE_KINDS`.
    weight : float, optional
        Weight of an undirected tie (dimensionless).
    weight_down, weight_up, manager
        For ``line`` ties only: the manager's weight on the report, the report's weight on
        the manager, and the manager's id.

    Returns
    -------
    bool
        True when the tie was added or replaced a weaker one.
    """
    if u == v:
        raise ValueError(f"a person cannot be tied to themselves ({u!r})")
    old = G.edges[u, v]["kind"] if G.has_edge(u, v) else None
    if old is not None and _RANK.get(old, len(_RANK)) <= _RANK[kind]:
        return False
    if kind == "line":
        if manager not in (u, v):
            raise ValueError(f"line tie {u!r}-{v!r}: manager must be one of them (got {manager!r})")
        attrs = {"kind": kind, "weight_down": weight_down, "weight_up": weight_up}
        attrs["manager"] = str(manager)
    else:
        attrs = {"kind": kind, "weight": weight}
    if old is not None:
        G.remove_edge(u, v)
    G.add_edge(u, v, **attrs)
    return True


def add_clique(G: nx.Graph, members: Iterable[Hashable], kind: str, weight: float) -> None:
    """Tie every pair of ``members`` with ``kind`` (subject to :data:`TIE_PRECEDENCE`)."""
    members = list(members)
    for i, u in enumerate(members):
        for v in members[i + 1 :]:
            add_tie(G, u, v, kind, weight)


def managers(G: nx.Graph) -> dict[Hashable, Hashable]:
    """Map each report to its manager, read from the ``line`` ties of ``G``."""
    ids = {str(n): n for n in G}
    out: dict[Hashable, Hashable] = {}
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "line":
            boss = ids[str(d["manager"])]
            out[v if boss == u else u] = boss
    return out


def manager_chain(G: nx.Graph, node: Hashable, bosses: dict | None = None) -> list[Hashable]:
    """Return the managers of ``node``, nearest first, up to a person without a manager."""
    bosses = managers(G) if bosses is None else bosses
    chain: list[Hashable] = []
    while node in bosses:
        node = bosses[node]
        if node in chain:
            raise ValueError(f"manager cycle through {node!r}")
        chain.append(node)
    return chain


def team_leaders(G: nx.Graph) -> dict[str, list[Hashable]]:
    """Map each team to the people who lead it (team leaders, and heads acting as one)."""
    out: dict[str, list[Hashable]] = {}
    for n, d in G.nodes(data=True):
        if d.get("team") and d.get("role") in TEAM_LEADING_ROLES:
            out.setdefault(d["team"], []).append(n)
    return out


def natural_key(text: str) -> tuple[tuple[str | int, ...], str]:
    """Sort key that orders the digits in text by value: ``"T2" < "T10"``."""
    parts = re.split(r"(\d+)", text)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts)), text


def validate_graph(G: nx.Graph, file: str = "") -> None:
    """Check the attributes of a graph read from a file; raise :class:`InputError` if wrong.

    Attributes may be missing (the compile step fills defaults), but those present must
    use the project's vocabulary.
    """
    allowed = {"kind": NODE_KINDS, "role": ("", *ROLES), "side": ("", *SIDES)}
    for n, d in G.nodes(data=True):
        for attr, values in allowed.items():
            if attr in d and d[attr] not in values:
                raise InputError(
                    file,
                    f"node {n}",
                    f"unknown {attr} {excerpt(d[attr])}; "
                    f"use one of {', '.join(v for v in values if v)}",
                )
        if "workload" in d and not _is_unit(d["workload"]):
            raise InputError(
                file,
                f"node {n}",
                f"workload must be a number in [0, 1] (got {excerpt(d['workload'])})",
            )
    for u, v, d in G.edges(data=True):
        place = f"tie {u}-{v}"
        kind = d.get("kind", "team")
        if kind not in GRAPH_TIE_KINDS:
            raise InputError(
                file,
                place,
                f"unknown tie kind {excerpt(kind)}; use one of {', '.join(GRAPH_TIE_KINDS)}",
            )
        for attr in ("weight", "weight_down", "weight_up"):
            problem = weight_problem(d[attr]) if attr in d else None
            if problem is not None:
                raise InputError(file, place, f"{attr} {problem}")
        if kind == "line" and str(d.get("manager")) not in (str(u), str(v)):
            raise InputError(
                file,
                place,
                f"a line tie needs attribute manager = the id of one of its ends "
                f"(got {excerpt(d.get('manager'))})",
            )
    for u, _ in nx.selfloop_edges(G):
        raise InputError(file, f"tie {u}-{u}", "a tie from a person to themselves; remove it")
    boss_of: dict[Hashable, Hashable] = {}
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "line":
            boss = u if str(d["manager"]) == str(u) else v
            report = v if boss == u else u
            if report in boss_of:
                raise InputError(
                    file,
                    f"node {report}",
                    f"two managers ({boss_of[report]} and {boss}): a person has at most one "
                    "line tie to a manager; make the other tie another kind",
                )
            boss_of[report] = boss


def weight_problem(value: object) -> str | None:
    """Why ``value`` cannot be a tie weight (``"must be ..."``), or None when it can.

    A weight is a number from 0 to :data:`~diffusion.vocabulary.MAX_TIE_WEIGHT`.

    Examples
    --------
    >>> weight_problem(0.5) is None, weight_problem(-1.0)
    (True, 'must be a number from 0 to 1e+06 (got -1.0)')
    """
    if _is_number(value) and 0.0 <= value <= MAX_TIE_WEIGHT:  # type: ignore[operator]
        return None
    return f"must be a number from 0 to {MAX_TIE_WEIGHT:g} (got {excerpt(value)})"


def _is_number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _is_unit(x: object) -> bool:
    return _is_number(x) and 0.0 <= x <= 1.0  # type: ignore[operator]
