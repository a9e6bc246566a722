"""Objectives: parsing, values against independent counts, probes that change nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from diffusion.advisor.evaluate import make_problem
from diffusion.advisor.objectives import StateProbe, parse_objective
from diffusion.comparison import Settings, outcome_values
from diffusion.errors import InputError
from tests.advise.conftest import AT, GOAL

DEFAULT = dt.date(2021, 12, 31)


def test_parse_fills_defaults_and_reads_weights():
    o = parse_objective("adopters + 2*departments@2021-06-30 + 0.5*isolated", DEFAULT, 0.25)
    assert o.spec == "adopters@2021-12-31 + 2*departments@2021-06-30:0.25 + 0.5*isolated@2021-12-31"
    assert o.last_date == DEFAULT
    assert "isolated participants (minimised)" in o.name


@pytest.mark.parametrize(
    "text, says",
    [
        ("adoptors", "cannot read 'adoptors'"),
        ("adopters@2021-13-01", "month must be in 1..12"),
        ("adopters:0.3", "only departments take a share"),
        ("departments:1.5", "share must be in"),
        ("0*adopters", "a term's weight must be a number > 0"),
        ("adopters + 0.0*isolated", "'0.0\\*isolated': a term's weight"),
    ],
)
def test_parse_refuses_with_one_line(text, says):
    with pytest.raises(InputError, match=says) as info:
        parse_objective(text, DEFAULT, 0.25)
    assert str(info.value).startswith("--objective: ") and "\n" not in str(info.value)


def test_values_match_independent_counts(small_scenario):
    """departments: the sum over departments of compare's pass outcomes; isolated: at most
    the trained; a probe at a step without events sees the recorded counts."""
    share = 0.3
    goal = parse_objective(
        f"departments@{GOAL}:{share} + working@{GOAL} + isolated@{GOAL}", GOAL, share
    )
    problem = make_problem(small_scenario, AT, 2, goal, 30, 4)
    study = problem.study
    quiet = study.calendar.step_of(dt.date(2020, 9, 7))  # no event that week
    assert all(e.step != quiet for e in study.events)
    look = StateProbe(quiet)
    ends = [StateProbe(s) for s in goal.probe_steps(study.calendar)]
    events = (
        *study.events[: problem.slot],
        problem.cohort((3, 7)),
        *study.events[problem.slot + 1 :],
    )
    results = dataclasses.replace(study, events=(look, *events, *ends)).simulate(30, 4)

    record = results.record_of_step(quiet)
    assert np.array_equal(look.sink.state_counts.sum(axis=0), results.total[:, record].sum(axis=0))

    settings = Settings({}, ("trained", "adopter"), (GOAL,), pass_share=share, reach_shares=())
    passing = sum(
        values
        for name, (family, values) in outcome_values(results, study.calendar, settings).items()
        if family == "probability" and name.startswith("P(")
    )
    working = results.series(("trained", "adopter"), "kind", "staff")[:, -1]
    isolated = ends[0].isolated_per_run(results.n_runs)
    assert (isolated <= results.series("trained")[:, -1]).all() and isolated.max() > 0
    assert np.array_equal(goal.values(results, study.calendar, ends), passing + working - isolated)


def test_probes_change_nothing(small_scenario):
    goal = parse_objective(f"working@{GOAL}", GOAL, 0.25)
    problem = make_problem(small_scenario, AT, 2, goal, 25, 9)
    study = problem.study
    events = list(study.events)
    events[problem.slot] = problem.cohort((2, 5))
    plain = dataclasses.replace(study, events=tuple(events)).simulate(25, 9)
    probes = (StateProbe(problem.at_step), StateProbe(study.n_steps))
    probed = dataclasses.replace(study, events=(probes[0], *events, probes[1])).simulate(25, 9)
    assert np.array_equal(plain.total, probed.total)
    assert np.array_equal(plain.adopted_step, probed.adopted_step)
    assert probes[0].sink.n_runs == probes[1].sink.n_runs == 25
