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

import numpy as np
import scipy.sparse as sp

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
        return self.groups[grouping] == labels.index(label)

    def with_weights(self, weights: Mapping[str, sp.csr_array]) -> CompiledOrg:
        """A copy whose tie weights are replaced by ``weights`` (used by tie events)."""
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
