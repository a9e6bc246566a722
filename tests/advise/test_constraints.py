"""Constraints: parsing, the feasibility search against brute force, and every selection
(strategy order, greedy, exhaustive) respecting random quotas (hypothesis, bounded)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diffusion.advisor.celf import greedy
from diffusion.advisor.constraints import Constraints, InfeasibleError, Quota, parse_quota
from diffusion.advisor.exhaustive import exhaustive
from diffusion.compile import compile_graph
from diffusion.errors import InputError
from diffusion.org.generate import generate
from diffusion.org.spec import spec_from_dict

ORG = compile_graph(
    generate(
        spec_from_dict(
            {
                "departments": [
                    {"name": "S", "side": "soft", "teams": [{"name": "T1"}, {"name": "T2"}]},
                    {"name": "B", "side": "hard", "teams": [{"name": "T3"}]},
                ],
                "team_defaults": {"size": [4, 4], "clusters": 1, "policy_officer_share": 0.3},
            }
        ),
        seed=1,
    )
)
STAFF = np.flatnonzero(ORG.is_staff).tolist()


def brute_force(con: Constraints, chosen: list[int], pool: list[int]) -> bool:
    """Feasibility by enumerating every completion."""
    rest = [p for p in pool if p not in chosen]
    need = con.k - len(chosen)
    return need >= 0 and any(
        con.satisfied([*chosen, *extra]) for extra in itertools.combinations(rest, need)
    )


def test_parse_quota_reads_the_forms_and_refuses_others():
    assert parse_quota("team<=2") == Quota("team", None, "<=", 2)
    assert parse_quota("role:policy_officer >= 1") == Quota("role", "policy_officer", ">=", 1)
    for bad, says in (("team<2", "cannot read"), ("cluster<=1", "unknown grouping")):
        with pytest.raises(InputError, match=says) as info:
            parse_quota(bad)
        assert str(info.value).startswith("--quota: ")


def test_build_refuses_unknown_labels_ids_and_contradictions():
    with pytest.raises(InputError, match="no side 'medium'; sides: hard, soft"):
        Constraints.build(ORG, 3, [parse_quota("side:medium>=1")])
    with pytest.raises(InputError, match="no person 'nobody'"):
        Constraints.build(ORG, 3, required=["nobody"])
    with pytest.raises(InputError, match="also excluded"):
        Constraints.build(ORG, 3, required=["T1-lead"], excluded=["T1-lead"])
    with pytest.raises(InputError, match="2 people required for 1 seats"):
        Constraints.build(ORG, 1, required=["T1-lead,T2-lead"])


def test_an_impossible_quota_is_reported_as_such():
    con = Constraints.build(ORG, 2, [parse_quota("side:hard>=3")])
    with pytest.raises(InfeasibleError, match="no choice of 2 people"):
        con.select_in_order(STAFF)


QUOTAS = st.lists(
    st.builds(
        Quota,
        grouping=st.sampled_from(["team", "department", "role", "side"]),
        label=st.none(),
        op=st.sampled_from(["<=", ">="]),
        n=st.integers(0, 2),
    ).map(
        # a label from the organisation, or every group for at-most quotas
        lambda q: (
            q
            if q.op == "<="
            else Quota(q.grouping, next(x for x in ORG.group_labels[q.grouping] if x), q.op, q.n)
        )
    ),
    max_size=3,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    quotas=QUOTAS,
    k=st.integers(1, 3),
    seed=st.integers(0, 2**16),
    n_pool=st.integers(4, 9),
)
def test_selections_always_respect_the_constraints(quotas, k, seed, n_pool):
    rng = np.random.default_rng(seed)
    pool = sorted(rng.choice(STAFF, n_pool, replace=False).tolist())
    required = [ORG.node_ids[pool[0]]] if seed % 3 == 0 else []
    excluded = [ORG.node_ids[pool[-1]]] if seed % 2 == 0 else []
    con = Constraints.build(ORG, k, quotas, required, excluded)
    usable = [p for p in pool if p not in con.excluded]
    weights = rng.random(ORG.n_nodes)

    def value(sets):  # a cheap non-additive set function
        return [
            float(weights[list(s)].sum() + 0.3 * weights[list(s)].max(initial=0.0)) for s in sets
        ]

    possible = brute_force(con, list(con.required), usable)
    assert con.feasible(list(con.required), usable) == possible
    # the search agrees with brute force on partial choices too
    for person in usable[:3]:
        partial = [*con.required, person] if person not in con.required else list(con.required)
        assert con.feasible(partial, usable) == brute_force(con, partial, usable)
    if not possible:
        with pytest.raises(InfeasibleError):
            con.select_in_order(rng.permutation(usable).tolist(), usable)
        return
    chosen = con.select_in_order(rng.permutation(usable).tolist(), usable)
    assert con.satisfied(chosen)
    for lazy in (True, False):
        assert con.satisfied(greedy(value, usable, con, lazy=lazy, batch=2).chosen)
    best = exhaustive(value, usable, con)
    assert con.satisfied(best.best)
    assert all(con.satisfied(s) for s in best.values)


def test_more_seats_than_candidates_is_said_of_the_seats():
    con = Constraints.build(ORG, len(STAFF) + 1)
    with pytest.raises(InfeasibleError, match=r"--seats: \d+ seats but \d+ candidates") as err:
        con.select_in_order(STAFF)
    assert f"{len(STAFF) + 1} seats but {len(STAFF)} candidates" in str(err.value)
