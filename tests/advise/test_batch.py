"""The advisor's candidates go through one simulation: each gets the values it gets alone."""

from __future__ import annotations

import numpy as np
import pytest

from diffusion.advisor import evaluate as ev
from diffusion.advisor.evaluate import make_problem, simulate_choice, simulate_choices
from diffusion.advisor.objectives import parse_objective
from tests.advise.conftest import AT, GOAL

CHOICES = [None, (3, 7), (0, 12), (3, 7), (5,), ()]


@pytest.mark.parametrize("from_history", [True, False])
def test_choices_together_equal_each_alone(small_scenario, from_history):
    # every objective kind (the isolated term reads a probe by run position); a repeated
    # choice, a choice of one seat and of none, and nomination (None) in one simulation
    goal = parse_objective(f"departments@{GOAL}:0.3 + working@{GOAL} + isolated@{GOAL}", GOAL, 0.3)
    problem = make_problem(small_scenario, AT, 2, goal, 30, 4)
    together, _ = simulate_choices(problem, CHOICES, from_history=from_history)
    assert len(together) == len(CHOICES)
    for people, values in zip(CHOICES, together, strict=True):
        alone = simulate_choice(problem, people, from_history=from_history)[0]
        np.testing.assert_array_equal(values, alone)
    # the choices do differ, so the equality above is not that of identical runs
    assert not np.array_equal(together[0], together[1])
    assert not np.array_equal(together[1], together[2])
    np.testing.assert_array_equal(together[1], together[3])


def test_evaluate_many_groups_the_choices(small_scenario, monkeypatch):
    # groups of 4 choices: 6 choices go as two simulations with the same values
    goal = parse_objective(f"adopters@{GOAL}", GOAL, 0.3)
    problem = make_problem(small_scenario, AT, 2, goal, 20, 8)
    calls = []
    real = ev.simulate_choices

    def counted(problem, choices, **kwargs):
        calls.append(len(choices))
        return real(problem, choices, **kwargs)

    monkeypatch.setattr(ev, "MAX_CHOICES", 4)
    monkeypatch.setattr(ev, "simulate_choices", counted)
    values = ev.evaluate_many(problem, CHOICES)
    assert calls == [4, 2]
    for people, got in zip(CHOICES, values, strict=True):
        np.testing.assert_array_equal(got, simulate_choice(problem, people)[0])


def test_choices_on_dask_workers_get_the_values_they_get_here(small_scenario):
    # the advisor with --workers: the problem sent once, the choices in groups on the workers
    pytest.importorskip("distributed")
    from diffusion.executors import Executor

    goal = parse_objective(f"adopters@{GOAL}", GOAL, 0.3)
    problem = make_problem(small_scenario, AT, 2, goal, 20, 8)
    here = ev.evaluate_many(problem, CHOICES)
    with Executor(2).client(processes=False) as client:
        run = ev.dask_map(client)
        on_workers = run(problem, CHOICES)
        again = run(problem, CHOICES[:2])  # the problem is not sent again
    assert len(on_workers) == len(CHOICES)
    for got, want in zip([*on_workers, *again], [*here, *here[:2]], strict=True):
        np.testing.assert_array_equal(got, want)
    assert not np.array_equal(here[0], here[1])  # the choices differ: not a trivial equality
