"""The advisor simulates the history before the cohort once: every choice goes on from it."""

from __future__ import annotations

import dataclasses

import numpy as np

from diffusion.advisor.evaluate import make_problem, simulate_choice
from diffusion.advisor.objectives import StateProbe, parse_objective
from tests.advise.conftest import AT, GOAL


def test_choices_from_the_shared_history_equal_whole_simulations(small_scenario):
    goal = parse_objective(f"departments@{GOAL}:0.3 + working@{GOAL} + isolated@{GOAL}", GOAL, 0.3)
    problem = make_problem(small_scenario, AT, 2, goal, 30, 4)
    study = problem.study
    assert problem.history is not None and problem.history.step == problem.at_step
    for people in (None, (3, 7), (0, 12)):
        values, probe = simulate_choice(problem, people, look_at_cohort=True)
        # the same choice simulated from step 0, without the history
        events = list(study.events)
        events[problem.slot] = problem.cohort(people)
        before = StateProbe(problem.at_step)
        after = [StateProbe(s) for s in goal.probe_steps(study.calendar)]
        whole = dataclasses.replace(study, events=(before, *events, *after)).simulate(30, 4)
        np.testing.assert_array_equal(values, goal.values(whole, study.calendar, after))
        assert probe is not None
        np.testing.assert_array_equal(probe.shares(), before.shares())
        np.testing.assert_array_equal(probe.isolated_share(), before.isolated_share())
    # choices differ after the cohort: the history does not hide them
    chosen, nominated = simulate_choice(problem, (3, 7))[0], simulate_choice(problem, None)[0]
    assert not np.array_equal(chosen, nominated)
