"""Compile an organisation graph to the arrays the engine works on.

networkx ends here: the engine and the models only see a :class:`CompiledOrg`.

Conventions
-----------
* Node order is deterministic: nodes are sorted by (kind, department, team, role, cluster, id)
  so that every (team, role) cell is a contiguous slice; ``node_ids[i]`` maps back to ids.
* ``weights[kind]`` is a ``scipy.sparse.csr_array`` of shape ``(nodes, nodes)``, dtype
  float32, with ``W[i, j]`` the influence of node ``j`` on node ``i`` (row = receiver).
  Undirected ties appear in both directions; a ``line`` tie compiles to ``line_down``
  (``W[report, manager]``) and ``line_up`` (``W[manager, report]``).
* ``groups[name]`` is an integer code per node, shape ``(nodes,)``, indexing
  ``group_labels[name]``; names are ``department``, ``team``, ``role``, ``side``, ``cluster``,
  ``kind``. Nodes without a department or team (board, external, plain graphs) carry the label
  ``""``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    import networkx as nx

GROUPINGS: tuple[str, ...] = ("department", "team", "role", "side", "cluster", "kind")


@dataclass(frozen=True, eq=False)
class CompiledOrg:
    """An organisation as arrays.

    Attributes
    ----------
    node_ids : tuple of str, length ``nodes``
        Node id at each position.
    weights : mapping of tie kind to csr_array, each ``(nodes, nodes)`` float32
        Influence weights per compiled tie kind; ``W[i, j]`` is the weight of ``j`` on ``i``.
    groups : mapping of grouping name to int array ``(nodes,)``
        Group code of each node, indexing ``group_labels[name]``.
    group_labels : mapping of grouping name to tuple of str
        Labels of the codes.
    workload : float32 array ``(nodes,)``
        Workload of each person in [0, 1] (0 = room to spare, 1 = overloaded).
    manager : int32 array ``(nodes,)``
        Position of each node's manager, -1 where none.
    is_staff : bool array ``(nodes,)``
        True for staff, False for board members and external partners.
    name : str
        Name of the organisation, for provenance.
    """

    node_ids: tuple[str, ...]
    weights: Mapping[str, sp.csr_array]
    groups: Mapping[str, np.ndarray]
    group_labels: Mapping[str, tuple[str, ...]]
    workload: np.ndarray
    manager: np.ndarray
    is_staff: np.ndarray
    name: str = ""
    index: Mapping[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {nid: i for i, nid in enumerate(self.node_ids)})

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    @cached_property
    def combined(self) -> sp.csr_array:
        """Sum of the weights of every tie kind, ``(nodes, nodes)`` float32."""
        total = sp.csr_array((self.n_nodes, self.n_nodes), dtype=np.float32)
        for w in self.weights.values():
            total = total + w
        return sp.csr_array(total, dtype=np.float32)

    def weight(self, kind: str) -> sp.csr_array:
        """Weights of one tie kind; an all-zero matrix where the organisation has none."""
        w = self.weights.get(kind)
        if w is None:
            return sp.csr_array((self.n_nodes, self.n_nodes), dtype=np.float32)
        return w

    def codes(self, grouping: str) -> np.ndarray:
        """Group code per node for ``grouping``, ``(nodes,)``."""
        return self.groups[grouping]

    def mask(self, grouping: str, label: str) -> np.ndarray:
        """Boolean mask ``(nodes,)`` of the nodes whose ``grouping`` is ``label``."""
        labels = self.group_labels[grouping]
        if label not in labels:
            return np.zeros(self.n_nodes, dtype=bool)
        return np.asarray(self.groups[grouping] == labels.index(label))

    def with_weights(self, weights: Mapping[str, sp.csr_array]) -> CompiledOrg:
        """Return a copy whose tie weights are replaced by ``weights`` (used by tie events)."""
        return CompiledOrg(
            node_ids=self.node_ids,
            weights=dict(weights),
            groups=self.groups,
            group_labels=self.group_labels,
            workload=self.workload,
            manager=self.manager,
            is_staff=self.is_staff,
            name=self.name,
        )


#: Workload given to nodes without a ``workload`` attribute (the middle of [0, 1]).
DEFAULT_WORKLOAD = 0.5
#: Kind and weight of a tie without attributes (plain graphs: every tie alike).
PLAIN_TIE_KIND, PLAIN_TIE_WEIGHT = "team", 1.0


def compile_graph(G: nx.Graph, name: str = "") -> CompiledOrg:
    """Compile an organisation graph (or any networkx graph) to a :class:`CompiledOrg`.

    Parameters
    ----------
    G : networkx.Graph
        An organisation graph as built by :mod:`diffusion.org` (attributes described in
        :mod:`diffusion.org.graph`), or a plain graph. Missing node attributes default to
        kind ``"staff"``, labels ``""`` and workload :data:`DEFAULT_WORKLOAD`; a tie without
        ``kind`` is a ``"team"`` tie of weight 1.0, a tie with a ``kind`` but no ``weight``
        takes :data:`~diffusion.vocabulary.DEFAULT_TIE_WEIGHTS`. A directed graph is read as
        undirected; a multigraph's parallel ties of one kind add up; self-loops are dropped.
    name : str
        Name recorded in the result; ``G.graph["name"]`` when empty.

    Returns
    -------
    CompiledOrg
        Node order sorted by (kind, department, team, role, cluster, id), where kinds follow
        :data:`~diffusion.vocabulary.NODE_KINDS` (staff, board, external), roles follow
        :data:`~diffusion.vocabulary.ROLES` (``""`` first, unknown roles last), and the other
        labels and the ids sort naturally (``"T2" < "T10"``). ``group_labels`` use these same
        orders, so codes grow along the node order. Cluster labels are qualified by team
        (``"T14/c3"``), since a cluster name is local to its team. Group codes are int16
        (int32 if a grouping has more than 32767 labels). ``weights`` holds only the compiled
        kinds present; :meth:`CompiledOrg.weight` gives zeros for the others.

    Raises
    ------
    ValueError
        Unknown node kind or tie kind, two nodes with the same ``str`` id, a workload
        outside [0, 1], a line tie whose ``manager`` is neither end, or two managers.

    Examples
    --------
    >>> import networkx as nx
    >>> org = compile_graph(nx.path_graph(3))
    >>> org.node_ids, org.weights["team"].toarray().tolist()
    (('0', '1', '2'), [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    """
    from diffusion.org.graph import natural_key
    from diffusion.vocabulary import DEFAULT_TIE_WEIGHTS, GRAPH_TIE_KINDS, NODE_KINDS, ROLES

    if G.is_directed():
        G = G.to_undirected(as_view=True)
    nodes = list(G.nodes)
    n = len(nodes)
    ids = [str(v) for v in nodes]
    if len(set(ids)) != n:
        raise ValueError("compile_graph: two nodes have the same id once written as text")

    # node attributes: one pass
    cols: dict[str, list[str]] = {g: [] for g in GROUPINGS}
    workload = np.empty(n, dtype=np.float32)
    for k, (_, d) in enumerate(G.nodes(data=True)):
        cols["kind"].append(d.get("kind", "staff"))
        team = d.get("team", "")
        cols["department"].append(d.get("department", ""))
        cols["team"].append(team)
        cols["role"].append(d.get("role", ""))
        cols["side"].append(d.get("side", ""))
        cluster = d.get("cluster", "")
        cols["cluster"].append(f"{team}/{cluster}" if cluster and team else cluster)
        workload[k] = d.get("workload", DEFAULT_WORKLOAD)
    if n and not (np.all(workload >= 0.0) and np.all(workload <= 1.0)):
        raise ValueError("compile_graph: workload must lie in [0, 1]")
    unknown_kinds = set(cols["kind"]) - set(NODE_KINDS)
    if unknown_kinds:
        raise ValueError(f"compile_graph: unknown node kind(s) {sorted(unknown_kinds)}")

    def label_order(grouping: str) -> tuple[str, ...]:
        present = set(cols[grouping])
        if grouping == "kind":
            return tuple(k for k in NODE_KINDS if k in present)
        if grouping == "role":
            known = tuple(r for r in ("", *ROLES) if r in present)
            return known + tuple(sorted(present - set(known), key=natural_key))
        return tuple(sorted(present, key=natural_key))

    labels = {g: label_order(g) for g in GROUPINGS}
    raw_codes = {}
    for g in GROUPINGS:
        lookup = {label: i for i, label in enumerate(labels[g])}
        dtype = np.int16 if len(labels[g]) <= np.iinfo(np.int16).max else np.int32
        raw_codes[g] = np.fromiter((lookup[x] for x in cols[g]), dtype=dtype, count=n)
    id_rank = np.empty(n, dtype=np.int64)
    id_rank[sorted(range(n), key=lambda i: natural_key(ids[i]))] = np.arange(n)
    order = np.lexsort(
        (
            id_rank,
            raw_codes["cluster"],
            raw_codes["role"],
            raw_codes["team"],
            raw_codes["department"],
            raw_codes["kind"],
        )
    )
    pos = np.empty(n, dtype=np.int64)
    pos[order] = np.arange(n)
    index_of = {v: int(pos[k]) for k, v in enumerate(nodes)}
    id_pos = {ids[k]: int(pos[k]) for k in range(n)}

    # ties: one pass, into COO arrays per graph kind
    kind_code = {k: i for i, k in enumerate(GRAPH_TIE_KINDS)}
    line = kind_code["line"]
    default_w = [DEFAULT_TIE_WEIGHTS.get(k, 0.0) for k in GRAPH_TIE_KINDS]
    us, vs, ks, w1, w2 = [], [], [], [], []
    for u, v, d in G.edges(data=True):
        if u == v:
            continue
        kind = d.get("kind")
        if kind is None:
            k, w = kind_code[PLAIN_TIE_KIND], d.get("weight", PLAIN_TIE_WEIGHT)
            wb = w
        elif kind == "line":
            k = line
            boss = id_pos.get(str(d.get("manager")), -1)
            iu, iv = index_of[u], index_of[v]
            if boss not in (iu, iv):
                raise ValueError(f"compile_graph: line tie {u}-{v} needs manager = one of its ends")
            if boss == iu:  # store line ties as (report, manager)
                u, v = v, u
            w = d.get("weight_down", d.get("weight", DEFAULT_TIE_WEIGHTS["line_down"]))
            wb = d.get("weight_up", d.get("weight", DEFAULT_TIE_WEIGHTS["line_up"]))
        else:
            k = kind_code.get(kind, -1)
            if k < 0:
                raise ValueError(f"compile_graph: unknown tie kind {kind!r} on tie {u}-{v}")
            w = wb = d.get("weight", default_w[k])
        us.append(index_of[u])
        vs.append(index_of[v])
        ks.append(k)
        w1.append(w)
        w2.append(wb)
    u_arr = np.asarray(us, dtype=np.int64)
    v_arr = np.asarray(vs, dtype=np.int64)
    k_arr = np.asarray(ks, dtype=np.int64)
    w1_arr = np.asarray(w1, dtype=np.float32)
    w2_arr = np.asarray(w2, dtype=np.float32)

    def csr(rows: np.ndarray, cols_: np.ndarray, data: np.ndarray) -> sp.csr_array:
        m = sp.csr_array((data, (rows, cols_)), shape=(n, n), dtype=np.float32)
        m.sum_duplicates()
        return m

    weights: dict[str, sp.csr_array] = {}
    manager = np.full(n, -1, dtype=np.int32)
    for k, kind in enumerate(GRAPH_TIE_KINDS):
        sel = np.flatnonzero(k_arr == k)
        if sel.size == 0:
            continue
        a, b = u_arr[sel], v_arr[sel]
        if kind == "line":  # a = report, b = manager
            weights["line_down"] = csr(a, b, w1_arr[sel])
            weights["line_up"] = csr(b, a, w2_arr[sel])
            if np.unique(a).size != a.size:
                raise ValueError("compile_graph: a person has two managers (two line ties up)")
            manager[a] = b
        else:
            w = w1_arr[sel]
            weights[kind] = csr(np.concatenate([a, b]), np.concatenate([b, a]), np.tile(w, 2))

    return CompiledOrg(
        node_ids=tuple(ids[i] for i in order),
        weights=weights,
        groups={g: raw_codes[g][order] for g in GROUPINGS},
        group_labels=labels,
        workload=workload[order],
        manager=manager,
        is_staff=np.asarray([k == "staff" for k in cols["kind"]], dtype=bool)[order],
        name=name or str(G.graph.get("name", "")),
    )
