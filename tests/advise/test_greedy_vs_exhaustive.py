"""The greedy against the optimum found by exhaustive search, on the small organisation.

Each case: the ``n`` best candidates by the cheap scores, every choice of ``k`` of them
simulated with the same seed (5) and runs (common random numbers, so the estimate is a
fixed function of the choice and "optimum" means the best estimate). Measured (and
asserted; "sets" counts the sets each search asked for):

=========================== ===== ==== ===== ======= ============= ============= ===========
objective (at 2021-06-30)   seats n    runs  choices CELF          plain greedy  sets: CELF
                                                                                 / plain
=========================== ===== ==== ===== ======= ============= ============= ===========
adopters                    3     8    60    56      optimum       optimum       17 / 22
isolated (minimised)        2     8    60    28      optimum       optimum       13 / 16
working (trained+adopters)  3     10   60    120     optimum       optimum       20 / 28
=========================== ===== ==== ===== ======= ============= ============= ===========

The ideas model's complex contagion is not submodular, so the greedy has no guarantee; here
it finds the optimum in all three cases. (Re-measured 2026-12-02 after the refit on every
pattern, which changes the recruitment and spreading defaults, on the ideas step's new
random stream; on the former stream with the former defaults the adopters case was rank 2,
99.2% ((greedy - worst) / (best - worst) over the 56 feasible choices); before recruitment by
naming, rank 4, 90.8%, and the working case rank 2, 94.5%.)
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from diffusion.advisor.celf import greedy
from diffusion.advisor.constraints import Constraints
from diffusion.advisor.evaluate import Evaluator, make_problem, simulate_choice
from diffusion.advisor.exhaustive import exhaustive
from diffusion.advisor.objectives import parse_objective
from diffusion.advisor.strategies import Situation, cheap_scores
from tests.advise.conftest import AT, GOAL

CASES = [
    # objective, seats, candidates, runs, rank of CELF and plain greedy, share of range
    ("adopters", 3, 8, 60, 1, 1.0),
    ("isolated", 2, 8, 60, 1, 1.0),
    ("working", 3, 10, 60, 1, 1.0),
]


@pytest.mark.slow
@pytest.mark.parametrize("kind, k, n, runs, rank, share", CASES)
def test_greedy_against_exhaustive(small_scenario, kind, k, n, runs, rank, share):
    goal = parse_objective(f"{kind}@{GOAL}", GOAL, 0.25)
    problem = make_problem(small_scenario, AT, k, goal, runs, 5)
    con = Constraints.build(problem.study.org, k)
    _, probe = simulate_choice(problem, None, look_at_cohort=True)
    sit = Situation.from_probe(probe, problem.study.model.params, con.excluded)
    scores = cheap_scores(sit)
    c = sit.candidates
    pool = sorted(c[np.lexsort((c, -scores[c]))][:n].tolist())
    evaluator = Evaluator(problem)
    best = exhaustive(evaluator.means, pool, con)
    assert len(best.values) == math.comb(n, k)
    reports = [best.compare(greedy(evaluator.means, pool, con, lazy=lazy)) for lazy in (1, 0)]
    for report in reports:
        assert report["rank"] == rank, report
        assert report["optimal"] == (rank == 1)
        assert report["share_of_range"] == pytest.approx(share, abs=0.001)
    assert reports[0]["evaluations"] < reports[1]["evaluations"]
