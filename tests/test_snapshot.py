"""Snapshots: going on from a saved state at a step gives the whole simulation's results."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from diffusion.baseline import etten_leur_baseline
from diffusion.compile import compile_graph
from diffusion.engine import simulate, snapshot
from diffusion.events import AddTies, Cohort, ModelAction, SetParams, SetState
from diffusion.models.epidemic import SIR, SIRParams
from diffusion.org.etten_leur import etten_leur
from diffusion.results import Results
from diffusion.study import shared_steps, simulate_studies
from tests.test_engine import Flip, tiny_org


def assert_same(a: Results, b: Results) -> None:
    np.testing.assert_array_equal(a.steps, b.steps)
    np.testing.assert_array_equal(a.total, b.total)
    assert a.counts.keys() == b.counts.keys()
    for g in a.counts:
        np.testing.assert_array_equal(a.counts[g], b.counts[g])
    assert a.first_step.keys() == b.first_step.keys()
    for m in a.first_step:
        np.testing.assert_array_equal(a.first_step[m], b.first_step[m])


@pytest.mark.parametrize("at", [1, 6, 7, 20])
def test_sir_from_a_snapshot_equals_the_whole_run(at):
    # SIR reports its moves; events before, at and after the snapshot's step, and the
    # snapshot and the rest made with other batch sizes than the whole run; going on, the
    # events before the snapshot's step are left out (they are in it)
    org = compile_graph(etten_leur(0))
    model = SIR(SIRParams(beta=0.08, gamma=0.1, initial_infected=3))
    history = [SetParams(3, {"beta": 0.1}), SetState(5, nodes=(4, 5), state="infected")]
    later = [
        SetState(7, nodes=(6,), state="recovered"),
        AddTies(7, kind="project", sources=(1, 2), targets=(30, 40)),
        Cohort(12, name="c", seats=4),
    ]
    kwargs = dict(n_runs=120, seed=4, record_every=3, milestones={"sick": ("infected",)})
    whole = simulate(model, org, n_steps=40, events=[*history, *later], batch_size=50, **kwargs)
    snap = snapshot(model, org, step=at, events=[*history, *later], batch_size=17, **kwargs)
    events = [*history, *later]
    rest = simulate(model, org, n_steps=40, events=events, start=snap, batch_size=33, **kwargs)
    assert_same(whole, rest)
    # the snapshot is not changed by going on from it: a second time gives the same
    assert_same(rest, simulate(model, org, n_steps=40, events=events, start=snap, **kwargs))


def test_a_model_compared_with_copies_goes_on_from_a_snapshot():
    # Flip does not report moves: the engine compares states, also across the snapshot
    org = tiny_org()
    events = [SetState(4, nodes=(0,), state="on"), ModelAction(10, "reset")]
    kwargs = dict(n_runs=200, seed=9, milestones={"off": ("off",)})
    whole = simulate(Flip(), org, n_steps=30, events=events, **kwargs)
    for at in (4, 10, 11):
        snap = snapshot(Flip(), org, step=at, events=events, **kwargs)
        assert_same(whole, simulate(Flip(), org, n_steps=30, events=events, start=snap, **kwargs))


def test_what_ifs_share_the_ideas_history_up_to_a_date():
    study = etten_leur_baseline(years=1)
    at = 20
    cohort = Cohort(at + 2, name="extra", seats=6)
    snap = study.snapshot(60, seed=3, step=at)
    for extra in ((), (cohort,)):
        whole = study.simulate(60, seed=3, events=extra)
        assert_same(whole, study.simulate(60, seed=3, events=extra, start=snap))


def test_a_snapshot_refuses_other_runs_or_recording():
    org = tiny_org()
    snap = snapshot(Flip(), org, n_runs=10, step=5, seed=1)
    with pytest.raises(ValueError, match="n_runs"):
        simulate(Flip(), org, n_runs=11, n_steps=9, seed=1, start=snap)
    with pytest.raises(ValueError, match="record_every"):
        simulate(Flip(), org, n_runs=10, n_steps=9, seed=1, start=snap, record_every=2)
    with pytest.raises(ValueError, match="step 5"):
        simulate(Flip(), org, n_runs=10, n_steps=4, seed=1, start=snap)


def test_studies_simulated_together_equal_each_alone():
    # what-ifs of one base: changes from step 22, from step 9 (two snapshots, the second
    # going on from the first), nothing changed, and another parameter (nothing shared)
    base = etten_leur_baseline(years=1)
    later = dataclasses.replace(base, events=(*base.events, Cohort(22, name="x", seats=6)))
    sooner = dataclasses.replace(base, events=(*base.events, Cohort(9, name="y", seats=4)))
    other = dataclasses.replace(base, model=base.model.with_params(p_adopt_per_week=0.2))
    studies = [base, later, sooner, base, other]
    assert [shared_steps(base, s) for s in studies[1:]] == [22, 9, base.n_steps + 1, 0]
    done = []
    together = simulate_studies(studies, 40, 5, record_every=2, progress=done.append)
    for study, result in zip(studies, together, strict=True):
        assert_same(result, study.simulate(40, 5, record_every=2))
    # the shared steps count as done: the total is that of simulating each alone
    assert sum(done) == len(studies) * 40 * base.n_steps
