"""Per-run events: several choices of events in one simulation, each run as if alone."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from diffusion.compile import compile_graph
from diffusion.engine import simulate, snapshot
from diffusion.events import Cohort, PerRun, SetParams, SetState
from diffusion.models.epidemic import SIR, SIRParams
from diffusion.org.etten_leur import etten_leur
from tests.test_snapshot import assert_same

RUNS, STEPS, AT = 40, 30, 6
MODEL = SIR(SIRParams(beta=0.08, gamma=0.1, initial_infected=3))
#: the choices at step AT: cohorts of different seats and people (a cohort of SIR enters
#: "infected"), people infected by hand, and a choice of none
CHOICES = [
    [Cohort(AT, name="c", seats=4)],
    [Cohort(AT, name="c", seats=2, include=(5, 9))],
    [SetState(AT, nodes=(1, 2, 3), state="infected")],
    [],
]


def _runs(results, k):
    """Choice ``k``'s runs of a simulation of every choice, as results of their own."""
    part = slice(k * RUNS, (k + 1) * RUNS)
    return dataclasses.replace(
        results,
        counts={g: c[part] for g, c in results.counts.items()},
        total=results.total[part],
        first_step={m: f[part] for m, f in results.first_step.items()},
        run_ids=results.run_ids[part],
    )


def _alone(org, k, **kwargs):
    return simulate(MODEL, org, n_runs=RUNS, n_steps=STEPS, seed=5, events=CHOICES[k], **kwargs)


def _per_run() -> PerRun:
    # runs k * RUNS .. (k + 1) * RUNS - 1 have choice k (one event each; the last, none)
    events = tuple(c[0] for c in CHOICES if c)
    which = np.repeat(np.arange(len(CHOICES)), RUNS)
    which[which == len(CHOICES) - 1] = -1
    return PerRun(AT, events=events, which=which)


@pytest.mark.parametrize("batch_size", [None, 33])
def test_choices_in_one_simulation_are_the_runs_of_each_alone(batch_size):
    # the choices' runs carry the same run ids 0 .. RUNS - 1; batches of 33 cut across them
    org = compile_graph(etten_leur(0))
    ids = np.tile(np.arange(RUNS), len(CHOICES))
    together = simulate(
        MODEL,
        org,
        n_runs=len(ids),
        n_steps=STEPS,
        seed=5,
        events=[_per_run()],
        run_ids=ids,
        batch_size=batch_size,
        milestones={"sick": ("infected",)},
    )
    for k in range(len(CHOICES)):
        alone = _alone(org, k, milestones={"sick": ("infected",)})
        assert_same(alone, _runs(together, k))
    # the choices differ: the equality is not that of identical runs
    ever = (together.first_step["sick"] >= 0).sum(axis=1)  # people ever infected, per run
    sums = {int(ever[k * RUNS : (k + 1) * RUNS].sum()) for k in range(len(CHOICES))}
    assert len(sums) == len(CHOICES)


def test_choices_go_on_from_one_snapshot():
    # a snapshot of RUNS runs at the choices' step, selected once per choice
    org = compile_graph(etten_leur(0))
    history = [SetParams(2, {"beta": 0.1})]
    snap = snapshot(MODEL, org, n_runs=RUNS, step=AT, seed=5, events=history)
    ids = np.tile(np.arange(RUNS), len(CHOICES))
    together = simulate(
        MODEL,
        org,
        n_runs=len(ids),
        n_steps=STEPS,
        seed=5,
        events=[_per_run()],
        start=snap.select(ids),
    )
    np.testing.assert_array_equal(together.run_ids, ids)
    for k, choice in enumerate(CHOICES):
        alone = simulate(MODEL, org, n_runs=RUNS, n_steps=STEPS, seed=5, events=[*history, *choice])
        assert_same(alone, _runs(together, k))


def test_an_event_that_changes_every_run_is_refused():
    org = compile_graph(etten_leur(0))
    event = PerRun(3, events=(SetParams(3, {"beta": 0.5}),), which=np.zeros(10, dtype=int))
    with pytest.raises(ValueError, match="changes the model or the ties"):
        simulate(MODEL, org, n_runs=10, n_steps=5, seed=1, events=[event])


def test_per_run_checks_its_arguments():
    with pytest.raises(ValueError, match="at its step 3, not 4"):
        PerRun(3, events=(SetState(4, nodes=(1,), state="infected"),), which=np.zeros(2, int))
    with pytest.raises(ValueError, match=r"-1 \.\. 0"):
        PerRun(3, events=(SetState(3, nodes=(1,), state="infected"),), which=np.array([0, 1]))
