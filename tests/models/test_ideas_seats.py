"""Filling cohort seats in the ideas model: the managers' nominations and who may take a seat.

:func:`diffusion.models.ideas._named` reads the nominations' inverse CDF from one float64
running total over the runs and the managers' reports; where every partial sum is exact it
builds those totals from per-manager sums and the nominating managers' reports only. These
tests hold both ways to a plain reading of that running total (the law as documented), bit
for bit: the same people are named.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from diffusion.models import ideas
from diffusion.models.ideas import STATES, IdeasModel, IdeasPrep, eligible_for_seats
from diffusion.rng import RunRandom
from tests.models.test_ideas import make_org


def running_total_named(
    prep: IdeasPrep, plain: np.ndarray, nominates: np.ndarray, u: np.ndarray, pair: float
) -> np.ndarray:
    """``_named`` read off its docstring, manager by manager, on the running total of everything."""
    n_runs, n = plain.shape
    n_leaders = nominates.shape[1]
    order, bounds = prep.report_order, prep.report_bounds
    m = order.size
    weights = plain[:, order].astype(np.float64).reshape(-1)  # runs, then reports
    named = np.zeros((n_runs, n), dtype=bool)
    for k in (0, 1):
        total = np.concatenate(([0.0], np.cumsum(weights)))  # total[i]: before weights[i]
        picked = []
        for r in range(n_runs):
            for c in range(n_leaders):
                if not nominates[r, c] or (k == 1 and not u[r, c] < np.float32(pair)):
                    continue
                start, end = r * m + bounds[c], r * m + bounds[c + 1]
                lo, hi = total[start], total[end]
                if not hi > lo:
                    continue
                target = lo + np.float64(u[r, (k + 1) * n_leaders + c]) * (hi - lo)
                above = np.flatnonzero(total[start + 1 : end + 1] > target)
                at = start + (above[0] if above.size else end - start - 1)
                named[r, order[at - r * m]] = True
                picked.append(at)
        weights[picked] = 0.0
    return named


def nomination_round(
    n_runs: int, seed: int, smallest: float
) -> tuple[IdeasPrep, np.ndarray, np.ndarray, np.ndarray]:
    """A round on the test organisation: weights from ``smallest`` to 1 (log-uniform), a fifth 0;
    managers nominate with probability 0.6; draws from the counter-based streams."""
    org = make_org(teams_per_department=3)
    prep = IdeasModel().prepare(org)
    rand = RunRandom(seed, np.arange(n_runs))
    n, n_leaders = org.n_nodes, prep.leaders.size
    scale = rand.uniform("scale", 0, n).astype(np.float64)
    plain = np.exp(np.log(smallest) * scale).astype(np.float32)
    plain[rand.uniform("zero", 0, n) < 0.2] = 0.0
    nominates = rand.uniform("nominate", 0, n_leaders) < 0.6
    return prep, plain, nominates, rand.uniform("nominee", 0, 3 * n_leaders)


@pytest.mark.parametrize(
    ("smallest", "exact"),
    [(1e-3, True), (1e-30, False)],  # 1e-30: the totals need more than float64's 53 bits
)
def test_nominees_are_read_off_one_running_total_over_runs_and_reports(smallest, exact):
    prep, plain, nominates, u = nomination_round(n_runs=300, seed=5, smallest=smallest)
    weights = plain[:, prep.report_order]
    assert ideas._sums_exact(weights, float(weights.sum(dtype=np.float64))) is exact
    named = ideas._named(prep, plain, nominates, u, 0.5)
    np.testing.assert_array_equal(named, running_total_named(prep, plain, nominates, u, 0.5))
    # the round did what it is there for: one or two named per nominating manager whose
    # reports weigh something (0.5: about half name two)
    has_weight = np.add.reduceat(weights > 0, prep.report_bounds[:-1], axis=1) > 0
    asked = (nominates & has_weight).sum()
    assert asked > 1000
    assert asked < named.sum() < 2 * asked


def test_running_totals_from_per_manager_sums_equal_the_running_total_of_everything():
    # bit for bit, before and after dropping picks: the shortcut's bookkeeping (the totals
    # before each manager less the dropped weights) matters for the rounding of lo + u (hi - lo)
    prep, plain, nominates, _ = nomination_round(n_runs=300, seed=6, smallest=1e-3)
    weights, bounds = plain[:, prep.report_order], prep.report_bounds
    runs, cols = np.nonzero(nominates)
    short = ideas._RunningTotal(weights, bounds, runs, cols)
    full = ideas._RunningTotal(weights, bounds, runs, cols, exact=False)
    assert short.everything is None and full.everything is not None
    rng = np.random.default_rng(2)
    for _ in range(3):
        for a, b in zip(short.read(), full.read(), strict=True):
            np.testing.assert_array_equal(a, b)
        some = np.flatnonzero((rng.random(runs.size) < 0.5) & (short.length > 0))
        at = short.first[some] + rng.integers(0, short.length[some])
        assert (short.values[at] > 0).sum() > 100
        short.drop(at)
        full.drop(at)


def test_pairs_given_per_run_take_each_runs_own_probability():
    prep, plain, nominates, u = nomination_round(n_runs=200, seed=8, smallest=1e-2)
    pair = np.where(np.arange(200) < 100, 0.0, 1.0)  # no pairs in the first half, all after
    named = ideas._named(prep, plain, nominates, u, pair)
    np.testing.assert_array_equal(
        named[:100], running_total_named(prep, plain[:100], nominates[:100], u[:100], 0.0)
    )
    np.testing.assert_array_equal(
        named[100:], running_total_named(prep, plain[100:], nominates[100:], u[100:], 1.0)
    )


def test_sums_called_exact_are_exact_in_any_order():
    # float32 weights whose float64 running total (left to right) and sum in reverse both
    # equal the exact rational sums wherever _sums_exact says so; one set just past its
    # bound is refused
    rng = np.random.default_rng(3)
    for _ in range(20):
        w = (rng.random(500) * 10.0 ** rng.integers(-6, 3, 500)).astype(np.float32)
        if not ideas._sums_exact(w, float(w.sum(dtype=np.float64))):
            continue
        exact = np.cumsum([Fraction(float(x)) for x in w])
        assert [Fraction(float(x)) for x in np.cumsum(w, dtype=np.float64)] == list(exact)
        assert Fraction(float(np.cumsum(w[::-1], dtype=np.float64)[-1])) == exact[-1]
    # 1.0 has last digit 2**-23 (a float32 mantissa of 24 bits): the bound is 2**52 of them
    assert ideas._sums_exact(np.float32([1.0, 2.0**28]), 1.0 + 2.0**28)
    assert not ideas._sums_exact(np.float32([1.0, 2.0**29]), 1.0 + 2.0**29)
    assert ideas._sums_exact(np.zeros(3, np.float32), 0.0)


def test_eligible_for_seats_are_the_staff_who_neither_took_the_course_nor_resist():
    org = make_org()
    code = np.repeat(np.arange(len(STATES), dtype=np.int8)[:, None], org.n_nodes, axis=1)
    state = IdeasModel().init(org, IdeasModel().prepare(org), RunRandom(0, np.arange(7)))
    state.code = code
    eligible = eligible_for_seats(org, state)
    may = {"unaware", "aware", "adopter", "lapsed"}
    for s, name in enumerate(STATES):
        np.testing.assert_array_equal(eligible[s], org.is_staff.astype(bool) & (name in may))
