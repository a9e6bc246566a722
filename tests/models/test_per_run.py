"""Parameters per run: many parameter sets in one batch give each set's runs exactly."""

from __future__ import annotations

import numpy as np
import pytest

from diffusion.compile import compile_graph
from diffusion.engine import simulate
from diffusion.events import SetParams
from diffusion.graphs import erdos_renyi
from diffusion.models.base import stack_models
from diffusion.models.epidemic import SI, SIR, SIS, SIParams, SIRParams
from diffusion.org.etten_leur import etten_leur
from diffusion.results import Results

RUNS = 40


def assert_runs_equal(stacked: Results, k: int, alone: Results) -> None:
    """Runs ``k * RUNS ..`` of ``stacked`` are ``alone``'s runs, record for record."""
    part = slice(k * RUNS, (k + 1) * RUNS)
    np.testing.assert_array_equal(stacked.total[part], alone.total)
    for g in alone.counts:
        np.testing.assert_array_equal(stacked.counts[g][part], alone.counts[g])
    for m in alone.first_step:
        np.testing.assert_array_equal(stacked.first_step[m][part], alone.first_step[m])
    np.testing.assert_array_equal(stacked.run_ids[part], alone.run_ids)


@pytest.mark.parametrize(
    ("make", "sets", "weighted"),
    [
        # ER ties all weigh 1: one neighbour count, a bound table per value of beta
        (SIR, [(0.05, 0.2), (0.12, 0.2), (0.05, 0.5), (0.0, 0.3)], False),
        (SIS, [(0.08, 0.1), (0.2, 0.4)], False),
        (SI, [(0.03, None), (0.3, None)], False),
        # Etten-Leur's ties weigh by kind: each value of beta on its own runs
        (SIR, [(0.05, 0.2), (0.12, 0.1), (0.05, 0.0)], True),
    ],
)
def test_parameter_sets_in_one_batch_equal_each_set_alone(make, sets, weighted):
    org = compile_graph(etten_leur(0)) if weighted else erdos_renyi(400, 6.0, seed=3)
    models = [
        make(SIParams(beta=b, initial_infected=3))
        if g is None
        else make(SIRParams(beta=b, gamma=g, initial_infected=3))
        for b, g in sets
    ]
    # every set on the same runs 0..RUNS-1 (common random numbers, as a sweep's points)
    ids = np.tile(np.arange(RUNS), len(sets))
    kwargs = dict(n_steps=30, seed=11, record_every=2, milestones={"sick": ("infected",)})
    # batches of 25 cut across the sets, and finished runs are dropped mid-batch
    stacked = simulate(
        stack_models(models, RUNS),
        org,
        n_runs=RUNS * len(sets),
        run_ids=ids,
        batch_size=25,
        **kwargs,
    )
    for k, model in enumerate(models):
        assert_runs_equal(stacked, k, simulate(model, org, n_runs=RUNS, **kwargs))


def test_an_event_setting_a_parameter_for_all_runs_overrides_the_per_run_values():
    org = erdos_renyi(300, 5.0, seed=1)
    models = [SIR(SIRParams(beta=b, gamma=0.2, initial_infected=4)) for b in (0.04, 0.15)]
    events = [SetParams(6, {"beta": 0.3})]
    kwargs = dict(n_steps=20, seed=2, events=events)
    ids = np.tile(np.arange(RUNS), 2)
    stacked = simulate(stack_models(models, RUNS), org, n_runs=2 * RUNS, run_ids=ids, **kwargs)
    for k, model in enumerate(models):
        assert_runs_equal(stacked, k, simulate(model, org, n_runs=RUNS, **kwargs))


def test_per_run_parameters_are_checked():
    org = erdos_renyi(50, 4.0, seed=1)
    model = SIR(SIRParams(beta=np.array([0.1, 0.2, 0.3])))
    with pytest.raises(ValueError, match=r"shape \(3,\), but the simulation has 4 runs"):
        simulate(model, org, n_runs=4, n_steps=3, seed=0)
    with pytest.raises(ValueError, match="probabilities in"):
        SIRParams(beta=np.array([0.1, 1.5]))
    with pytest.raises(ValueError, match="cannot vary 'initial_infected' by run"):
        stack_models([SIR(SIRParams(initial_infected=k)) for k in (1, 2)], 5)
    with pytest.raises(ValueError, match="run_ids must be 4"):
        simulate(SIR(), org, n_runs=4, n_steps=3, seed=0, run_ids=np.arange(3))
