"""Filling cohort seats in the ideas model: the managers' nominations and who may take a seat.

:func:`diffusion.models.ideas._named` draws each nominating manager's picks by the inverse CDF
over the running total of their own direct reports' weights. These tests hold it to a plain
reading of that rule, manager by manager, bit for bit, and check that a run's nominees do not
depend on the other runs of its batch.
"""

from __future__ import annotations

import numpy as np

from diffusion.models import ideas
from diffusion.models.ideas import STATES, IdeasModel, IdeasPrep, eligible_for_seats
from diffusion.rng import RunRandom
from tests.models.test_ideas import make_org


def own_total_named(
    prep: IdeasPrep, plain: np.ndarray, nominates: np.ndarray, u: np.ndarray, pair: np.ndarray
) -> np.ndarray:
    """``_named`` read off its docstring, one manager at a time (``pair`` per run)."""
    n_leaders = nominates.shape[1]
    order, bounds = prep.report_order, prep.report_bounds
    named = np.zeros(plain.shape, dtype=bool)
    for r, c in zip(*np.nonzero(nominates), strict=True):
        reports = order[bounds[c] : bounds[c + 1]]
        weights = plain[r, reports].astype(np.float64)
        for pick in (1, 2) if u[r, c] < np.float32(pair[r]) else (1,):
            running = np.cumsum(weights)  # one report after the other
            if not running[-1] > 0:
                break
            above = np.flatnonzero(running > np.float64(u[r, pick * n_leaders + c]) * running[-1])
            at = above[0] if above.size else reports.size - 1
            named[r, reports[at]] = True
            weights[at] = 0.0
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


def test_each_manager_picks_by_the_running_total_of_their_own_reports():
    prep, plain, nominates, u = nomination_round(n_runs=400, seed=5, smallest=1e-3)
    # pairs: never in the first 100 runs, always in the next 100, else with probability 0.5
    pair = np.concatenate([np.zeros(100), np.ones(100), np.full(200, 0.5)])
    named = ideas._named(prep, plain, nominates, u, pair)
    np.testing.assert_array_equal(named, own_total_named(prep, plain, nominates, u, pair))
    # the round did what it is there for: one or two named per nominating manager whose
    # reports weigh something, two in every such case when pairs are certain
    weights = plain[:, prep.report_order]
    has_weight = np.add.reduceat(weights > 0, prep.report_bounds[:-1], axis=1) > 0
    asked = (nominates & has_weight).sum(axis=1)
    assert asked.sum() > 1000
    np.testing.assert_array_equal(named[:100].sum(axis=1), asked[:100])
    has_two = np.add.reduceat(weights > 0, prep.report_bounds[:-1], axis=1) > 1
    np.testing.assert_array_equal(
        named[100:200].sum(axis=1),
        (nominates & has_weight).sum(axis=1)[100:200] + (nominates & has_two).sum(axis=1)[100:200],
    )
    assert asked[200:].sum() < named[200:].sum() < 2 * asked[200:].sum()


def test_a_runs_nominees_do_not_depend_on_the_other_runs_of_its_batch():
    # weights from 1e-30 to 1: a running total over the whole batch would round each
    # manager's target at the batch's scale, not at the manager's own
    prep, plain, nominates, u = nomination_round(n_runs=300, seed=7, smallest=1e-30)
    named = ideas._named(prep, plain, nominates, u, 0.5)
    for rows in (np.arange(150, 300), np.arange(299, -1, -3)):
        part = ideas._named(prep, plain[rows], nominates[rows], u[rows], 0.5)
        np.testing.assert_array_equal(part, named[rows])


def test_eligible_for_seats_are_the_staff_who_neither_took_the_course_nor_resist():
    org = make_org()
    code = np.repeat(np.arange(len(STATES), dtype=np.int8)[:, None], org.n_nodes, axis=1)
    state = IdeasModel().init(org, IdeasModel().prepare(org), RunRandom(0, np.arange(7)))
    state.code = code
    eligible = eligible_for_seats(org, state)
    may = {"unaware", "aware", "adopter", "lapsed"}
    for s, name in enumerate(STATES):
        np.testing.assert_array_equal(eligible[s], org.is_staff.astype(bool) & (name in may))


def test_the_ineligible_weigh_nothing_in_the_nominations():
    # the state factor is 0 for the states that take no seat, the role factor 0 outside the
    # staff: the weights are 0 wherever eligible_for_seats is False, and positive where it is
    # True, but for roles the round does not ask about (nomination_top = 0 by default)
    org = make_org()
    model = IdeasModel()
    prep = model.prepare(org)
    state = model.init(org, prep, RunRandom(0, np.arange(len(STATES))))
    state.code = np.repeat(np.arange(len(STATES), dtype=np.int8)[:, None], org.n_nodes, axis=1)
    weights = model.nomination_weights(org, prep, state)
    asked = prep.nomination_role > 0
    assert asked.sum() > 0.8 * org.n_nodes
    np.testing.assert_array_equal(weights > 0, eligible_for_seats(org, state) & asked)
