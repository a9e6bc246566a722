"""Who may sit in the advised cohort: quotas per group, excluded and required people.

A quota bounds the number of chosen people in a group: ``team<=2`` (at most 2 from every
team), ``side:hard>=1`` (at least 1 from the hard side), ``role:policy_officer>=1``,
``department:S<=3``. Groupings are those a scenario's cohort quotas use: ``team``,
``department``, ``role``, ``side``.

Every selection in :mod:`diffusion.advisor` (the greedy, the exhaustive search, the simple
strategies) goes through :meth:`Constraints.feasible`, which asks whether a partial choice
can still be completed to ``k`` people from the candidate pool with every quota met; a
person is only added when the answer stays yes, so a finished choice always meets them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from diffusion.compile import CompiledOrg
from diffusion.errors import InputError

#: groupings a quota may use (those of a scenario's cohort quotas)
QUOTA_GROUPINGS: tuple[str, ...] = ("team", "department", "role", "side")
_QUOTA = re.compile(r"^\s*(\w+)\s*(?::\s*([^<>=\s]+)\s*)?(<=|>=)\s*(\d+)\s*$")
#: nodes a feasibility search may visit before it gives up (the cohorts are small: 2-10)
SEARCH_BUDGET = 200_000


class InfeasibleError(InputError):
    """No choice of ``k`` candidates meets the constraints."""


@dataclass(frozen=True)
class Quota:
    """At most (``<=``) or at least (``>=``) ``n`` chosen people in a group.

    ``label=None`` applies the bound to every group of the grouping separately.
    """

    grouping: str
    label: str | None
    op: str
    n: int

    def __str__(self) -> str:
        where = self.grouping if self.label is None else f"{self.grouping}:{self.label}"
        return f"{where}{self.op}{self.n}"


def parse_quota(text: str) -> Quota:
    """Read ``GROUPING[:LABEL](<=|>=)N``, e.g. ``team<=2`` or ``side:hard>=1``.

    Raises
    ------
    InputError
        ``--quota: ...`` for a malformed quota or an unknown grouping.

    Examples
    --------
    >>> parse_quota("side:hard>=1")
    Quota(grouping='side', label='hard', op='>=', n=1)
    """
    m = _QUOTA.match(text)
    if m is None:
        raise InputError("", "--quota", f"cannot read {text!r}; write e.g. team<=2 or side:hard>=1")
    grouping, label, op, n = m.groups()
    if grouping not in QUOTA_GROUPINGS:
        raise InputError(
            "", "--quota", f"unknown grouping {grouping!r}; use one of {', '.join(QUOTA_GROUPINGS)}"
        )
    return Quota(grouping, label, op, int(n))


@dataclass(frozen=True)
class Constraints:
    """Quotas, excluded and required people, bound to an organisation.

    Build with :meth:`build`. Positions index the organisation's nodes.

    Attributes
    ----------
    k : int
        Seats to fill.
    required : tuple of int
        Positions that must be chosen.
    excluded : frozenset of int
        Positions that may not be chosen.
    quotas : tuple of Quota
        The quotas as given.
    """

    k: int
    required: tuple[int, ...] = ()
    excluded: frozenset[int] = frozenset()
    quotas: tuple[Quota, ...] = ()
    members: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool), repr=False)
    low: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    high: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)

    @classmethod
    def build(
        cls,
        org: CompiledOrg,
        k: int,
        quotas: Sequence[Quota] = (),
        required: Iterable[str] = (),
        excluded: Iterable[str] = (),
    ) -> Constraints:
        """Check the quotas and ids against ``org`` and bind them.

        Raises
        ------
        InputError
            An unknown label or id (``--quota: ...``, ``--include: ...``), a person both
            required and excluded, or more required people than seats.
        """
        rows, lows, highs = [], [], []
        for q in quotas:
            labels = org.group_labels[q.grouping]
            if q.label is not None and q.label not in labels:
                known = ", ".join(x for x in labels if x)
                raise InputError(
                    "", "--quota", f"{q}: no {q.grouping} {q.label!r}; {q.grouping}s: {known}"
                )
            targets = [q.label] if q.label is not None else [x for x in labels if x]
            for label in targets:
                members = org.mask(q.grouping, label) & org.is_staff
                low, high = (q.n, k) if q.op == ">=" else (0, q.n)
                rows.append(members)
                lows.append(low)
                highs.append(high)
        req = tuple(dict.fromkeys(_positions(org, required, "--include")))
        exc = frozenset(_positions(org, excluded, "--exclude"))
        both = [org.node_ids[i] for i in req if i in exc]
        if both:
            raise InputError("", "--include", f"{both[0]!r} is also excluded")
        if len(req) > k:
            raise InputError("", "--include", f"{len(req)} people required for {k} seats")
        return cls(
            k=k,
            required=req,
            excluded=exc,
            quotas=tuple(quotas),
            members=np.array(rows, dtype=bool).reshape(len(rows), org.n_nodes),
            low=np.array(lows, dtype=np.int64),
            high=np.array(highs, dtype=np.int64),
        )

    # ------------------------------------------------------------------ checks
    def satisfied(self, chosen: Sequence[int]) -> bool:
        """Whether ``chosen`` (``k`` positions) meets every constraint."""
        s = set(chosen)
        if len(s) != len(chosen) or len(s) != self.k:
            return False
        if s & self.excluded or not set(self.required) <= s:
            return False
        counts = self.members[:, list(s)].sum(axis=1)
        return bool(((self.low <= counts) & (counts <= self.high)).all())

    def feasible(self, chosen: Sequence[int], pool: Sequence[int]) -> bool:
        """Tell whether ``chosen`` can be completed to ``k`` people meeting every constraint.

        The people come from ``pool``; a depth-first search: the unmet minimum first, then
        any filling.

        Raises
        ------
        InfeasibleError
            When the search exceeds :data:`SEARCH_BUDGET` nodes (not seen for cohorts of a
            few seats; the message says what to simplify).
        """
        chosen = list(chosen)
        if len(set(chosen)) != len(chosen) or len(chosen) > self.k:
            return False
        if set(chosen) & self.excluded:
            return False
        taken = set(chosen)
        rest = [int(c) for c in dict.fromkeys(pool) if c not in taken and c not in self.excluded]
        members, low, high = self.members, self.low, self.high
        counts = members[:, chosen].sum(axis=1).astype(np.int64)
        # required people first: they are in any completion
        for r in self.required:
            if r in taken:
                continue
            if r not in rest:
                return False
            counts = counts + members[:, r]
            rest.remove(r)
            taken.add(r)
        if (counts > high).any():
            return False
        left = self.k - len(taken)
        if left < 0:
            return False
        return _complete(members, low, high, counts, rest, left, [SEARCH_BUDGET])

    def can_add(self, chosen: Sequence[int], person: int, pool: Sequence[int]) -> bool:
        """Whether ``chosen + [person]`` is still :meth:`feasible`."""
        return person not in chosen and self.feasible([*chosen, person], pool)

    def select_in_order(self, order: Sequence[int], pool: Sequence[int] | None = None) -> tuple:
        """Return the first ``k`` people of ``order`` that keep the choice feasible.

        Required people first; the pool for completion is ``pool`` (default: ``order``).

        Raises
        ------
        InfeasibleError
            When no choice from the pool meets the constraints.
        """
        pool = list(order) if pool is None else list(pool)
        chosen = list(self.required)
        if not self.feasible(chosen, pool):
            raise self.infeasible(len(pool))
        for person in order:
            if len(chosen) == self.k:
                break
            if self.can_add(chosen, int(person), pool):
                chosen.append(int(person))
        if len(chosen) < self.k:
            raise self.infeasible(len(pool))
        return tuple(sorted(chosen))

    def infeasible(self, n_pool: int) -> InfeasibleError:
        """Return the error for constraints that no choice from a pool of ``n_pool`` meets."""
        quotas = " ".join(str(q) for q in self.quotas) or "none"
        if self.k > n_pool:  # too many seats whatever the quotas
            return InfeasibleError(
                "",
                "--seats",
                f"{self.k} seats but {n_pool} candidates to choose from "
                f"({len(self.excluded)} excluded); give fewer --seats (or more --candidates)",
            )
        return InfeasibleError(
            "",
            "--quota",
            f"no choice of {self.k} people among {n_pool} candidates meets the constraints "
            f"(quotas: {quotas}; {len(self.required)} required, {len(self.excluded)} excluded)",
        )


def _complete(
    members: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    counts: np.ndarray,
    avail: list[int],
    left: int,
    budget: list[int],
) -> bool:
    """Whether ``left`` more people from ``avail`` can bring ``counts`` within bounds.

    Branches on the members of the first group below its minimum (some of them must be
    chosen), or on anyone when every minimum is met; a person tried and failed is left out
    of the later branches, so each completion is looked at once.
    """
    budget[0] -= 1
    if budget[0] < 0:
        raise InfeasibleError(
            "", "--quota", "the quotas are too intricate to check; give fewer or simpler quotas"
        )
    deficit = low - counts
    if left == 0:
        return not (deficit > 0).any()
    if (deficit.size and deficit.max() > left) or len(avail) < left:
        return False
    unmet = np.flatnonzero(deficit > 0)
    branch = [p for p in avail if members[unmet[0], p]] if unmet.size else avail
    tried: set[int] = set()
    for person in branch:
        new = counts + members[:, person]
        if (new > high).any():
            tried.add(person)
            continue
        tried.add(person)
        rest = [q for q in avail if q not in tried]
        if _complete(members, low, high, new, rest, left - 1, budget):
            return True
    return False


def _positions(org: CompiledOrg, ids: Iterable[str], option: str) -> list[int]:
    out = []
    for raw in ids:
        for nid in (x.strip() for x in str(raw).split(",")):
            if not nid:
                continue
            if nid not in org.index:
                raise InputError("", option, f"no person {nid!r} in the organisation")
            pos = org.index[nid]
            if not org.is_staff[pos]:
                raise InputError("", option, f"{nid!r} is not staff and cannot take the course")
            out.append(pos)
    return out
